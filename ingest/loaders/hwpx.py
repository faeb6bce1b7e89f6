"""HWPX (.hwpx, OWPML zip of XML) loader: sections of paragraphs, tables and text boxes as blocks.

Section order comes from the Contents/content.hpf spine. Namespace URIs differ between Hangul
versions (2011 /hwpml/2011/paragraph, 2016 ...), so elements are matched on local names only.
"""
from __future__ import annotations

import io
import re
import zlib

from lxml import etree

from ingest.archive import SafeZip
from ingest.errors import CorruptDocument, DocumentTooLarge, EncryptedDocument
from ingest.loaders.base import LoadOptions
from ingest.loaders.hwp_blocks import (Cell, Item, OutlineTracker, PageCounter, as_body, frame_items, on_page,
                                      one_line, paragraph_role, table_item, table_items)
from ingest.loaders.hwp_table_pages import TableLayout, flow_layout, next_line_top, row_heights
from ingest.xml_prolog import declares_dtd
from rag.model import BlockKind, ParsedDocument

CONTENT_HPF = "Contents/content.hpf"
HEADER_XML = "Contents/header.xml"
MANIFEST_XML = "META-INF/manifest.xml"
_SECTION = re.compile(r"(?:^|/)section(\d+)\.xml$", re.IGNORECASE)
MAX_NESTING = 32
_DTD_REASON = "{member} declares a DTD, which HWPX parts never do (entity-expansion guard)"
_NUMBERING = {"OUTLINE": "outline", "NUMBER": "number", "BULLET": "bullet"}
# Children of <hp:t> that stand for characters (HWP 5 writes them as control characters).
_T_MARKS = {"tab": "\t", "lineBreak": "\n", "nbSpace": " ", "fwSpace": " ", "hyphen": "-"}
# Run children that carry no readable body text: section/column settings, field and memo
# markers (a MEMO field holds its memo in a subList), equations (script source), form objects.
_SKIPPED = {"secPr", "colPr", "fieldBegin", "fieldEnd", "equation", "markpenBegin", "markpenEnd", "bookmark",
            "indexmark", "compose", "btn", "radioBtn", "checkBtn", "comboBox", "listBox", "edit", "scrollBar"}


def _local(element) -> str:
    tag = element.tag
    return tag.rpartition("}")[2] if isinstance(tag, str) else ""


def _children(element, local: str | None = None) -> list:
    """Element children (entities, comments and processing instructions left out)."""
    return [c for c in element if isinstance(c.tag, str) and (local is None or _local(c) == local)]


class _Package:
    """The zip and a hardened XML parser: no DTDs, entities or network, no huge trees."""

    def __init__(self, data: bytes, name: str, options: LoadOptions) -> None:
        self.name = name
        try:
            self.zip = SafeZip(data, name, options)
        except NotImplementedError as err:  # zipfile: unknown zip version or compression method
            raise CorruptDocument(name, f"the zip container uses a feature that cannot be read ({err})") from err
        self._parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False,
                                       remove_comments=True, remove_pis=True)

    def xml(self, member: str):
        try:
            raw = self.zip.read(member)
        except (zlib.error, NotImplementedError) as err:  # SafeZip passes these zipfile errors on as is
            raise CorruptDocument(self.name, f"cannot inflate part {member!r} ({err})") from err
        # OWPML parts never declare a DTD; one that does is malformed or an entity-expansion attack.
        # Refused up front (the parser would not expand entities anyway) so the reason is plain.
        if declares_dtd(io.BytesIO(raw)):  # the whole prologue: 70 KB of comment does not hide it
            raise CorruptDocument(self.name, _DTD_REASON.format(member=member))
        try:
            root = etree.fromstring(raw, self._parser)
        except etree.XMLSyntaxError as err:
            raise CorruptDocument(self.name, f"{member} is not well-formed XML ({err})") from err
        if root is None:
            raise CorruptDocument(self.name, f"{member} is empty")
        if root.getroottree().docinfo.internalDTD is not None:  # a DTD the byte check missed (UTF-16)
            raise CorruptDocument(self.name, _DTD_REASON.format(member=member))
        return root

    def section_members(self) -> list[str]:
        """Section parts in spine order, or by number when the manifest is missing or unhelpful."""
        members: list[str] = []
        if self.zip.has(CONTENT_HPF):
            package = self.xml(CONTENT_HPF)
            hrefs = {item.get("id"): item.get("href", "") for item in package.iter("{*}item")}
            for ref in package.iter("{*}itemref"):
                href = hrefs.get(ref.get("idref"), "")
                for member in (href, f"Contents/{href}"):
                    if _SECTION.search(member) and self.zip.has(member) and member not in members:
                        members.append(member)
                        break
        if not members:
            numbered = [(int(m.group(1)), n) for n in self.zip.names()
                        if n.startswith("Contents/") and (m := _SECTION.search(n))]
            members = [n for _, n in sorted(numbered)]
        return members

    def check_not_encrypted(self) -> None:
        if self.zip.has(MANIFEST_XML):
            manifest = self.xml(MANIFEST_XML)
            if any(_local(e) == "encryption-data" for e in manifest.iter()):
                raise EncryptedDocument(
                    self.name, "the HWPX file is password-protected; open it in Hangul, remove the password and retry")


