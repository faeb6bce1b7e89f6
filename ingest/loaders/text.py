"""Plain text and Markdown loader: paragraphs at blank lines; Markdown structure when "md".

Markdown is read line by line for the parts retrieval cares about (ATX and setext headings,
list items, pipe tables, fenced code); inline markup is left as written.
"""
from __future__ import annotations

import re

from ingest.encoding import decode_text
from ingest.loaders.base import LoadOptions
from rag.model import Block, ParsedDocument

_ATX = re.compile(r"^ {0,3}(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$")
_SETEXT = re.compile(r"^ {0,3}(=+|-+)[ \t]*$")
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_LIST_ITEM = re.compile(r"^\s*(?:[-*+•]|\d{1,9}[.)])[ \t]+\S")
_BULLET = re.compile(r"^[-*+•][ \t]+")
_TABLE_SEPARATOR = re.compile(r"^\s*\|?\s*:?-+:?\s*(?:\|\s*:?-+:?\s*)*\|?\s*$")
_RULE = re.compile(r"^ {0,3}(?:(?:-[ \t]*){3,}|(?:\*[ \t]*){3,}|(?:_[ \t]*){3,})$")


def load(data: bytes, name: str, options: LoadOptions) -> ParsedDocument:
    """Decode and split a .txt or .md file (Markdown is told apart by its extension, as in detect)."""
    text = decode_text(data, name).replace("\r\n", "\n").replace("\r", "\n")
    fmt = "md" if name.lower().endswith((".md", ".markdown")) else "txt"
    if fmt == "md":
        blocks = _MarkdownReader().read(text)
    else:
        blocks = [Block(text=p) for p in _paragraphs(text.split("\n"))]
    return ParsedDocument(name=name, format=fmt, blocks=tuple(blocks))


def _paragraphs(lines: list[str]) -> list[str]:
    out: list[str] = []
    current: list[str] = []
    for line in lines + [""]:
        if line.strip():
            current.append(line.rstrip())
        elif current:
            out.append("\n".join(current).strip("\n"))
            current = []
    return out


class _MarkdownReader:
    def __init__(self) -> None:
        self.blocks: list[Block] = []
        self._headings: list[tuple[int, str]] = []
        self._paragraph: list[str] = []
        self._item: list[str] | None = None

    @property
    def _path(self) -> tuple[str, ...]:
        return tuple(text for _, text in self._headings)

    def read(self, text: str) -> list[Block]:
        lines = text.split("\n")
        i = 0
        while i < len(lines):
            line = lines[i]
            fence = _FENCE.match(line)
            if fence:
                i = self._code(lines, i, fence.group(1))
                continue
            if _is_table_start(lines, i):
                i = self._table(lines, i)
                continue
            atx = _ATX.match(line)
            if atx:
                self._flush()
                self._heading(len(atx.group(1)), atx.group(2) or "")
            elif _SETEXT.match(line) and self._paragraph and self._item is None:
                # "Title\n=====": the buffered line(s) were the heading text
                heading = " ".join(self._paragraph)
                self._paragraph = []
                self._heading(1 if line.strip().startswith("=") else 2, heading)
            elif not line.strip() or _RULE.match(line):
                self._flush()
            elif _LIST_ITEM.match(line):
                self._flush()
                self._item = [_BULLET.sub("", line.strip(), count=1)]  # "1." numbers stay: they are content
            elif self._item is not None:
                self._item.append(line.strip())  # a lazy continuation line of the list item
            else:
                self._paragraph.append(line.rstrip())
            i += 1
        self._flush()
        return self.blocks

    def _heading(self, level: int, text: str) -> None:
        text = " ".join(text.split())
        if not text:
            return
        while self._headings and self._headings[-1][0] >= level:
            self._headings.pop()
        self._headings.append((level, text))
        self.blocks.append(Block(text=text, kind="heading", heading_path=self._path))

    def _code(self, lines: list[str], start: int, fence: str) -> int:
        self._flush()
        body: list[str] = []
        i = start + 1
        while i < len(lines) and not lines[i].strip().startswith(fence):
            body.append(lines[i])
            i += 1
        code = "\n".join(body).strip("\n")
        if code.strip():
            self.blocks.append(Block(text=code, kind="paragraph", heading_path=self._path))
        return i + 1

    def _table(self, lines: list[str], start: int) -> int:
        self._flush()
        rows = [_cells(lines[start])]
        i = start + 2  # the header row, then the --- separator row, which is skipped
        while i < len(lines) and "|" in lines[i] and lines[i].strip():
            rows.append(_cells(lines[i]))
            i += 1
        rows = [row for row in rows if any(row)]
        if rows:
            text = "\n".join(" | ".join(row) for row in rows)
            self.blocks.append(Block(text=text, kind="table", heading_path=self._path, rows=tuple(rows)))
        return i

    def _flush(self) -> None:
        if self._paragraph:
            text = "\n".join(self._paragraph).strip()
            if text:
                self.blocks.append(Block(text=text, kind="paragraph", heading_path=self._path))
            self._paragraph = []
        if self._item is not None:
            self.blocks.append(Block(text="\n".join(self._item), kind="list", heading_path=self._path))
            self._item = None


def _is_table_start(lines: list[str], i: int) -> bool:
    return (
        "|" in lines[i]
        and i + 1 < len(lines)
        and "|" in lines[i + 1]  # a bare "---" under a line is a setext heading, not a table
        and bool(_TABLE_SEPARATOR.match(lines[i + 1]))
    )


def _cells(line: str) -> tuple[str, ...]:
    line = line.strip()
    if line.startswith("|"):
        line = line[1:]
    if line.endswith("|") and not line.endswith("\\|"):
        line = line[:-1]
    cells = re.split(r"(?<!\\)\|", line)
    return tuple(" ".join(c.replace("\\|", "|").split()) for c in cells)
