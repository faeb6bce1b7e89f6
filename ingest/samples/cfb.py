"""A small, deterministic writer for Compound File Binary files (MS-CFB version 3, 512-byte sectors).

olefile reads compound files but cannot create them, and the project needs a few (HWP 5.0 samples,
test fixtures), so this module writes them.  It supports what those need: nested storages, streams of
any size up to a few megabytes, the mini stream for streams under 4,096 bytes, and no DIFAT sectors
(at most 109 FAT sectors, i.e. files up to about 6.8 MB).  Every timestamp and CLSID is zero, so the
same input always gives the same bytes.

    data = write_cfb({"FileHeader": b"...", "BodyText/Section0": b"..."})
"""
from __future__ import annotations

import struct
from collections.abc import Mapping
from dataclasses import dataclass, field

SECTOR_SIZE = 512
MINI_SECTOR_SIZE = 64
MINI_STREAM_CUTOFF = 4096
ENTRY_SIZE = 128
HEADER_DIFAT_SLOTS = 109

FREESECT = 0xFFFFFFFF
ENDOFCHAIN = 0xFFFFFFFE
FATSECT = 0xFFFFFFFD
NOSTREAM = 0xFFFFFFFF

SIGNATURE = bytes.fromhex("D0CF11E0A1B11AE1")

_EMPTY, _STORAGE, _STREAM, _ROOT = 0, 1, 2, 5
_RED, _BLACK = 0, 1
_FORBIDDEN = set("/\\:!")


@dataclass
class _Node:
    name: str
    kind: int
    data: bytes = b""
    children: dict[str, _Node] = field(default_factory=dict)
    sid: int = NOSTREAM
    left: int = NOSTREAM
    right: int = NOSTREAM
    child: int = NOSTREAM
    color: int = _BLACK
    start: int = ENDOFCHAIN
    size: int = 0


