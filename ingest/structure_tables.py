"""Tables as a reader sees them: one renderer every loader uses, so no format leaks empty-cell separators.

A loader hands over addressed cells (merged cells once, at their top-left slot, with their spans);
this module decides what the grid is and writes it as text:
- a header row above data rows gives one line per row, "header: value · header: value";
- a label–value layout (label cell beside its value cell) gives "label: value";
- a fill-in form (value cells mostly empty: 신청서, 서식) is a `form` block of its labels and any
  filled values, never a grid of separators;
- empty cells and empty rows emit nothing; a nested table is already text inside its cell, in order.
"""
from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

FORM_EMPTY_SHARE = 0.35  # a grid with this share of empty cells (and at least 3) is a fill-in form
MAX_LABEL_CHARS = 30  # longer cells are content, not a header or a label
_NUMERIC = re.compile(r"[\d\s.,%+\-/:()~원억만천개명년월일]*")
_PAIR = " · "


@dataclass(frozen=True)
class Cell:
    """One table cell at its grid address; a merged cell covers `row_span` x `col_span` slots."""

    row: int
    col: int
    text: str
    row_span: int = 1
    col_span: int = 1


@dataclass(frozen=True)
class RenderedTable:
    """A table's text (one line per non-empty row), its kind, and its non-empty cells per row."""

    text: str
    kind: str  # "table" or "form"
    rows: tuple[tuple[str, ...], ...]


def cells_from_rows(rows: Sequence[Sequence[str]]) -> list[Cell]:
    """Cells of a plain grid (no spans): row r, column c."""
    return [Cell(r, c, text) for r, row in enumerate(rows) for c, text in enumerate(row)]


def _clean(text: str) -> str:
    return " ".join(text.split())


def _is_label(text: str) -> bool:
    return 0 < len(text) <= MAX_LABEL_CHARS and not _NUMERIC.fullmatch(text)


def render_table(cells: Sequence[Cell], forms: bool = True) -> RenderedTable | None:
    """Text of a table from its cells; None when every cell is empty.

    `forms=False` for spreadsheets, whose empty cells are sparse data rather than blanks to fill in.
    """
    by_row: dict[int, list[Cell]] = {}
    for cell in cells:
        by_row.setdefault(cell.row, []).append(Cell(cell.row, cell.col, _clean(cell.text),
                                                    max(1, cell.row_span), max(1, cell.col_span)))
    full = [sorted(by_row[r], key=lambda c: c.col) for r in sorted(by_row)]  # empty cells included
    total = sum(len(row) for row in full)
    empty = sum(1 for row in full for c in row if not c.text)
    pairs = [(row, [c for c in row if c.text]) for row in full]
    pairs = [(row, filled) for row, filled in pairs if filled]
    if not pairs:
        return None
    is_form = forms and empty >= 3 and empty >= FORM_EMPTY_SHARE * total
    grid = [filled for _, filled in pairs]
    header = None if is_form else _header_row(grid)
    lines: list[str] = []
    if header is not None:
        lines.append(_PAIR.join(c.text for c in header))
        lines.extend(_header_line(header, row) for row in grid[1:])
    else:
        lines.extend(_row_line(row, " · " if is_form else " | ") for row, _ in pairs)
    rows = tuple(tuple(c.text for c in row) for row in grid)
    return RenderedTable("\n".join(line for line in lines if line), "form" if is_form else "table", rows)


def _header_row(grid: list[list[Cell]]) -> list[Cell] | None:
    """The first row when it reads as column headers over at least two data rows of three or more columns."""
    first = grid[0]
    if len(grid) < 3 or len(first) < 3 or not all(_is_label(c.text) for c in first):
        return None
    if len({c.text for c in first}) < len(first):
        return None
    # Every data cell must sit under a header cell, or the first row is something else (a title row).
    spans = [(c.col, c.col + c.col_span) for c in first]
    data = [c for row in grid[1:] for c in row]
    if not data or any(not any(a <= c.col < b for a, b in spans) for c in data):
        return None
    return first


def _header_line(header: list[Cell], row: list[Cell]) -> str:
    first, last = header[0], header[-1]
    if len(row) == 1 and row[0].col <= first.col and row[0].col + row[0].col_span >= last.col + last.col_span:
        return row[0].text  # a merged row across the whole table: a group title, not a value
    parts = []
    for cell in row:
        name = next((h.text for h in header if h.col <= cell.col < h.col + h.col_span), "")
        parts.append(f"{name}: {cell.text}" if name and name != cell.text else cell.text)
    return _PAIR.join(parts)


def _row_line(row: list[Cell], joiner: str) -> str:
    """A row without a header: label–value pairs where the row reads that way, else its filled cells in order.

    Pairs are read on the row as laid out, empty cells included, so in a form "성명 [ ] 소속 [ ]" gives
    "성명 · 소속", never "성명: 소속".
    """
    texts = [c.text for c in row]
    if len(texts) >= 2 and len(texts) % 2 == 0 and all(_is_label(t) for t in texts[0::2]):
        return _PAIR.join(f"{label}: {value}" if value else label for label, value in zip(texts[0::2], texts[1::2]))
    return _join([t for t in texts if t], joiner)


_OPENING, _CLOSING = "([{<「『〈《", ")]}>」』〉》"


def _join(texts: list[str], joiner: str) -> str:
    """Cells joined by `joiner`, except that a cell of only an opening bracket holds on to the cell after
    it and a closing bracket to the one before ("시행 · ( · 2025. 10. 24. · )" reads "(2025. 10. 24.)"),
    and brackets left empty ("접수 ( )": a blank to fill in) emit nothing."""
    parts: list[str] = []
    glue = False
    for text in texts:
        if parts and (glue or (len(text) == 1 and text in _CLOSING)):
            parts[-1] += text
        else:
            parts.append(text)
        glue = len(text) == 1 and text in _OPENING
    parts = [re.sub(r"[(\[{<「『〈《][)\]}>」』〉》]", "", p).strip() for p in parts]
    return joiner.join(p for p in parts if p)
