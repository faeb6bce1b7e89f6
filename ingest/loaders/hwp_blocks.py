"""What the HWP 5 and HWPX loaders share once a file is parsed: paragraph roles from styles and
outline numbering, table grids from addressed cells, and heading paths across sections.

Both formats describe the same Hangul document model, so one set of rules keeps the two in step
(the same document saved as .hwp and .hwpx yields the same blocks).
"""
from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass

from ingest.loaders.hwp_table_pages import END_TOLERANCE, TableLayout, confirmed, row_pages, split_by_page
from ingest.structure_tables import Cell, render_table
from rag.model import Block, BlockKind

__all__ = ["Cell", "Item", "OutlineTracker", "PageCounter", "as_body", "frame_items", "one_line", "on_page", "paragraph_role", "table_item",
           "table_items"]

# Hangul's built-in heading styles are 개요 1..10 ("Outline N"); imported Word files bring 제목 N.
_NUMBERED_HEADING_STYLE = re.compile(r"^(?:개요|제목|outline|heading)\s*(\d{1,2})$", re.IGNORECASE)
_TITLE_STYLES = {"제목", "title"}
MAX_HEADING_CHARS = 200  # a longer "heading" is body text that happens to use an outline style


@dataclass(frozen=True)
class Item:
    """A block before its page and heading path are known."""

    text: str
    kind: BlockKind = "paragraph"
    level: int = 0  # heading level, 1 = top
    rows: tuple[tuple[str, ...], ...] | None = None
    page: int | None = None  # page within its section (PageCounter), 1-based


# A line that starts higher than the one before and this much further right is in the next column of
# the same page; less is an indent (basicsReport.hwp's 차례 page starts 2125 units in, and Hangul's own
# page count in its summary, 6, holds only if that counts as a new page).
COLUMN_SHIFT = 10_000  # HWPUNIT, 3.5 cm: a third of an A4 text area's width


class PageCounter:
    """Pages of one section from the layout Hangul saved with it (HWP 5 PARA_LINE_SEG, HWPX hp:lineseg).

    Each line segment records its vertical position on the page; a body paragraph whose lines start
    higher than the previous line (and not in a column further right, COLUMN_SHIFT) has moved to a new page. An
    explicit page break on the paragraph counts too. Only the section's own paragraphs count: lines
    inside table cells and text boxes are positioned within their cell.
    """

    def __init__(self) -> None:
        self.page = 1
        self._last: tuple[int, int] | None = None  # (vertical, horizontal) position of the last line
        self._started = False
        self._table_end: tuple[int, int, int] | None = None  # (page, vertical position, tolerance)

    def table_ends(self, page: int, vertical: int, tolerance: int) -> None:
        """A table above, laid out over pages (hwp_table_pages), ends on `page` at `vertical`."""
        self._table_end = (page, vertical, tolerance)

    @property
    def pages(self) -> int:
        """Pages of the section so far, a table that ends it on a later page included."""
        return max(self.page, self._table_end[0] if self._table_end else 0)

    def paragraph(self, page_break: bool, lines: list[tuple[int, int]]) -> int:
        """The page this paragraph starts on; `lines` are its line segments' (vertpos, horzpos)."""
        if self._table_end is not None and lines:
            # The paragraph after a table that crossed a page end: it starts on the table's last page if
            # its first line is where the table ends, or higher than the line before (a page turned);
            # else the table's computed layout was wrong and the lines alone decide, as elsewhere.
            page, end, tolerance = self._table_end
            self._table_end = None
            vertical = lines[0][0]
            if page > self.page and (self._last is None or vertical < self._last[0] or abs(vertical - end) <= tolerance):
                self.page, self._last = page, None
        if page_break and self._started:
            self.page += 1
            self._last = None
        start = None
        for vertical, horizontal in lines:
            if self._last is not None and vertical < self._last[0] and horizontal < self._last[1] + COLUMN_SHIFT:
                self.page += 1
            self._last = (vertical, horizontal)
            if start is None:
                start = self.page
        self._started = True
        return start if start is not None else self.page


