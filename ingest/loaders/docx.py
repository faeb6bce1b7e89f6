"""DOCX loader (python-docx): body paragraphs and tables in document order, with headings.

Paragraph text is read from the XML rather than `Paragraph.text`, which skips tracked insertions
(`w:ins`), inline content controls (`w:sdt`) and text boxes: all common in Korean office files.
"""
from __future__ import annotations

import dataclasses
import io
import re
from collections.abc import Iterator

import docx
from docx.oxml.ns import qn
from docx.table import Table
from docx.text.paragraph import Paragraph
from lxml import etree

from ingest.archive import SafeZip
from ingest.errors import CorruptDocument
from ingest.loaders.base import LoadOptions
from ingest.structure_tables import Cell, render_table
from rag.model import Block, ParsedDocument

_MC_FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"
_P, _TBL, _SDT, _SDT_CONTENT = qn("w:p"), qn("w:tbl"), qn("w:sdt"), qn("w:sdtContent")
_TXBX = qn("w:txbxContent")
_TEXT_TAGS = {qn("w:t"): None, qn("w:tab"): "\t", qn("w:br"): "\n", qn("w:cr"): "\n", qn("w:noBreakHyphen"): "-"}
# Built-in heading styles are stored as "heading 1" and shown localised ("Heading 1", "제목 1").
_HEADING_STYLE = re.compile(r"^(?:heading|제목)\s*(\d)$", re.IGNORECASE)
_TITLE_STYLES = {"title", "제목"}


class _Headings:
    """The stack of open headings; `path` is what a block under them carries."""

    def __init__(self) -> None:
        self._stack: list[tuple[int, str]] = []

    def enter(self, level: int, text: str) -> None:
        while self._stack and self._stack[-1][0] >= level:
            self._stack.pop()
        self._stack.append((level, text))

    @property
    def path(self) -> tuple[str, ...]:
        return tuple(text for _, text in self._stack)


def load(data: bytes, name: str, options: LoadOptions) -> ParsedDocument:
    """Parse a DOCX into heading, paragraph, list and table blocks in reading order."""
    # zip-bomb, encryption and DTD checks before python-docx inflates anything
    SafeZip(data, name, options).refuse_dtds()
    try:
        document = docx.Document(io.BytesIO(data))
        body = document.element.body
    except Exception as err:  # noqa: BLE001 - python-docx surfaces lxml, zip and key errors alike
        raise CorruptDocument(name, f"broken DOCX ({type(err).__name__}: {err}); open and re-save it in Word") from err
    headings = _Headings()
    try:
        blocks = list(_blocks(body, document._body, headings))
        if options.include_headers_footers:
            top, bottom = _headers_footers(document)
            blocks = _as_kind(top, "header") + blocks + _as_kind(bottom, "footer")
    except (etree.LxmlError, ValueError, KeyError, AttributeError, IndexError) as err:
        raise CorruptDocument(name, f"unexpected DOCX structure ({type(err).__name__}: {err}); re-save it in Word") from err
    title = (document.core_properties.title or "").strip() or None
    return ParsedDocument(name=name, format="docx", blocks=tuple(blocks), title=title)


def _blocks(container: etree._Element, parent: object, headings: _Headings) -> Iterator[Block]:
    """Walk the block-level children of a body, cell, text box or header in XML order."""
    for child in container.iterchildren():
        if child.tag == _P:
            yield from _paragraph_blocks(child, parent, headings)
        elif child.tag == _TBL:
            block = _table_block(Table(child, parent), headings.path)
            if block is not None:
                yield block
        elif child.tag == _SDT:  # block-level content control (tables of contents, form fields)
            content = child.find(_SDT_CONTENT)
            if content is not None:
                yield from _blocks(content, parent, headings)


def _paragraph_blocks(p: etree._Element, parent: object, headings: _Headings) -> Iterator[Block]:
    paragraph = Paragraph(p, parent)
    text = paragraph_text(p).strip()
    if text:
        level = _heading_level(paragraph)
        if level is not None:
            headings.enter(level, " ".join(text.split()))
            yield Block(text=text, kind="heading", heading_path=headings.path)
        else:
            kind = "list" if _is_list(paragraph) else "paragraph"
            yield Block(text=text, kind=kind, heading_path=headings.path)
    for box in _text_boxes(p):
        yield from _blocks(box, parent, headings)


def paragraph_text(p: etree._Element) -> str:
    """Visible text of a `w:p`: runs, hyperlinks, insertions, fields; not deleted text or text boxes."""
    parts: list[str] = []

    def walk(el: etree._Element) -> None:
        for child in el.iterchildren():
            if child.tag in (_TXBX, _MC_FALLBACK, _P, _TBL):
                continue  # text boxes become blocks of their own; Fallback duplicates Choice
            if child.tag in _TEXT_TAGS:
                replacement = _TEXT_TAGS[child.tag]
                parts.append((child.text or "") if replacement is None else replacement)
            else:
                walk(child)

    walk(p)
    return "".join(parts)


