"""HWP 5 record streams: inflating them under a byte budget, splitting them into records, nesting
records by level, and reading PARA_TEXT with its control characters.

Spec: 한글 문서 파일 형식 5.0 (Hancom, revision 1.3), sections 3.2 (records) and 4.3 (body text).
"""
from __future__ import annotations

import sys
import zlib
from array import array
from dataclasses import dataclass, field

from ingest.errors import CorruptDocument, DocumentTooLarge

HWPTAG_BEGIN = 16
# DocInfo
DOCUMENT_PROPERTIES = HWPTAG_BEGIN
PARA_SHAPE = HWPTAG_BEGIN + 9
STYLE = HWPTAG_BEGIN + 10
DISTRIBUTE_DOC_DATA = HWPTAG_BEGIN + 12
# BodyText
PARA_HEADER = HWPTAG_BEGIN + 50
PARA_TEXT = HWPTAG_BEGIN + 51
PARA_LINE_SEG = HWPTAG_BEGIN + 53
CTRL_HEADER = HWPTAG_BEGIN + 55
LIST_HEADER = HWPTAG_BEGIN + 56
PAGE_DEF = HWPTAG_BEGIN + 57
TABLE = HWPTAG_BEGIN + 61

# PARA_TEXT control characters (spec table 6). "Char" controls take one WCHAR; "inline" and
# "extended" controls take eight (code, 12 bytes of info, code again). Extended controls are the
# ones with a CTRL_HEADER record (table, drawing, footnote, ...), in the same order as the text.
_CHAR_CONTROLS = {0: "", 10: "\n", 13: "", 24: "-", 25: "", 26: "", 27: "", 28: "", 29: "",
                  30: " ",  # 묶음 빈칸 (non-breaking space)
                  31: " "}  # 고정폭 빈칸 (fixed-width space)
_INLINE_CONTROLS = {4: "", 5: "", 6: "", 7: "", 8: "", 9: "\t", 19: "", 20: ""}
_CONTROL_WIDTH = 8


@dataclass
class Record:
    """One record; `children` are the records one level deeper that follow it."""

    tag: int
    level: int
    payload: bytes
    children: list[Record] = field(default_factory=list)

    def first(self, tag: int) -> Record | None:
        return next((c for c in self.children if c.tag == tag), None)


@dataclass(frozen=True)
class ControlRef:
    """Where an extended control (table, text box, footnote, ...) sits in a paragraph's text."""

    ctrl_id: str


# Streams that inflate to less than this are not held to the ratio: small runs of zeros compress far.
RATIO_FLOOR = 1_000_000


class ByteBudget:
    """How many more bytes this document may inflate to, shared by all of its streams; and how many
    times its compressed size one stream may expand to (`max_ratio`, as SafeZip holds zip members)."""

    def __init__(self, limit: int, max_ratio: float | None = None) -> None:
        self.left = limit
        self.max_ratio = max_ratio

    def spend(self, n: int) -> None:
        self.left -= n


def inflate(data: bytes, name: str, what: str, budget: ByteBudget) -> bytes:
    """Raw-deflate `data` (HWP streams carry no zlib header), never past the budget."""
    inflater = zlib.decompressobj(-15)
    # Real sections expand under 10:1; without the ratio a bomb would inflate the whole budget
    # (512 MiB by default) into memory before it is refused.
    cap = budget.left
    if budget.max_ratio is not None:
        cap = min(cap, max(RATIO_FLOOR, int(len(data) * budget.max_ratio)))
    try:
        out = inflater.decompress(data, cap + 1)
    except zlib.error as err:
        raise CorruptDocument(name, f"{what} is not valid compressed data ({err})") from err
    if len(out) > budget.left:
        raise DocumentTooLarge(name, f"{what} expands past the size limit (decompression bomb guard)")
    if len(out) > cap:
        raise DocumentTooLarge(name, f"{what} expands more than {budget.max_ratio:g}:1 (decompression bomb guard)")
    if not inflater.eof:
        raise CorruptDocument(name, f"{what} is truncated: its compressed data ends early")
    budget.spend(len(out))
    return out


