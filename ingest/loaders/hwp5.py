"""HWP 5 (.hwp, OLE2 compound file) loader: sections of paragraphs, tables and text boxes as blocks.

Each BodyText/SectionN stream is a record tree (hwp5_records); 배포용 documents keep the body
encrypted in ViewText/SectionN instead (hwp5_crypto). A block's `page` comes from the layout Hangul
saved (PARA_LINE_SEG positions and page breaks, hwp_blocks.PageCounter).
"""
from __future__ import annotations

import io
import logging
import struct
from collections import deque
from dataclasses import dataclass

import olefile

from ingest.errors import CorruptDocument, DocumentTooLarge, EncryptedDocument, UnsupportedFormat
from ingest.loaders.base import LoadOptions
from ingest.loaders.hwp5_crypto import decrypt_view_text
from ingest.loaders.hwp5_records import (CTRL_HEADER, LIST_HEADER, PARA_HEADER, PARA_LINE_SEG, PARA_SHAPE,
                                         PAGE_DEF, PARA_TEXT, STYLE, TABLE,
                                         ByteBudget, ControlRef, Record, ctrl_id, inflate, para_text, read_records,
                                         record_tree)
from ingest.loaders.hwp_blocks import (Cell, Item, OutlineTracker, PageCounter, as_body, frame_items, on_page,
                                      one_line, paragraph_role, table_item, table_items)
from ingest.loaders.hwp_table_pages import TableLayout, flow_layout, next_line_top, row_heights
from rag.model import BlockKind, ParsedDocument

log = logging.getLogger(__name__)

SIGNATURE = b"HWP Document File"
# FileHeader property bits (spec table 3).
_COMPRESSED, _PASSWORD, _DISTRIBUTION, _DRM, _CERT_ENCRYPTED, _CERT_DRM = 1, 2, 4, 16, 256, 1024
_PAGE_BREAK = 0x04  # PARA_HEADER break type (spec table 60): 0x01 section, 0x02 columns, 0x04 page, 0x08 column
_NUMBERING = {0: None, 1: "outline", 2: "number", 3: "bullet"}
MAX_NESTING = 32  # tables in text boxes in tables...: real files stay under ten
# olefile reports a damaged container with whichever exception the damage happens to trigger.
_OLE_ERRORS = (OSError, ValueError, IndexError, KeyError, TypeError, struct.error, RecursionError)


@dataclass(frozen=True)
class FileHeader:
    version: tuple[int, int, int, int]
    compressed: bool
    distribution: bool


def parse_file_header(raw: bytes, name: str) -> FileHeader:
    """Check the signature and the property bits; password and DRM documents cannot be read."""
    if len(raw) < 40 or not raw.startswith(SIGNATURE):
        raise CorruptDocument(
            name, "the FileHeader stream lacks the 'HWP Document File' signature: the file is damaged or truncated")
    version = (raw[35], raw[34], raw[33], raw[32])  # 0xMMnnPPrr stored little-endian
    flags = int.from_bytes(raw[36:40], "little")
    if version[0] != 5:
        raise UnsupportedFormat(
            name, f"HWP version {'.'.join(map(str, version))} is not HWP 5: save it as HWP 5 or HWPX and retry")
    if flags & _PASSWORD:
        raise EncryptedDocument(
            name, "the HWP file is password-protected; open it in Hangul, remove the password and retry")
    if flags & (_DRM | _CERT_ENCRYPTED | _CERT_DRM):
        raise EncryptedDocument(
            name, "the HWP file is DRM- or certificate-encrypted; save an unprotected copy and retry")
    return FileHeader(version, bool(flags & _COMPRESSED), bool(flags & _DISTRIBUTION))


@dataclass(frozen=True)
class Styles:
    """Style names and paragraph-shape numbering from DocInfo, indexed by id."""

    names: tuple[str, ...] = ()
    numbering: tuple[tuple[str | None, int], ...] = ()

    def role(self, para_header: bytes) -> tuple[BlockKind, int]:
        if len(para_header) < 11:
            return "paragraph", 0
        shape_id = int.from_bytes(para_header[8:10], "little")
        style_id = para_header[10]
        style = self.names[style_id] if style_id < len(self.names) else ""
        numbering, level = self.numbering[shape_id] if shape_id < len(self.numbering) else (None, 0)
        return paragraph_role(style, numbering, level)