class _Styles:
    """Style names and paragraph-shape numbering from Contents/header.xml, by id."""

    def __init__(self, header) -> None:
        self.names: dict[str, str] = {}
        self.numbering: dict[str, tuple[str | None, int]] = {}
        if header is None:
            return
        for style in header.iter("{*}style"):
            self.names[style.get("id", "")] = style.get("name", "")
        for shape in header.iter("{*}paraPr"):
            heading = shape.find("{*}heading")
            if heading is not None and shape.get("id") is not None:
                level = heading.get("level", "0")
                self.numbering[shape.get("id")] = (_NUMBERING.get(heading.get("type", "")),
                                                   int(level) if level.isdigit() else 0)

    def role(self, paragraph) -> tuple[BlockKind, int]:
        style = self.names.get(paragraph.get("styleIDRef", ""), "")
        numbering, level = self.numbering.get(paragraph.get("paraPrIDRef", ""), (None, 0))
        return paragraph_role(style, numbering, level)


def _t_text(t) -> str:
    """Text of <hp:t>, whose children (tab, lineBreak, ...) stand for characters and carry tails."""
    parts = [t.text or ""]
    for child in t:
        parts.append(_T_MARKS.get(_local(child), ""))
        parts.append(child.tail or "")
    return "".join(parts)


class _SectionReader:
    """Walks one section's XML into items; footnotes and endnotes wait in `notes`."""

    def __init__(self, name: str, styles: _Styles, options: LoadOptions, body_height: int = 0) -> None:
        self.name = name
        self.styles = styles
        self.options = options
        self.notes: list[Item] = []
        self.pages = PageCounter()
        self.body_height = body_height  # the page's text area (HWPUNIT), 0 when the section does not say
        # (page, vertpos) of the body paragraph being read, and the first vertpos after it (next_line_top)
        self._anchor: tuple[int, int, int | None] | None = None

    def paragraphs(self, parent, depth: int) -> list[Item]:
        if depth > MAX_NESTING:
            raise CorruptDocument(self.name, f"objects are nested more than {MAX_NESTING} deep")
        items: list[Item] = []
        body = _children(parent, "p")
        for index, paragraph in enumerate(body):
            if depth > 0:
                items.extend(self._paragraph(paragraph, depth))
                continue
            # A body paragraph: its page from hp:linesegarray and pageBreak; notes it holds start there too.
            lines = _line_positions(paragraph)
            page = self.pages.paragraph(paragraph.get("pageBreak") == "1", lines)
            self._anchor = (page, lines[0][0], next_line_top(
                (p.get("pageBreak") == "1", _line_positions(p)) for p in body[index + 1:])) if lines else None
            notes = len(self.notes)
            items.extend(on_page(self._paragraph(paragraph, depth), page))
            self.notes[notes:] = on_page(self.notes[notes:], page)
        return items

    def _paragraph(self, paragraph, depth: int) -> list[Item]:
        kind, level = self.styles.role(paragraph)
        items: list[Item] = []
        buffer: list[str] = []

        def flush() -> None:
            if "".join(buffer).strip():
                items.append(Item("".join(buffer), kind, level))
            buffer.clear()

        for run in _children(paragraph, "run"):
            for child in _run_children(run):
                local = _local(child)
                if local == "t":
                    buffer.append(_t_text(child))
                elif local == "ctrl":
                    for control in _children(child):
                        blocks = self._control(control, depth + 1)
                        if blocks:
                            flush()
                            items.extend(blocks)
                elif local == "dutmal":  # 덧말: the main text is what the reader sees in the line
                    buffer.append("".join(_t_text(m) for m in _children(child, "mainText")))
                elif local == "tbl":
                    flush()
                    items.extend(self._table(child, depth + 1))
                elif local not in _SKIPPED:  # drawing objects: text boxes and captions
                    blocks = self._lists(child, depth + 1)
                    if blocks:
                        flush()
                        items.extend(blocks)
        flush()
        return items

    def _control(self, control, depth: int) -> list[Item]:
        local = _local(control)
        if local in ("footNote", "endNote"):
            self.notes.extend(as_body(self._lists(control, depth), "note"))
        elif local in ("header", "footer") and self.options.include_headers_footers:
            return as_body(self._lists(control, depth), local)
        return []

    def _lists(self, element, depth: int) -> list[Item]:
        """Paragraphs of every subList under a drawing object or control, in document order."""
        if depth > MAX_NESTING:
            raise CorruptDocument(self.name, f"objects are nested more than {MAX_NESTING} deep")
        items: list[Item] = []
        for child in _children(element):
            local = _local(child)
            if local == "subList":
                items.extend(self.paragraphs(child, depth))
            elif local == "tbl":
                items.extend(self._table(child, depth + 1))
            elif local not in _SKIPPED:
                items.extend(self._lists(child, depth + 1))
        return items

    def _table(self, table, depth: int) -> list[Item]:
        caption: list[Item] = []
        for element in _children(table, "caption"):
            caption.extend(as_body(self._lists(element, depth)))
        rows = _children(table, "tr")
        if len(rows) == 1 and len(_children(rows[0], "tc")) == 1:  # a frame round its content (frame_items)
            cell = _children(rows[0], "tc")[0]
            return caption + frame_items([i for s in _children(cell, "subList") for i in self.paragraphs(s, depth)])
        cells, heights, header_rows = [], [], None
        for row_index, row in enumerate(rows):
            for col_index, cell in enumerate(_children(row, "tc")):
                text = one_line([i for s in _children(cell, "subList") for i in self.paragraphs(s, depth)])
                address = cell.find("{*}cellAddr")
                span = cell.find("{*}cellSpan")
                row_at = _int(address, "rowAddr", row_index)
                col_at = _int(address, "colAddr", col_index)
                cells.append(Cell(row_at, col_at, text, _int(span, "rowSpan", 1), _int(span, "colSpan", 1)))
                heights.append((cells[-1], _int(cell.find("{*}cellSz"), "height", 0)))
                if cell.get("header") != "1" and header_rows is None:
                    header_rows = row_at  # header rows: the leading rows whose cells are all 제목 셀
        layout = self._layout(table, depth, heights, header_rows or 0)
        return caption + (table_items(cells, layout, self.pages, self._anchor[0], self._anchor[2]) if layout else
                          [grid] if (grid := table_item(cells)) else [])

    def _layout(self, table, depth: int, heights, header_rows: int) -> TableLayout | None:
        """Where a table laid out in the text flow of a body paragraph sits (hwp_table_pages), or None."""
        pos = table.find("{*}pos")
        if depth != 1 or self._anchor is None or pos is None or pos.get("treatAsChar") != "0":
            return None
        margin = table.find("{*}outMargin")
        return flow_layout(self._anchor[1], row_heights(heights), _int(table.find("{*}sz"), "height", 0), self.body_height,
                           offset=_int(pos, "vertOffset", 0), from_paragraph=pos.get("vertRelTo", "PARA") == "PARA",
                           margins=(_int(margin, "top", 0), _int(margin, "bottom", 0)),
                           splits=table.get("pageBreak") != "NONE",
                           header_rows=header_rows if table.get("repeatHeader") == "1" else 0)