def _text_boxes(p: etree._Element) -> Iterator[etree._Element]:
    """Outermost text boxes anchored in `p` (skipping the VML copy under mc:Fallback)."""
    stack = list(p.iterchildren())
    while stack:
        el = stack.pop(0)
        if el.tag == _TXBX:
            yield el
        elif el.tag != _MC_FALLBACK:
            stack[0:0] = list(el.iterchildren())


def _heading_level(paragraph: Paragraph) -> int | None:
    outline = paragraph._p.find(f"{qn('w:pPr')}/{qn('w:outlineLvl')}")
    for style in _style_chain(paragraph):
        if outline is not None:
            break
        match = _HEADING_STYLE.match((style.name or "").strip())
        if match:
            return int(match.group(1))
        if (style.name or "").strip().lower() in _TITLE_STYLES:
            return 0
        outline = style.element.find(f"{qn('w:pPr')}/{qn('w:outlineLvl')}")
    if outline is None:
        return None
    value = outline.get(qn("w:val"), "9")
    # Outline level 9 is "body text"; 0..8 are heading levels 1..9.
    return int(value) + 1 if value.isdigit() and int(value) < 9 else None


def _is_list(paragraph: Paragraph) -> bool:
    num_id = paragraph._p.find(f"{qn('w:pPr')}/{qn('w:numPr')}/{qn('w:numId')}")
    if num_id is not None:
        return num_id.get(qn("w:val")) != "0"  # numId 0 switches numbering off
    for style in _style_chain(paragraph):
        name = (style.name or "").lower()
        if "list" in name or name.startswith("목록"):
            return True
        if style.element.find(f"{qn('w:pPr')}/{qn('w:numPr')}") is not None:
            return True
    return False


def _style_chain(paragraph: Paragraph) -> Iterator[object]:
    """The paragraph's style and the styles it is based on; stops on a `basedOn` cycle."""
    style = paragraph.style
    seen: set[str] = set()
    while style is not None and style.style_id not in seen and len(seen) < 20:
        seen.add(style.style_id)
        yield style
        style = style.base_style


def _table_block(table: Table, heading_path: tuple[str, ...]) -> Block | None:
    cells: list[Cell] = []
    tcs: list[etree._Element] = []
    seen: dict[int, etree._Element] = {}  # holding the elements keeps their ids from being reused
    for r, row in enumerate(table.rows):
        for c, cell in enumerate(row.cells):
            # row.cells repeats a merged cell in every grid slot it covers: across (gridSpan) and
            # down (vMerge continues the cell above). It appears once, at its first slot.
            if id(cell._tc) in seen:
                if cells and cells[-1].row == r and tcs[-1] is cell._tc:  # gridSpan: widen the anchor
                    cells[-1] = dataclasses.replace(cells[-1], col_span=cells[-1].col_span + 1)
                continue
            seen[id(cell._tc)] = cell._tc
            cells.append(Cell(r, c, _cell_text(cell._tc, table)))
            tcs.append(cell._tc)
    rendered = render_table(cells)
    if rendered is None:
        return None
    return Block(text=rendered.text, kind=rendered.kind, heading_path=heading_path, rows=rendered.rows)


def _cell_text(tc: etree._Element, table: Table) -> str:
    """A cell's paragraphs and nested tables on one line, so each row stays one line of text."""
    parts = [block.text for block in _blocks(tc, table, _Headings())]
    return " ".join(" ".join(parts).split())


def _as_kind(blocks: list[Block], kind: str) -> list[Block]:
    """Page header or footer text as that kind (tables and forms keep theirs)."""
    return [b if b.kind in ("table", "form") else dataclasses.replace(b, kind=kind) for b in blocks]


def _headers_footers(document: docx.document.Document) -> tuple[list[Block], list[Block]]:
    """Page headers and footers of every section, each distinct text once."""
    seen: set[str] = set()
    top: list[Block] = []
    bottom: list[Block] = []
    for section in document.sections:
        for target, parts in ((top, (section.first_page_header, section.header, section.even_page_header)),
                              (bottom, (section.first_page_footer, section.footer, section.even_page_footer))):
            for part in parts:
                if part.is_linked_to_previous:
                    continue  # no definition of its own: reading `_element` would create one
                for block in _blocks(part._element, part, _Headings()):
                    if block.text not in seen:
                        seen.add(block.text)
                        target.append(block)
    return top, bottom