def _sort_key(name: str) -> tuple[int, str]:
    # MS-CFB 2.6.4: shorter names sort first; equal lengths compare upper-cased code units.
    return (len(name.encode("utf-16-le")) // 2, name.upper())


def _check_name(name: str) -> None:
    if not name:
        raise ValueError("empty CFB entry name")
    if len(name.encode("utf-16-le")) // 2 > 31:
        raise ValueError(f"CFB entry name longer than 31 UTF-16 code units: {name!r}")
    if _FORBIDDEN & set(name):
        raise ValueError(f"CFB entry name contains one of / \\ : ! : {name!r}")


def _build_tree(streams: Mapping[str, bytes]) -> _Node:
    root = _Node("Root Entry", _ROOT)
    for path, data in streams.items():
        parts = path.split("/")
        for part in parts:
            _check_name(part)
        node = root
        for part in parts[:-1]:
            child = node.children.get(part.upper())
            if child is None:
                child = node.children[part.upper()] = _Node(part, _STORAGE)
            elif child.kind != _STORAGE:
                raise ValueError(f"{path!r}: {part!r} is already a stream")
            node = child
        leaf = parts[-1]
        if leaf.upper() in node.children:
            raise ValueError(f"duplicate CFB entry {path!r}")
        node.children[leaf.upper()] = _Node(leaf, _STREAM, data=bytes(data))
    return root


def _number(root: _Node) -> list[_Node]:
    """Give every entry a directory index (root first, then each storage's children, depth first)."""
    order: list[_Node] = []

    def visit(node: _Node) -> None:
        node.sid = len(order)
        order.append(node)
        for child in sorted(node.children.values(), key=lambda n: _sort_key(n.name)):
            visit(child)

    visit(root)
    return order


def _link_siblings(node: _Node) -> None:
    """Turn each storage's children into a balanced binary search tree, coloured as a valid red-black tree.

    Splitting the sorted list at its middle fills every level except the deepest, so colouring the nodes
    on the deepest (partial) level red and all others black gives the same black height on every path.
    """
    kids = sorted(node.children.values(), key=lambda n: _sort_key(n.name))
    depth_of: dict[int, int] = {}

    def build(lo: int, hi: int, depth: int) -> int:
        if lo >= hi:
            return NOSTREAM
        mid = (lo + hi) // 2
        kid = kids[mid]
        depth_of[id(kid)] = depth
        kid.left = build(lo, mid, depth + 1)
        kid.right = build(mid + 1, hi, depth + 1)
        return kid.sid

    node.child = build(0, len(kids), 0)
    if kids:
        deepest = max(depth_of.values())
        full = (1 << (deepest + 1)) - 1 == len(kids)  # a perfect tree: all black is already valid
        for kid in kids:
            kid.color = _RED if (not full and depth_of[id(kid)] == deepest) else _BLACK
    for kid in kids:
        _link_siblings(kid)


def _pad(data: bytes, unit: int, fill: bytes = b"\0") -> bytes:
    rem = len(data) % unit
    return data if rem == 0 else data + fill * (unit - rem)


def _sectors(nbytes: int, unit: int = SECTOR_SIZE) -> int:
    return (nbytes + unit - 1) // unit


def _dir_entry(node: _Node | None) -> bytes:
    if node is None:
        return struct.pack(
            "<64sHBBIII16sIQQIQ", b"", 0, _EMPTY, _RED, NOSTREAM, NOSTREAM, NOSTREAM, b"", 0, 0, 0, 0, 0
        )
    name = (node.name + "\0").encode("utf-16-le")
    return struct.pack(
        "<64sHBBIII16sIQQIQ",
        name,
        len(name),
        node.kind,
        node.color,
        node.left,
        node.right,
        node.child,
        b"\0" * 16,  # CLSID
        0,  # state bits
        0,  # creation time
        0,  # modification time
        node.start if node.kind != _STORAGE else 0,
        node.size,
    )


def write_cfb(streams: Mapping[str, bytes]) -> bytes:
    """Return a compound file holding ``streams``: keys are paths like ``"BodyText/Section0"``.

    Storages are created from the path prefixes.  Entry names are at most 31 UTF-16 code units and may
    not contain ``/ \\ : !``.  The result is deterministic for a given mapping (insertion order does
    not matter).
    """
    root = _build_tree(streams)
    entries = _number(root)
    _link_siblings(root)
    root.color = _BLACK

    stream_nodes = [n for n in entries if n.kind == _STREAM]
    small = [n for n in stream_nodes if 0 < len(n.data) < MINI_STREAM_CUTOFF]
    large = [n for n in stream_nodes if len(n.data) >= MINI_STREAM_CUTOFF]

    # Mini stream: small streams back to back, each padded to 64 bytes; the mini FAT chains them.
    mini_fat: list[int] = []
    mini_stream = bytearray()
    for node in small:
        count = _sectors(len(node.data), MINI_SECTOR_SIZE)
        node.start = len(mini_fat)
        node.size = len(node.data)
        mini_fat.extend(range(node.start + 1, node.start + count))
        mini_fat.append(ENDOFCHAIN)
        mini_stream += _pad(node.data, MINI_SECTOR_SIZE)
    for node in stream_nodes:
        if not node.data:
            node.start, node.size = ENDOFCHAIN, 0

    mini_fat_bytes = _pad(struct.pack(f"<{len(mini_fat)}I", *mini_fat), SECTOR_SIZE, b"\xff") if mini_fat else b""
    n_dir = _sectors(len(entries) * ENTRY_SIZE)
    n_minifat = _sectors(len(mini_fat_bytes))
    n_ministream = _sectors(len(mini_stream))
    n_large = [_sectors(len(n.data)) for n in large]
    n_rest = n_dir + n_minifat + n_ministream + sum(n_large)

    n_fat = 1
    while n_fat * (SECTOR_SIZE // 4) < n_fat + n_rest:
        n_fat += 1
    if n_fat > HEADER_DIFAT_SLOTS:
        raise ValueError("compound file too large for a writer without DIFAT sectors (about 6.8 MB)")

    fat: list[int] = [FATSECT] * n_fat
    next_sector = n_fat

    def chain(count: int) -> int:
        nonlocal next_sector
        if count == 0:
            return ENDOFCHAIN
        first = next_sector
        fat.extend(range(first + 1, first + count))
        fat.append(ENDOFCHAIN)
        next_sector += count
        return first

    dir_start = chain(n_dir)
    minifat_start = chain(n_minifat)
    ministream_start = chain(n_ministream)
    for node, count in zip(large, n_large):
        node.start = chain(count)
        node.size = len(node.data)
    root.start = ministream_start
    root.size = len(mini_stream)

    # Unused entries in the last directory sector: zeros, with NOSTREAM sibling and child links.
    directory = b"".join(_dir_entry(n) for n in entries)
    directory += _dir_entry(None) * (n_dir * SECTOR_SIZE // ENTRY_SIZE - len(entries))

    fat.extend([FREESECT] * (n_fat * (SECTOR_SIZE // 4) - len(fat)))
    difat = list(range(n_fat)) + [FREESECT] * (HEADER_DIFAT_SLOTS - n_fat)
    header = struct.pack(
        "<8s16sHHHHH6sIIIIIIIII",
        SIGNATURE,
        b"\0" * 16,
        0x003E,  # minor version
        0x0003,  # major version 3: 512-byte sectors
        0xFFFE,  # byte order: little endian
        9,  # sector shift: 2**9 = 512
        6,  # mini sector shift: 2**6 = 64
        b"\0" * 6,
        0,  # number of directory sectors: always 0 in version 3
        n_fat,
        dir_start,
        0,  # transaction signature
        MINI_STREAM_CUTOFF,
        minifat_start,
        n_minifat,
        ENDOFCHAIN,  # first DIFAT sector: none
        0,  # number of DIFAT sectors
    ) + struct.pack(f"<{HEADER_DIFAT_SLOTS}I", *difat)
    assert len(header) == SECTOR_SIZE

    out = bytearray(header)
    out += struct.pack(f"<{len(fat)}I", *fat)
    out += directory
    out += mini_fat_bytes
    out += _pad(bytes(mini_stream), SECTOR_SIZE)
    for node in large:
        out += _pad(node.data, SECTOR_SIZE)
    assert len(out) == SECTOR_SIZE * (1 + next_sector)
    return bytes(out)