def parse_styles(records: list[Record]) -> Styles:
    names, numbering = [], []
    for record in records:
        if record.tag == STYLE and len(record.payload) >= 2:
            length = int.from_bytes(record.payload[:2], "little")
            names.append(record.payload[2:2 + 2 * length].decode("utf-16-le", errors="replace"))
        elif record.tag == PARA_SHAPE and len(record.payload) >= 4:
            props = int.from_bytes(record.payload[:4], "little")
            numbering.append((_NUMBERING[(props >> 23) & 0x3], (props >> 25) & 0x7))
    return Styles(tuple(names), tuple(numbering))


class SectionReader:
    """Walks one section's record tree into items; footnotes and endnotes wait in `notes`."""

    def __init__(self, name: str, styles: Styles, options: LoadOptions, body_height: int = 0) -> None:
        self.name = name
        self.styles = styles
        self.options = options
        self.notes: list[Item] = []
        self.pages = PageCounter()
        self.body_height = body_height  # the page's text area (HWPUNIT), 0 when not known
        # (page, vertical position) of the body paragraph being read, and the first line after it
        self._anchor: tuple[int, int, int | None] | None = None

    def paragraphs(self, records: list[Record], depth: int) -> list[Item]:
        if depth > MAX_NESTING:
            raise CorruptDocument(self.name, f"objects are nested more than {MAX_NESTING} deep")
        items: list[Item] = []
        body = [r for r in records if r.tag == PARA_HEADER]
        for index, record in enumerate(body):
            if depth > 0:
                items.extend(self._paragraph(record, depth))
                continue
            # A body paragraph: its page from PARA_LINE_SEG and the page-break bit of PARA_HEADER.
            lines = _line_positions(record)
            page = self.pages.paragraph(_page_break(record), lines)
            self._anchor = (page, lines[0][0], next_line_top(
                (_page_break(r), _line_positions(r)) for r in body[index + 1:])) if lines else None
            notes = len(self.notes)
            items.extend(on_page(self._paragraph(record, depth), page))
            self.notes[notes:] = on_page(self.notes[notes:], page)
        return items

    def _paragraph(self, para: Record, depth: int) -> list[Item]:
        kind, level = self.styles.role(para.payload)
        text = para.first(PARA_TEXT)
        pieces = para_text(text.payload) if text is not None else []
        controls = _Controls([c for c in para.children if c.tag == CTRL_HEADER])
        items: list[Item] = []
        buffer: list[str] = []

        def flush() -> None:
            if "".join(buffer).strip():
                items.append(Item("".join(buffer), kind, level))
            buffer.clear()

        def place(control: Record) -> None:
            inline, blocks = self._control(control, depth)
            buffer.append(inline)
            if blocks:  # a table or text box splits the paragraph where it is anchored
                flush()
                items.extend(blocks)

        for piece in pieces:
            if isinstance(piece, ControlRef):
                control = controls.take(piece.ctrl_id)
                if control is not None:
                    place(control)
            else:
                buffer.append(piece)
        for control in controls.left_over():  # controls the text did not mark (should not happen)
            place(control)
        flush()
        return items

    def _control(self, control: Record, depth: int) -> tuple[str, list[Item]]:
        """Inline text and blocks of one control; unknown controls (fields, page numbers) have none."""
        kind = ctrl_id(control.payload)
        if kind == "tbl ":
            return "", self._table(control, depth + 1)
        if kind == "gso ":  # drawing object: text boxes and captions become paragraphs
            return "", self._lists(control, depth + 1)
        if kind in ("fn  ", "en  "):
            self.notes.extend(as_body(self._lists(control, depth + 1), "note"))
        elif kind in ("head", "foot") and self.options.include_headers_footers:
            return "", as_body(self._lists(control, depth + 1), "header" if kind == "head" else "footer")
        elif kind == "tdut":  # 덧말: the main text lives in the control, not in the paragraph
            return _hwp_string(control.payload, 4), []
        return "", []

    def _lists(self, node: Record, depth: int) -> list[Item]:
        """Paragraph lists anywhere under a control (LIST_HEADER then its PARA_HEADERs)."""
        if depth > MAX_NESTING:
            raise CorruptDocument(self.name, f"objects are nested more than {MAX_NESTING} deep")
        items: list[Item] = []
        paragraphs: list[Record] = []
        for child in node.children:
            if child.tag == PARA_HEADER:
                paragraphs.append(child)
                continue
            items.extend(self.paragraphs(paragraphs, depth))
            paragraphs = []
            if child.tag != LIST_HEADER:
                items.extend(self._lists(child, depth + 1))
        items.extend(self.paragraphs(paragraphs, depth))
        return items

    def _table(self, control: Record, depth: int) -> list[Item]:
        caption: list[Record] = []
        cells: list[tuple[Record, list[Record]]] = []
        seen_table = False
        for child in control.children:
            if child.tag == TABLE:
                seen_table = True
            elif child.tag == LIST_HEADER and seen_table:
                cells.append((child, []))
            elif child.tag == PARA_HEADER:
                (cells[-1][1] if cells else caption).append(child)
        if len(cells) == 1:  # a frame round its content (frame_items)
            return as_body(self.paragraphs(caption, depth)) + frame_items(self.paragraphs(cells[0][1], depth))
        grid, heights = [], []
        for index, (header, paragraphs) in enumerate(cells):
            text = one_line(self.paragraphs(paragraphs, depth))
            if len(header.payload) >= 16:  # LIST_HEADER (8 bytes) then col, row, col span, row span
                col, row, col_span, row_span = struct.unpack_from("<4H", header.payload, 8)
                grid.append(Cell(row, col, text, row_span, col_span))
                if len(header.payload) >= 24:  # then the cell's width and height
                    heights.append((grid[-1], struct.unpack_from("<I", header.payload, 20)[0]))
            else:
                grid.append(Cell(0, index, text))
        items = as_body(self.paragraphs(caption, depth))
        layout = self._layout(control, depth, heights) if len(heights) == len(grid) else None
        if layout is not None:
            return items + table_items(grid, layout, self.pages, self._anchor[0], self._anchor[2])
        table = table_item(grid)
        return items + ([table] if table else [])

    def _layout(self, control: Record, depth: int, heights) -> TableLayout | None:
        """Where a table laid out in the text flow of a body paragraph sits (hwp_table_pages), or None.

        CTRL_HEADER of a table (spec 표 69, 70): object attributes (bit 0 글자처럼 취급, bits 3-4
        vertical reference: 2 = paragraph), vertical offset, width, height, then outer margins; TABLE
        (표 74, 75): attributes, bits 0-1 쪽 경계에서 나눔 (0 나누지 않음). HWP 5 keeps which rows are
        제목 줄 in a cell attribute not read here, so no header rows are repeated in the layout.
        """
        payload = control.payload
        table = control.first(TABLE)
        if depth != 1 or self._anchor is None or len(payload) < 36 or table is None or len(table.payload) < 4:
            return None
        attributes, offset, _, _, height = struct.unpack_from("<Iiiii", payload, 4)
        if attributes & 1:
            return None
        margins = struct.unpack_from("<2H", payload, 32)  # top, bottom (after left, right)
        return flow_layout(self._anchor[1], row_heights(heights), height, self.body_height, offset=offset,
                           from_paragraph=(attributes >> 3) & 3 == 2, margins=margins,
                           splits=struct.unpack_from("<I", table.payload, 0)[0] & 3 != 0, header_rows=0)