def _run_children(run) -> list:
    """A run's children, taking the fallback branch of <hp:switch> (newer features, older form)."""
    out = []
    for child in _children(run):
        if _local(child) == "switch":
            branch = next(iter(_children(child, "default")), None)
            if branch is None:
                branch = next(iter(_children(child, "case")), None)
            out.extend(_children(branch) if branch is not None else [])
        else:
            out.append(child)
    return out


def _line_positions(paragraph) -> list[tuple[int, int]]:
    """(vertpos, horzpos) of a paragraph's own hp:lineseg entries, in order."""
    positions = []
    for array in _children(paragraph, "linesegarray"):
        for seg in _children(array, "lineseg"):
            positions.append((_int(seg, "vertpos", 0), _int(seg, "horzpos", 0)))
    return positions


def _body_height(section) -> int:
    """The text area's height of the section's pages (hp:pagePr less its margins), 0 when not given."""
    page = next(section.iter("{*}pagePr"), None)
    margin = page.find("{*}margin") if page is not None else None
    if page is None or margin is None:
        return 0
    if page.get("landscape") == "NARROWLY":  # a turned sheet (HWP 5's 넓게): which side is up is not checked
        return 0
    height = _int(page, "height", 0)
    return max(0, height - sum(_int(margin, side, 0) for side in ("top", "bottom", "header", "footer")))


def _int(element, attribute: str, default: int) -> int:
    value = element.get(attribute, "") if element is not None else ""
    return int(value) if value.isdigit() else default


def load(data: bytes, name: str, options: LoadOptions) -> ParsedDocument:
    """Parse an HWPX document into blocks in reading order."""
    package = _Package(data, name, options)
    package.check_not_encrypted()
    sections = package.section_members()
    if not sections:
        raise CorruptDocument(name, "no Contents/section*.xml part: the document body is missing")
    if len(sections) > options.max_pages:
        raise DocumentTooLarge(name, f"{len(sections)} sections (limit {options.max_pages})")
    styles = _Styles(package.xml(HEADER_XML) if package.zip.has(HEADER_XML) else None)
    outline = OutlineTracker()
    first_page = 1
    for member in sections:
        # A section starts on a new page; its pages come from its layout records (PageCounter).
        section = package.xml(member)
        reader = _SectionReader(name, styles, options, _body_height(section))
        outline.add(reader.paragraphs(section, 0) + reader.notes, page=first_page)
        first_page += reader.pages.pages
    return ParsedDocument(name=name, format="hwpx", blocks=tuple(outline.blocks), page_count=first_page - 1)