def read_records(data: bytes, name: str, what: str, slack: int = 0, max_records: int | None = None) -> list[Record]:
    """Split a record stream: a 32-bit header (tag 10 bits, level 10, size 12) then the payload.

    Up to `slack` trailing bytes that do not make a whole record are ignored (cipher padding).
    At most `max_records` (KORAG_MAX_SECTION_RECORDS): empty records are 4 bytes each, so a section
    under the compression-ratio guard can still hold tens of millions of them (~150 bytes of Python
    objects apiece); counting them is the only bound on what they cost.
    """
    records: list[Record] = []
    pos, end = 0, len(data)
    while pos < end:
        if max_records is not None and len(records) >= max_records:
            raise DocumentTooLarge(name, f"{what} holds more than {max_records:,} records "
                                         "(limit KORAG_MAX_SECTION_RECORDS); a real section holds far fewer")
        if end - pos <= slack and not _whole_record_at(data, pos):
            break
        if pos + 4 > end:
            raise CorruptDocument(name, f"{what} is truncated: a record header is cut off at byte {pos}")
        header = int.from_bytes(data[pos:pos + 4], "little")
        pos += 4
        size = header >> 20
        if size == 0xFFF:  # long record: the real size follows as a uint32
            if pos + 4 > end:
                raise CorruptDocument(name, f"{what} is truncated: a record size is cut off at byte {pos}")
            size = int.from_bytes(data[pos:pos + 4], "little")
            pos += 4
        if pos + size > end:
            raise CorruptDocument(
                name, f"{what} is truncated: a record of {size} bytes at byte {pos} runs past the end")
        records.append(Record(header & 0x3FF, (header >> 10) & 0x3FF, data[pos:pos + size]))
        pos += size
    return records


def _whole_record_at(data: bytes, pos: int) -> bool:
    if pos + 4 > len(data):
        return False
    size = int.from_bytes(data[pos:pos + 4], "little") >> 20
    return size != 0xFFF and pos + 4 + size <= len(data)


def record_tree(records: list[Record]) -> Record:
    """Nest records by level under a synthetic root (iteratively: levels go up to 1023)."""
    root = Record(tag=-1, level=-1, payload=b"")
    stack = [root]
    for record in records:
        while len(stack) > 1 and stack[-1].level >= record.level:
            stack.pop()
        stack[-1].children.append(record)
        stack.append(record)
    return root


def ctrl_id(raw: bytes) -> str:
    """Control ids are four ASCII letters stored as a little-endian uint32 ('tbl ' is b' lbt')."""
    return raw[:4][::-1].decode("latin-1")


def para_text(payload: bytes) -> list[str | ControlRef]:
    """Decode PARA_TEXT into text pieces and the extended controls between them."""
    units = array("H", payload[: len(payload) // 2 * 2])
    if sys.byteorder == "big":
        units.byteswap()
    out: list[str | ControlRef] = []
    start = i = 0
    n = len(units)
    while i < n:
        code = units[i]
        if code >= 32:
            i += 1
            continue
        if start < i:
            out.append(units[start:i].tobytes().decode("utf-16-le", errors="replace"))
        if code in _CHAR_CONTROLS:
            out.append(_CHAR_CONTROLS[code])
            i += 1
        else:
            if code in _INLINE_CONTROLS:
                out.append(_INLINE_CONTROLS[code])
            elif i + 2 < n:
                out.append(ControlRef(ctrl_id(units[i + 1:i + 3].tobytes())))
            i += _CONTROL_WIDTH
        start = i
    if start < n:
        out.append(units[start:n].tobytes().decode("utf-16-le", errors="replace"))
    return [piece for piece in out if piece != ""]
