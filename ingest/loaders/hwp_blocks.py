"""What the HWP 5 and HWPX loaders share once a file is parsed: paragraph roles from styles and
outline numbering, table grids from addressed cells, and heading paths across sections.

Both formats describe the same Hangul document model, so one set of rules keeps the two in step
(the same document saved as .hwp and .hwpx yields the same blocks).
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from rag.model import Block, BlockKind

# Hangul's built-in heading styles are 개요 1..10 ("Outline N"); imported Word files bring 제목 N.
_NUMBERED_HEADING_STYLE = re.compile(r"^(?:개요|제목|outline|heading)\s*(\d{1,2})$", re.IGNORECASE)
_TITLE_STYLES = {"제목", "title"}
MAX_HEADING_CHARS = 200  # a longer "heading" is body text that happens to use an outline style
_MAX_GRID_CELLS = 1_000_000  # hostile cell addresses must not allocate a huge grid


@dataclass(frozen=True)
class Item:
    """A block before its page and heading path are known."""

    text: str
    kind: BlockKind = "paragraph"
    level: int = 0  # heading level, 1 = top
    rows: tuple[tuple[str, ...], ...] | None = None


@dataclass(frozen=True)
class Cell:
    """One table cell at its grid address; merged cells cover `row_span` x `col_span` slots."""

    row: int
    col: int
    text: str
    row_span: int = 1
    col_span: int = 1


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


def as_body(items: list[Item]) -> list[Item]:
    """Demote headings (inside cells, notes, headers): they must not reset the outline."""
    return [Item(i.text, "paragraph") if i.kind == "heading" else i for i in items]


def one_line(items: list[Item]) -> str:
    """The text of some blocks as one line (a table cell's content)."""
    return " ".join(" ".join(item.text.split()) for item in items if item.text.strip())


def table_item(cells: list[Cell]) -> Item | None:
    """One table block: rows of cell text, merged cells' text in their first slot, empty rows dropped."""
    if not cells:
        return None
    # Compact the addresses actually used: a hostile address like col 65535 costs nothing, and a
    # column that only ever sits under a span disappears, which loses no text.
    row_ids = sorted({c.row for c in cells})
    col_ids = sorted({c.col for c in cells})
    if len(row_ids) * len(col_ids) > _MAX_GRID_CELLS:
        rows = [tuple(c.text for c in cells if c.row == r) for r in row_ids[:10_000]]
    else:
        row_at = {r: i for i, r in enumerate(row_ids)}
        col_at = {c: i for i, c in enumerate(col_ids)}
        grid = [[""] * len(col_ids) for _ in row_ids]
        for cell in cells:
            slot = grid[row_at[cell.row]]
            j = col_at[cell.col]
            slot[j] = f"{slot[j]} {cell.text}".strip() if slot[j] else cell.text
        rows = [tuple(row) for row in grid]
    rows = [row for row in rows if any(text.strip() for text in row)]
    if not rows:
        return None
    text = "\n".join(" | ".join(row) for row in rows)
    return Item(text, "table", rows=tuple(rows))


class OutlineTracker:
    """Turns items into blocks, carrying the open headings (and so `heading_path`) across sections."""

    def __init__(self) -> None:
        self._open: list[tuple[int, str]] = []
        self.blocks: list[Block] = []

    def add(self, items: list[Item], page: int) -> None:
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
            self.blocks.append(Block(text=item.text, kind=kind, page=page, heading_path=path, rows=item.rows))