def paragraph_role(style_name: str, numbering: str | None, level: int) -> tuple[BlockKind, int]:
    """Kind and heading level of a paragraph from its style name and paragraph-shape numbering.

    `numbering` is "outline", "number", "bullet" or None; `level` is the 0-based numbering level.
    """
    # Bullets and numbers on the paragraph shape win: authors reuse 개요 styles for bullet points.
    if numbering in ("number", "bullet"):
        return "list", 0
    style = style_name.strip()
    match = _NUMBERED_HEADING_STYLE.match(style)
    if match:
        return "heading", max(1, int(match.group(1)))
    if style.lower() in _TITLE_STYLES:
        return "heading", 1
    if numbering == "outline":
        return "heading", level + 1
    return "paragraph", 0


def as_body(items: list[Item], kind: BlockKind = "paragraph") -> list[Item]:
    """Demote headings (inside cells, notes, headers) to `kind`: they must not reset the outline."""
    return [Item(i.text, kind, rows=i.rows) if i.kind in ("heading", "paragraph") else i for i in items]


def one_line(items: list[Item]) -> str:
    """The text of some blocks as one line (a table cell's content)."""
    return " ".join(" ".join(item.text.split()) for item in items if item.text.strip())


def frame_items(items: list[Item]) -> list[Item]:
    """The content of a one-cell table: a box drawn round paragraphs (a 공문's signature block, a 공고's
    "< 모집 개요 >" box), not a grid, so its paragraphs and nested tables stay blocks of their own."""
    return as_body(items)


def table_item(cells: list[Cell], page: int | None = None) -> Item | None:
    """One table (or fill-in form) block from addressed cells; see ingest.structure_tables."""
    table = render_table(cells)
    if table is None:
        return None
    return Item(table.text, table.kind, rows=table.rows, page=page)


def table_items(cells: list[Cell], layout: TableLayout, pages: PageCounter, anchor_page: int,
                next_top: int | None) -> list[Item]:
    """A table laid out in the text flow (hwp_table_pages): one block per page it is on, each stamped
    with its page, when the next paragraph's saved position confirms the layout; the page counter then
    continues from the table's last page. Otherwise one block, stamped with its anchor's page."""
    offsets, end = row_pages(layout)
    if not offsets or max(offsets) == 0 or not confirmed(end, next_top, layout.body_height):
        item = table_item(cells)
        return [item] if item else []
    pages.table_ends(anchor_page + offsets[-1], end, int(END_TOLERANCE * layout.body_height))
    parts = (table_item(part, anchor_page + offset) for offset, part in split_by_page(cells, offsets, layout.header_rows))
    return [item for item in parts if item is not None]


class OutlineTracker:
    """Turns items into blocks, carrying the open headings (and so `heading_path`) across sections."""

    def __init__(self) -> None:
        self._open: list[tuple[int, str]] = []
        self.blocks: list[Block] = []

    def add(self, items: list[Item], page: int) -> None:
        """Blocks of one section's items; `page` is the section's first page (items carry theirs within)."""
        for item in items:
            if not item.text.strip():
                continue
            kind = item.kind
            if kind == "heading":
                title = " ".join(item.text.split())
                if len(title) <= MAX_HEADING_CHARS:
                    while self._open and self._open[-1][0] >= item.level:
                        self._open.pop()
                    self._open.append((item.level, title))
                else:
                    kind = "paragraph"
            path = tuple(title for _, title in self._open)
            at = page + (item.page - 1 if item.page else 0)
            self.blocks.append(Block(text=item.text, kind=kind, page=at, heading_path=path, rows=item.rows))


def on_page(items: list[Item], page: int) -> list[Item]:
    """Items stamped with the page they start on (those already stamped keep theirs)."""
    return [i if i.page is not None else dataclasses.replace(i, page=page) for i in items]
