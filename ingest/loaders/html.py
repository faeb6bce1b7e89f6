"""HTML loader (BeautifulSoup + lxml): headings, paragraphs, list items and tables in order.

Navigation, headers and footers are kept: on saved intranet pages and 공지 pages they often hold
the department, date or contact a question asks about. Only non-content markup is dropped.
"""
from __future__ import annotations

import codecs
import re

from bs4 import BeautifulSoup, CData, NavigableString, Tag

from ingest.encoding import decode_text
from ingest.errors import CorruptDocument
from ingest.loaders.base import LoadOptions
from ingest.structure_tables import cells_from_rows, render_table
from rag.model import Block, ParsedDocument

_DROP = ("script", "style", "noscript", "template", "head")  # head: only <title> matters, read first
_HEADINGS = {f"h{n}": n for n in range(1, 7)}
# Elements whose whole text is one paragraph (block children inside them are rare).
_LEAVES = {"p", "pre", "dt", "dd", "caption", "figcaption", "address", "summary", "legend", "textarea"}
_LISTS = {"ul", "ol", "menu"}
_CONTAINERS = {
    "html", "body", "div", "section", "article", "main", "aside", "header", "footer", "nav", "form",
    "fieldset", "figure", "details", "blockquote", "center", "dl", "hgroup", "search", "li", "td", "th",
}
_BLOCK_TAGS = set(_HEADINGS) | _LEAVES | _LISTS | _CONTAINERS | {"table", "br", "hr", "tr"}
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_\-:.]+)""", re.IGNORECASE)
_SPACE = re.compile(r"[ \t\r\n\f]+")


def load(data: bytes, name: str, options: LoadOptions) -> ParsedDocument:
    """Parse an HTML page into blocks; the `<title>` becomes the document title."""
    text = decode_html(data, name)
    try:
        soup = BeautifulSoup(text, "lxml")
    except Exception as err:  # noqa: BLE001 - lxml's HTML parser rarely fails; when it does the cause varies
        raise CorruptDocument(name, f"the HTML cannot be parsed ({type(err).__name__}: {err})") from err
    title_tag = soup.find("title")
    title = " ".join(title_tag.get_text().split()) if title_tag else ""
    for tag in soup.find_all(list(_DROP)):
        tag.decompose()
    walker = _Walker()
    warnings: tuple[str, ...] = ()
    try:
        walker.walk(soup.body or soup)
        blocks = walker.blocks
    except RecursionError:
        # Elements nested thousands deep (unclosed <div>s from a generator, or an attack) are deeper
        # than the walk can recurse; the text is still worth keeping, without the structure.
        blocks = _flat_blocks(soup.body or soup)
        warnings = ("elements are nested too deeply to read the page structure; its text was kept line by line",)
    return ParsedDocument(name=name, format="html", blocks=tuple(blocks), title=title or None, warnings=warnings)


def _flat_blocks(root: Tag) -> list[Block]:
    """One paragraph per line of text, in document order (no recursion: `get_text` iterates)."""
    lines = (_SPACE.sub(" ", line).strip() for line in root.get_text("\n").split("\n"))
    return [Block(text=line) for line in lines if line]


def decode_html(data: bytes, name: str) -> str:
    """Decode with the page's own `<meta charset>` when it names a codec that fits; else guess."""
    if not data.startswith((codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        match = _META_CHARSET.search(data[:4096])
        if match:
            label = match.group(1).decode("ascii").lower()
            # Pages labelled EUC-KR (or KS_C_5601-1987) are written by Windows tools in CP949.
            if label in ("euc-kr", "euc_kr", "ks_c_5601-1987", "ksc5601", "korean", "x-windows-949", "windows-949"):
                label = "cp949"
            try:
                return data.decode(label)
            except (LookupError, UnicodeDecodeError):
                pass  # a wrong or unknown label: fall back to detection
    return decode_text(data, name)


class _Walker:
    """Depth-first walk that buffers inline text and emits a block at each block boundary."""

    def __init__(self) -> None:
        self.blocks: list[Block] = []
        self._headings: list[tuple[int, str]] = []
        self._inline: list[str] = []

    @property
    def _path(self) -> tuple[str, ...]:
        return tuple(text for _, text in self._headings)

    def walk(self, node: Tag) -> None:
        for child in node.children:
            if isinstance(child, NavigableString):
                if type(child) is NavigableString or isinstance(child, CData):  # not comments, doctypes
                    self._inline.append(_SPACE.sub(" ", str(child)))
            elif isinstance(child, Tag):
                self._element(child)
        if node.name in _CONTAINERS or node.name is None or node.name == "[document]":
            self._flush()

    def _element(self, tag: Tag) -> None:
        name = tag.name
        if name == "br":
            self._inline.append("\n")
        elif name in _HEADINGS:
            self._flush()
            text = inline_text(tag)
            if text:
                level = _HEADINGS[name]
                while self._headings and self._headings[-1][0] >= level:
                    self._headings.pop()
                self._headings.append((level, " ".join(text.split())))
                self.blocks.append(Block(text=text, kind="heading", heading_path=self._path))
        elif name == "table":
            self._flush()
            self._table(tag)
        elif name in _LISTS:
            self._flush()
            for item in tag.find_all("li", recursive=False) or [tag]:
                self._list_item(item)
        elif name in _LEAVES:
            self._flush()
            text = tag.get_text() if name == "pre" else inline_text(tag)
            self._emit(text, "paragraph")
        elif name in _CONTAINERS or name == "hr":
            self._flush()
            if name != "hr":
                self.walk(tag)
        elif tag.find(list(_BLOCK_TAGS)):  # an inline element wrapping blocks (<a><div>..</div></a>)
            self.walk(tag)
        else:
            self._inline.append(inline_text(tag, collapse=False))

    def _list_item(self, item: Tag) -> None:
        nested = [child for child in item.find_all(list(_LISTS) + ["table"], recursive=False)]
        for child in nested:
            child.extract()  # nested lists become list blocks of their own, after this item
        self._flush()
        walker = _Walker()
        walker._headings = self._headings
        walker.walk(item)
        for block in walker.blocks:
            kind = "list" if block.kind == "paragraph" else block.kind
            self.blocks.append(Block(text=block.text, kind=kind, heading_path=self._path, rows=block.rows))
        for child in nested:
            self._element(child)

    def _table(self, table: Tag) -> None:
        rows: list[tuple[str, ...]] = []
        for tr in table.find_all("tr"):
            if tr.find_parent("table") is not table:
                continue  # a nested table's rows belong to the cell that holds it
            rows.append(tuple(" ".join(inline_text(c).split()) for c in tr.find_all(("td", "th"), recursive=False)))
        rendered = render_table(cells_from_rows(rows))
        if rendered is not None:
            self.blocks.append(Block(text=rendered.text, kind=rendered.kind, heading_path=self._path,
                                     rows=rendered.rows))

    def _emit(self, text: str, kind: str) -> None:
        text = "\n".join(line.strip() for line in text.split("\n")).strip()
        if text:
            self.blocks.append(Block(text=text, kind=kind, heading_path=self._path))

    def _flush(self) -> None:
        if self._inline:
            self._emit("".join(self._inline), "paragraph")
            self._inline = []


def inline_text(tag: Tag, collapse: bool = True) -> str:
    """Text of `tag` with whitespace runs collapsed and `<br>` kept as a line break."""
    parts: list[str] = []
    for node in tag.descendants:
        if isinstance(node, Tag):
            if node.name == "br":
                parts.append("\n")
            elif node.name in ("p", "div", "li", "tr") and parts:
                parts.append("\n")
        elif type(node) is NavigableString or isinstance(node, CData):
            parts.append(_SPACE.sub(" ", str(node)))
    text = "".join(parts)
    return text.strip() if collapse else text