class _Controls:
    """A paragraph's CTRL_HEADERs, handed out in text order by the id each control mark names."""

    def __init__(self, controls: list[Record]) -> None:
        self._all = controls
        self._pending: dict[str, deque[Record]] = {}
        for control in controls:
            self._pending.setdefault(ctrl_id(control.payload), deque()).append(control)

    def take(self, wanted: str) -> Record | None:
        queue = self._pending.get(wanted)
        return queue.popleft() if queue else None

    def left_over(self) -> list[Record]:
        unused = {id(c) for queue in self._pending.values() for c in queue}
        return [c for c in self._all if id(c) in unused]


def _page_break(para: Record) -> bool:
    return len(para.payload) >= 12 and bool(para.payload[11] & _PAGE_BREAK)


def _body_height(records: list[Record]) -> int:
    """The text area's height from the section's PAGE_DEF (spec 표 131): paper less margins, header, footer."""
    stack = list(records)
    while stack:
        record = stack.pop(0)
        if record.tag == PAGE_DEF and len(record.payload) >= 40:
            _, height, _, _, top, bottom, header, footer, _, attributes = struct.unpack_from("<10I", record.payload, 0)
            if attributes & 1:  # 넓게 (landscape): which side is up is not checked
                return 0
            return max(0, height - top - bottom - header - footer)
        stack[:0] = record.children
    return 0


