"""Value objects shared by every package: parsed documents, blocks and chunks.

Loaders produce `ParsedDocument`s of ordered `Block`s; the splitter turns them into `Chunk`s.
"""
from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

# "paragraph" is body text. form: a fill-in table (mostly empty value cells); annex: 별지/별표/부록/서식
# matter after the articles; note: 주석, ※ lines and footnotes; label: a 공문 header field (Block.label).
BlockKind = Literal["paragraph", "heading", "table", "form", "list", "annex", "note", "label", "header", "footer"]
# What a chunk holds, for ranking and answer selection: the kind of its first block, "text" for body.
ChunkKind = Literal["text", "heading", "table", "form", "annex", "note", "label", "header", "footer"]


@dataclass(frozen=True)
class Box:
    """A region of a page image (OCR): fractions of the page's width and height, origin top-left.

    Fractions, not pixels, so a viewer can draw it on the page rendered at any size.
    """

    left: float
    top: float
    right: float
    bottom: float


@dataclass(frozen=True)
class Block:
    """One unit of a document in reading order: a paragraph, heading, table, form, list item, note…"""

    text: str
    kind: BlockKind = "paragraph"
    page: int | None = None  # 1-based page, slide, sheet or section number
    heading_path: tuple[str, ...] = ()
    rows: tuple[tuple[str, ...], ...] | None = None  # tables only; rows[0] is the header row
    boxes: tuple[Box, ...] = ()  # OCR only: boxes[i] is where the i-th line of `text` is on the page
    label: str | None = None  # kind "label": the 공문 header field this block holds (수신, 제목, 시행, …)


@dataclass(frozen=True)
class ParsedDocument:
    """What a loader returns: the blocks of one file plus what it learned about the file."""

    name: str
    format: str
    blocks: tuple[Block, ...]
    page_count: int | None = None
    pages_needing_ocr: tuple[int, ...] = ()  # pages with no text layer (scans) and not read by OCR
    title: str | None = None
    warnings: tuple[str, ...] = ()
    ocr_pages: tuple[int, ...] = ()  # pages whose text was read by OCR

    @property
    def text(self) -> str:
        return "\n".join(b.text for b in self.blocks)


@dataclass(frozen=True)
class Chunk:
    """A retrievable passage: whole sentences of one document with where they came from."""

    text: str
    morphemes: tuple[str, ...]  # lexical terms (content morphemes + noun pairs), computed once for BM25
    page: int | None
    heading_path: tuple[str, ...]
    ordinal: int  # position of the chunk in its document
    start: int  # character span in the document's extracted text
    end: int
    kind: str = "text"  # a ChunkKind: "text" (body), "table", "form", "annex", "note", "label", …
    document_id: str | None = None
    id: int | None = None
    boxes: tuple[Box, ...] = ()  # OCR only: the page regions (lines) this chunk was read from


# 항 (①), 호 (1.), 목 (가.): the levels of a heading path under an article (ingest.structure).
_ARTICLE_HEADING = re.compile(r"^제\s*\d+\s*조")
_SOFT_HEADING = re.compile(r"^(?:[①-⑳㉑-㉟]|\d{1,3}\.|[가-하]\.)$")


def is_soft_heading(title: str) -> bool:
    """True for a 항/호/목 level of a heading path (①, 3., 가.): finer than an article."""
    return bool(_SOFT_HEADING.match(title))


def where_in(heading_path: Sequence[str]) -> str:
    """Where a passage sits, as a reader cites it: "제12조(대부한도) ①" (an article and its 항/호/목), or
    the last two headings."""
    path = list(heading_path)
    article = next((i for i in range(len(path) - 1, -1, -1) if _ARTICLE_HEADING.match(path[i])), None)
    if article is not None:  # the article and its 항/호/목: what a Korean reader cites
        return " ".join(path[article:])
    return " › ".join(path[-2:])


def citation_label(document: str, heading_path: Sequence[str] = (), page: int | None = None) -> str:
    """The citation every surface shows: "규정.hwp › 제12조(대부한도) ① · 3쪽"."""
    where = where_in(heading_path)
    return document + (f" › {where}" if where else "") + (f" · {page}쪽" if page else "")


def heading_prefix(text: str, heading_path: tuple[str, ...]) -> tuple[str, ...]:
    """The headings indexed in front of a chunk's text (lexical terms, embedding): its heading path,
    or none when the text already starts with its own heading ("제12조(대부한도) …")."""
    return heading_path if heading_path and not text.startswith(heading_path[-1]) else ()
