"""Sentence units of retrieved passages: lines analysed by Kiwi, wrapped lines rejoined, and each piece
labelled prose, heading, table header or row (with its heading or header as context).

Shared by the extractive answerer and the extractive summarizer (agents/extractive.py).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import NamedTuple

from agents.weights import WEIGHTS
from rag.morphemes import content_terms


@dataclass(frozen=True)
class Passage:
    """One retrieved chunk as the task layer hands it over."""

    chunk_id: int
    text: str
    rank: int = 0  # 0 = best retrieved
    score: float = 0.0  # retrieval score (any scale)
    kind: str = "text"  # the block kind of its chunk (`block_kind`): forms and notes rank below body text


def passage_lines(passages: list[Passage], blank: bool = False) -> list[tuple[int, int, str]]:
    """(passage index, line start offset, line) for every line of the passages in order; blank lines only
    when asked for."""
    out = []
    for p, passage in enumerate(passages):
        offset = 0
        for line in passage.text.split("\n"):
            if blank or line.strip():
                out.append((p, offset, line))
            offset += len(line) + 1
    return out


# Block kinds whose sentences repeat a regulation's words without ruling anything: fill-in forms, notes,
# annexes (별지), page headers and footers. Issue 15 gives chunks these kinds; until then every chunk is
# "text" or "table" and this only matters once that lands.
SECONDARY_KINDS = frozenset({"form", "note", "annex", "header", "footer"})


def block_kind(chunk) -> str:
    """The block kind of a chunk, read through this one seam: `Chunk.kind` where the KB records it."""
    return getattr(chunk, "kind", None) or "text"



class Morpheme(NamedTuple):
    """A Kiwi token's form and tag (Kiwi's own Token cannot be copied or pickled)."""

    form: str
    tag: str


@dataclass(frozen=True)
class Unit:
    """A candidate sentence, table row or heading inside one passage."""

    passage: int  # index into the passages list
    index: int  # position among the units of that passage
    start: int
    end: int
    text: str
    terms: tuple[str, ...]
    context: tuple[str, ...]  # the table header or section heading it sits under
    context_text: str
    kind: str  # "prose", "row", "header" or "heading"
    tokens: tuple[Morpheme, ...] = ()  # what the answerer reads an answer kind from


_PREDICATE_TAGS = ("VV", "VA", "VCP", "VCN", "EF", "XSV", "XSA", "ETN")
_LIST_MARKER = re.compile(
    r"^\s*(?:\d+(?:\.\d+)*\.?\)?|제\s*\d+\s*[조장절항](?:\([^)]*\))?|[가-하]\.|\(\d+\)|[①-⑳]|[-•·*□■○●▶◦※→>#]+)\s*"
)
_LETTER = re.compile(r"[가-힣A-Za-z]")
# A table-of-contents line: "1.2.4 8086 16비트 레지스터 ....... 12", or its lone trailing dot
_TOC_ENTRY = re.compile(r"(?:[.·…]\s?){3,}\s*\d*$|\s\.$")


def _lines(text: str) -> list[tuple[int, int]]:
    """(start, end) of every non-blank line."""
    spans, position = [], 0
    for line in text.split("\n"):
        if line.strip():
            spans.append((position, position + len(line)))
        position += len(line) + 1
    return spans


def is_row(line: str) -> bool:
    # Tables are rendered "header: value · header: value" (ingest/structure_tables.py), plain grids "a | b".
    if " | " in line or line.startswith("| "):
        return True
    cells = line.split(" · ")  # a rendered row has "name: value" cells; its header, short names only
    return (len(cells) >= 2 and not line.rstrip().endswith(("다.", "다"))
            and (all(": " in c for c in cells) or (len(cells) >= 3 and all(len(c) <= 30 for c in cells))))


# Kiwi does not split sentences at newlines, and a newline is not a sentence end either: PDF text
# wraps mid-sentence while headings, list items and table rows sit one per line. A line is taken to
# run on only when it ends grammatically open (a connective ending, a particle, a modifier) or the
# next line starts inside an eojeol (a particle or ending), and the next line is not a list item.
_OPEN_END = ("EC", "ETM", "JKS", "JKC", "JKG", "JKO", "JKB", "JKV", "JKQ", "JC", "JX", "MM", "XPN")
_INSIDE_EOJEOL = ("J", "E", "XS", "VCP")


def _runs_on(last_tokens, next_tokens, next_line: str) -> bool:
    if not last_tokens or not next_tokens or _LIST_MARKER.match(next_line) or is_row(next_line):
        return False
    return last_tokens[-1].tag.startswith(_OPEN_END) or next_tokens[0].tag.startswith(_INSIDE_EOJEOL)


def _is_heading(text: str, tokens) -> bool:
    # A short line with no predicate and no figure is a title ("3. 자녀 학자금"): it matches
    # questions well but answers nothing, so it only lends its terms to the sentences under it.
    body = _LIST_MARKER.sub("", text, count=1).strip()
    if len(body) > WEIGHTS.heading_chars or body.endswith((".", "?", "!")):
        return False
    if any(t.tag.startswith(_PREDICATE_TAGS) for t in tokens):
        return False
    return not re.search(r"\d", body)


def units(passages: list[Passage], kiwi) -> list[list[Unit]]:
    """Sentence units of every passage: lines analysed by Kiwi in one batch, wrapped lines rejoined."""
    plan = [(p, s, e) for p, passage in enumerate(passages) for s, e in _lines(passage.text)]
    texts = [passages[p].text[s:e] for p, s, e in plan]
    analysed = kiwi.split_into_sents(texts, return_tokens=True) if texts else []
    # Per passage, the list of pieces (start, end, tokens, row) in order, wrapped lines joined.
    pieces: list[list[list]] = [[] for _ in passages]
    for (p, base, _), line, sentences in zip(plan, texts, analysed):
        current = pieces[p]
        if is_row(line):
            current.append([base, base + len(line), [t for s in sentences for t in s.tokens], True])
            continue
        found = [[base + s.start, base + s.end, list(s.tokens), False] for s in sentences]
        if found and current and not current[-1][3] and _runs_on(current[-1][2], found[0][2], line):
            current[-1][1] = found[0][1]
            current[-1][2] = current[-1][2] + found[0][2]
            found = found[1:]
        current.extend(found)
    return [_classify(passages[p].text, p, per) for p, per in enumerate(pieces)]


def _classify(text: str, p: int, pieces: list[list]) -> list[Unit]:
    """Label pieces as prose, heading, table header or row; give each its heading or header as context."""
    units: list[Unit] = []
    header: tuple[tuple[str, ...], str] | None = None
    heading: tuple[tuple[str, ...], str] = ((), "")
    for start, end, tokens, row in pieces:
        piece = text[start:end]
        terms = tuple(content_terms(tokens))
        if row:  # a table row is one unit whatever Kiwi thinks of its punctuation
            if header is None:
                header = (terms, piece)
                units.append(Unit(p, len(units), start, end, piece, terms, (), "", "header", _morphemes(tokens)))
            else:
                units.append(Unit(p, len(units), start, end, piece, terms, header[0], header[1], "row", _morphemes(tokens)))
            continue
        header = None
        if _is_heading(piece, tokens):
            heading = (terms, piece)
            units.append(Unit(p, len(units), start, end, piece, terms, (), "", "heading", _morphemes(tokens)))
        else:
            units.append(Unit(p, len(units), start, end, piece, terms, heading[0], heading[1], "prose", _morphemes(tokens)))
    return units


# An article heading at the start of a line: "제12조(대부한도)", "제 3 조 (목적)"
_ARTICLE = re.compile(r"^\s*(제\s*\d+\s*조(?:\s*의\s*\d+)?(?:\s*\([^)\n]{1,40}\))?)", re.M)


def context_share(unit: Unit) -> float:
    """How much a question word found only in the unit's heading or table header counts: a paragraph under an
    article title ("제7조(연차휴가)" over "① 회사는 … 15일의 유급휴가를 준다.") is about what the title names,
    so that title counts fully (`answer_article_share`); any other heading or header counts
    `answer_context_share`."""
    if unit.kind == "prose" and _ARTICLE_TITLE.match(unit.context_text):
        return WEIGHTS.answer_article_share
    return WEIGHTS.answer_context_share


_ARTICLE_TITLE = re.compile(r"^\s*제\s*\d+\s*조(?:\s*의\s*\d+)?\s*\([^)\n]{1,40}\)")


def sentence_article(text: str, offset: int) -> str | None:
    """The article (조) a sentence at `offset` of a chunk's text sits in: the last article heading that
    starts a line before it, or None when the chunk shows none."""
    found = None
    for match in _ARTICLE.finditer(text, 0, offset + 1):
        if match.start(1) <= offset:
            found = " ".join(match.group(1).split())
    return found


# Separator residue: table rules, empty cells and leader dots a loader left in the text ("| | |", "-----",
# "······"). Never quoted as an answer.
_RESIDUE = re.compile(r"(?:\|\s*){2,}\||[-=_─━·.…]{4,}|^[\s|:;,.\-=_─━·…]*$")


def is_residue(text: str) -> bool:
    """A line that is (or holds) separator residue rather than words."""
    return _RESIDUE.search(text.strip()) is not None


def _morphemes(tokens) -> tuple[Morpheme, ...]:
    return tuple(Morpheme(t.form, t.tag) for t in tokens)


def is_fragment(unit: Unit) -> bool:
    """Too short, figures only, or too few content morphemes to stand as an answer or summary line."""
    stripped = unit.text.strip()
    return (len(stripped) < WEIGHTS.fragment_chars or not _LETTER.search(stripped) or len(set(unit.terms)) < 2
            or _TOC_ENTRY.search(stripped) is not None)