def _line_positions(para: Record) -> list[tuple[int, int]]:
    """(vertical, horizontal) position of each line segment of a paragraph (PARA_LINE_SEG, 36 bytes each)."""
    seg = para.first(PARA_LINE_SEG)
    if seg is None:
        return []
    payload = seg.payload
    return [struct.unpack_from("<i", payload, at + 4) + struct.unpack_from("<i", payload, at + 24)
            for at in range(0, len(payload) - 35, 36)]


def _hwp_string(payload: bytes, offset: int) -> str:
    if len(payload) < offset + 2:
        return ""
    length = int.from_bytes(payload[offset:offset + 2], "little")
    return payload[offset + 2:offset + 2 + 2 * length].decode("utf-16-le", errors="replace")


def _section_streams(ole: olefile.OleFileIO, storage: str) -> list[str]:
    numbered = []
    for path in ole.listdir(streams=True, storages=False):
        if len(path) == 2 and path[0] == storage and path[1].startswith("Section") and path[1][7:].isdigit():
            numbered.append((int(path[1][7:]), f"{storage}/{path[1]}"))
    return [stream for _, stream in sorted(numbered)]


def _read(ole: olefile.OleFileIO, stream: str, name: str) -> bytes:
    try:
        return ole.openstream(stream).read()
    except _OLE_ERRORS as err:
        raise CorruptDocument(name, f"cannot read the {stream} stream ({err})") from err


def load(data: bytes, name: str, options: LoadOptions) -> ParsedDocument:
    """Parse an HWP 5 document into blocks in reading order."""
    try:
        ole = olefile.OleFileIO(io.BytesIO(data))
    except _OLE_ERRORS as err:
        raise CorruptDocument(name, f"not a readable HWP file: broken OLE2 container ({err})") from err
    with ole:
        if not ole.exists("FileHeader"):
            raise CorruptDocument(name, "no FileHeader stream: not an HWP 5 document")
        header = parse_file_header(_read(ole, "FileHeader", name), name)
        budget = ByteBudget(options.max_unzipped_bytes, options.max_compression_ratio)

        def records(stream: str) -> list[Record]:
            raw = _read(ole, stream, name)
            encrypted = stream.startswith("ViewText/")
            if encrypted:
                raw = decrypt_view_text(raw, name, stream)
            elif len(raw) > budget.left:
                raise DocumentTooLarge(name, f"{stream} is over the size limit")
            if header.compressed:
                raw = inflate(raw, name, stream, budget)
            # Uncompressed ViewText may end in AES block padding; deflate would have stopped before it.
            return read_records(raw, name, stream, slack=15 if encrypted and not header.compressed else 0,
                                max_records=options.max_section_records)

        styles = parse_styles(records("DocInfo")) if ole.exists("DocInfo") else Styles()
        # 배포용 documents keep a "this is a distribution document" notice in BodyText.
        streams = _section_streams(ole, "ViewText" if header.distribution else "BodyText")
        if not streams:
            where = "ViewText" if header.distribution else "BodyText"
            raise CorruptDocument(name, f"no {where}/Section streams: the document body is missing")
        if len(streams) > options.max_pages:
            raise DocumentTooLarge(name, f"{len(streams)} sections (limit {options.max_pages})")
        outline = OutlineTracker()
        first_page = 1
        for stream in streams:
            # A section starts on a new page; its pages come from its layout records (PageCounter).
            tree = record_tree(records(stream))
            reader = SectionReader(name, styles, options, _body_height(tree.children))
            outline.add(reader.paragraphs(tree.children, 0) + reader.notes, page=first_page)
            first_page += reader.pages.pages
            log.debug("hwp %s: %s read, %d blocks so far", name, stream, len(outline.blocks))
    return ParsedDocument(name=name, format="hwp", blocks=tuple(outline.blocks), page_count=first_page - 1)
