"""Which page each row of an HWP 5 / HWPX table is on, from the sizes Hangul saved with it.

Line segments inside cells are positioned within their cell, so a table that crosses a page end
says so only through its geometry: where it starts on its anchor paragraph's page, each row's height
(the cells' saved heights), the page's text area, and whether it may be split (쪽 경계에서 나눔 /
셀 단위로 나눔, with the header rows repeated on every page) or moves whole (나누지 않음). Only tables
laid out in the text flow are paged this way; a table set "like a character" (글자처럼 취급) sits in
its line and keeps its anchor's page.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ingest.structure_tables import Cell

END_TOLERANCE = 0.02  # of the text area: how far the next paragraph may start from the table's computed end
SECTION_END = -1  # next_line_top when nothing follows the table in its section


def next_line_top(following) -> int | None:
    """Where the next body paragraph's first line is, from (page break?, [(vertpos, horzpos)…]) of the
    paragraphs after a table's anchor: SECTION_END when none has lines, None when a page break comes
    first (a break says nothing about where the table ended)."""
    for page_break, lines in following:
        if page_break:
            return None
        if lines:
            return lines[0][0]
    return SECTION_END


def confirmed(end: int, next_top: int | None, body_height: int) -> bool:
    """True when the saved layout bears the computed end out: the next paragraph's first line is where
    the table ends (or nothing follows it in the section). Hangul saves line positions as laid out;
    tools that write HWPX without laying it out leave them stale, and then the table keeps one page."""
    if next_top is None:
        return False
    return next_top == SECTION_END or abs(next_top - end) <= END_TOLERANCE * body_height


@dataclass(frozen=True)
class TableLayout:
    """A table's place and sizes in HWPUNIT (1/7200 inch)."""

    top: int  # where the table starts, from the top of its anchor's page text area
    row_heights: tuple[int, ...]
    body_height: int  # the page's text area: paper height less margins, header and footer
    splits: bool = True  # False: 나누지 않음, the whole table moves to the next page if it does not fit
    header_rows: int = 0  # rows Hangul repeats atop each page the table continues on
    bottom_margin: int = 0  # space kept below the table


def flow_layout(anchor_top: int, rows: tuple[int, ...], saved_height: int, body_height: int, *, offset: int,
                from_paragraph: bool, margins: tuple[int, int], splits: bool, header_rows: int) -> TableLayout | None:
    """The layout of a table in the text flow from what the file saved, or None when that says nothing.

    The table's saved height is that of its part on the first page (less than its rows' sum when it
    crosses a page end); taller than all its rows, its cells were stretched and their heights say nothing.
    """
    if not body_height or not rows or saved_height - sum(rows) > END_TOLERANCE * body_height:
        return None
    top = (anchor_top if from_paragraph else 0) + offset + margins[0]
    return TableLayout(top, rows, body_height, splits, header_rows, margins[1])


def row_heights(cells: Sequence[tuple[Cell, int]]) -> tuple[int, ...]:
    """Each row's height from (cell, saved cell height): the tallest one-row cell, else a merged cell's share."""
    rows = max((c.row + c.row_span for c, _ in cells), default=0)
    heights = [0] * rows
    for cell, height in cells:
        if cell.row_span == 1 and 0 <= cell.row < rows:
            heights[cell.row] = max(heights[cell.row], height)
    for cell, height in cells:
        if cell.row_span > 1:
            share = height // cell.row_span
            for r in range(cell.row, min(rows, cell.row + cell.row_span)):
                heights[r] = heights[r] or share
    return tuple(heights)


def row_pages(layout: TableLayout) -> tuple[list[int], int]:
    """The page offset of each row from the anchor's page, and where the table ends on its last page."""
    y, offset, pages = layout.top, 0, []
    heights = layout.row_heights
    if not layout.splits:
        if y > 0 and y + sum(heights) > layout.body_height:
            y, offset = 0, 1
        return [offset] * len(heights), y + sum(heights) + layout.bottom_margin
    header = sum(heights[:layout.header_rows])
    for index, height in enumerate(heights):
        repeated = header if offset and index >= layout.header_rows else 0
        # a row that does not fit goes to the next page, unless the page holds nothing else yet
        if y + height > layout.body_height and y > repeated:
            offset += 1
            y = header if index >= layout.header_rows else 0
        pages.append(offset)
        y += height
    return pages, y + layout.bottom_margin


def split_by_page(cells: Sequence[Cell], pages: Sequence[int], header_rows: int) -> list[tuple[int, list[Cell]]]:
    """The cells of each page's part of the table, in order; the repeated header rows head every later part."""
    header = [c for c in cells if c.row < header_rows]
    parts: dict[int, list[Cell]] = {}
    for cell in cells:
        page = pages[min(cell.row, len(pages) - 1)]  # a merged cell is on the page its first row is on
        if page not in parts:
            parts[page] = list(header) if page > pages[0] else []
        parts[page].append(cell)
    return sorted(parts.items())
