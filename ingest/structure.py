"""Korean legal and administrative structure of a parsed document: 조문 heading paths, annexes, notes, 공문 fields.

Runs on every loader's output (HWP, HWPX, PDF, DOCX, text…), after normalisation:
- a regulation (two or more paragraphs that start "제N조") gets heading paths of its own
  hierarchy, 편/장/절/관 › 제N조(제목) › ①항 › 1.호 › 가.목, with 부칙 and 별표/별지/서식 as top-level
  parts; the splitter starts a chunk at each article and cuts a long one at its 항;
- matter after a 별지/별표/서식/부록 marker is `annex`; ※ and 주) lines are `note`;
- a 공문 or 공고 has its header and footer fields (수신, 경유, 제목, 시행, 접수, 발신명의…) as `label`
  blocks (ingest.structure_gongmun).
A block that holds several structural lines is cut at those newlines, so the document text is unchanged.
"""
from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable

from ingest import structure_gongmun
from rag.model import Block, ParsedDocument, is_soft_heading

_N = r"\d+"
PART = re.compile(rf"^제\s*{_N}\s*(편|장|절|관)(?=\s|$|\.)\s*(.*)$")  # 제1장 총칙
_LEVEL = {"편": 1, "장": 2, "절": 3, "관": 4}
ARTICLE = re.compile(rf"^(제\s*{_N}\s*조(?:\s*의\s*{_N})?)\s*(\([^()\n]{{0,40}}\))?")  # 제12조(대부한도), 제3조의2
PARAGRAPH = re.compile(r"^([①-⑳㉑-㉟])")  # 항
ITEM = re.compile(rf"^({_N})\.\s")  # 호: "1. "
SUBITEM = re.compile(r"^([가-하])\.\s")  # 목: "가. "
SUPPLEMENT = re.compile(r"^부\s*칙(?=\s|$|<|\()")  # 부칙, 부 칙 <제12호, 2020.1.1.>
SUPPLEMENT_NOTE = re.compile(r"^\s*[<(（〈][^>)）〉]*[>)）〉]")  # the <제12호, 2020.1.1.> after 부칙
# 별지/별표/부록/서식 (and a bracketed [붙임 1]) open an annex: bracketed anywhere on a block's first
# line ("■ … [별지 제1호서식]"), or bare and numbered (별표 1, not 별표 = asterisk) at the start of a
# short line that is not a sentence.
_ANNEX_WORD = r"(?:별\s*지|별\s*표|부\s*록|서\s*식)"
ANNEX_BRACKETED = re.compile(rf"[\[【]\s*((?:{_ANNEX_WORD}|붙\s*임)[^\]】\n]{{0,24}})[\]】]")
ANNEX_BARE = re.compile(rf"^■?\s*({_ANNEX_WORD}\s*제?\s*\d+\s*호?\s*(?:서\s*식)?)(?=\s|$|\()")
NOTE = re.compile(r"^(※|\*\s|주\)|주\s*:|비고\s*[:：]?\s)")
SOFT = (PARAGRAPH, ITEM, SUBITEM)  # path levels under an article: they never start a chunk on their own
_PROSE_KINDS = ("paragraph", "list", "heading", "annex", "note")


def is_soft(title: str) -> bool:
    """True for a 항/호/목 level of a heading path (①, 1., 가.): finer than an article."""
    return is_soft_heading(title)


def annex_marker(text: str, anywhere: bool = False) -> str | None:
    """The 별지/별표/서식 label a block opens with ("[별지 제1호서식]"), or None.

    A bracketed marker counts at the start of the first line, or anywhere on it when `anywhere` (a
    form's title row) or the line starts with ■; "…계획서 1부[붙임4]" in a list only refers to one.
    """
    first = text.strip().split("\n", 1)[0]
    match = ANNEX_BRACKETED.search(first[:200])
    if match and (anywhere or first.startswith("■") or not first[:match.start()].strip()):
        return "[" + " ".join(match.group(1).split()) + "]"
    match = ANNEX_BARE.match(first)
    if match and len(first) <= 40 and not first.rstrip(" .").endswith("다"):
        return " ".join(match.group(1).split())
    return None


def _lines(blocks: Iterable[Block], starts, tables: bool = False) -> list[Block]:
    """Blocks cut at every line for which `starts(line)` holds (joined by "\\n", so the text is unchanged)."""
    out: list[Block] = []
    for block in blocks:
        if "\n" not in block.text or block.kind not in _PROSE_KINDS + ("table", "form"):
            out.append(block)
            continue
        lines = block.text.split("\n")
        if (block.kind in ("table", "form") and not tables) or not any(starts(line) for line in lines[1:]):
            out.append(block)
            continue
        current: list[str] = []
        for line in lines:
            if current and starts(line):
                out.append(dataclasses.replace(block, text="\n".join(current), rows=None))
                current = []
            current.append(line)
        out.append(dataclasses.replace(block, text="\n".join(current), rows=None))
    return out


def _article_label(text: str) -> str | None:
    match = ARTICLE.match(text)
    if not match:
        return None
    rest = text[match.end():match.end() + 1]
    if match.group(2) is None and rest and rest not in " \n①":
        return None  # "제3조제2항 중 …" refers to an article, it does not start one
    label = re.sub(r"\s+", "", match.group(1))
    return label + (match.group(2) or "")


def _structural(line: str) -> bool:
    line = line.strip()
    return bool(PART.match(line) or _article_label(line) or SUPPLEMENT.match(line) or annex_marker(line)
                or PARAGRAPH.match(line))


def is_regulation(blocks: Iterable[Block]) -> bool:
    """Two or more lines that start an article (제N조(제목) or 제N조 followed by text)."""
    return sum(1 for b in blocks if b.kind in _PROSE_KINDS
               for line in b.text.split("\n") if _article_label(line.strip())) >= 2


def _regulation_paths(blocks: list[Block]) -> list[Block]:
    """Heading paths of a regulation's own hierarchy; kinds `annex` after a 별지/별표 marker."""
    parts: list[tuple[int, str]] = []  # open 편/장/절/관 (or 부칙 / 별지 at level 0)
    article: str | None = None
    soft: list[tuple[int, str]] = []  # open 항 (1), 호 (2), 목 (3)
    in_annex = False
    title: str | None = None  # the line just above the first 장 or 조: the regulation's name
    root: tuple[str, ...] | None = None  # (title,) once the first 장 or 조 is seen
    out: list[Block] = []
    for block in blocks:
        text = block.text.strip()
        kind = block.kind
        label = _article_label(text) if kind in _PROSE_KINDS else None
        if root is None and kind in _PROSE_KINDS and (label or PART.match(text)):
            root = (title,) if title else ()
        elif root is None and kind in _PROSE_KINDS:
            title = _title_line(text) or title
        annex = annex_marker(text, kind in ("table", "form")) if kind in _PROSE_KINDS + ("table", "form") and not label else None
        if annex:
            parts, article, soft, in_annex = [(0, annex)], None, [], True
            kind = "heading" if kind in _PROSE_KINDS else kind
        elif kind in _PROSE_KINDS:
            part = PART.match(text)
            if SUPPLEMENT.match(text) and len(text) <= 80:
                parts, article, soft, in_annex = [(0, "부칙")], None, [], False
                rest = SUPPLEMENT_NOTE.sub("", text[SUPPLEMENT.match(text).end():]).strip()
                kind = "heading" if not rest else kind  # "부칙 이 규정은 …부터 시행한다." is body under 부칙
            elif part and len(text) <= 80:
                level = _LEVEL[part.group(1)]
                parts = [p for p in parts if 0 < p[0] < level] + [(level, " ".join(text.split()))]
                article, soft = None, []
                kind = "heading"
            elif label:  # also inside a 별지 (a ruling's 관계 법령 quotes articles): path 별지 › 조
                article, soft = label, []
                first = PARAGRAPH.match(text[len(ARTICLE.match(text).group(0)):].lstrip())
                if first:
                    soft = [(1, first.group(1))]
            elif article is not None:
                for level, pattern in enumerate(SOFT, start=1):
                    match = pattern.match(text)
                    if match:
                        soft = [s for s in soft if s[0] < level] + [(level, match.group(1) + ("." if level > 1 else ""))]
                        break
            if in_annex and kind != "heading":
                kind = "annex"
        path = tuple(p for _, p in parts) + ((article,) if article else ()) + tuple(s for _, s in soft)
        if root and not in_annex and path:
            path = root + path
        out.append(dataclasses.replace(block, kind=kind, heading_path=path))
    return out


_NAME_END = re.compile(r"(규정|법|법률|시행령|시행규칙|령|규칙|지침|세칙|요령|기준|정관|조례|내규|약관)$")


def _title_line(text: str) -> str | None:
    """The last line of a block as a regulation's name ("□ 은행법" → "은행법"), if it ends like one."""
    line = text.split("\n")[-1].strip().lstrip("□■○◦●-·* ").strip()
    return line if 2 <= len(line) <= 40 and _NAME_END.search(line) else None


def _annexes_and_notes(blocks: list[Block]) -> list[Block]:
    """Outside regulations: matter from a 별지/별표/서식/[붙임] marker on is `annex`, under that heading."""
    out: list[Block] = []
    annex: str | None = None
    for block in blocks:
        kind = block.kind
        marker = annex_marker(block.text, kind in ("table", "form")) if kind in _PROSE_KINDS + ("table", "form") else None
        if marker:
            annex = marker
            kind = "heading" if kind in _PROSE_KINDS else kind
        elif annex is not None and kind in ("paragraph", "list"):  # tables and forms keep their kind
            kind = "annex"
        path = (annex,) if annex is not None else block.heading_path
        out.append(dataclasses.replace(block, kind=kind, heading_path=path))
    return out


def _notes(blocks: list[Block]) -> list[Block]:
    return [dataclasses.replace(b, kind="note") if b.kind in ("paragraph", "list", "annex") and NOTE.match(b.text.strip())
            else b for b in blocks]


def apply(doc: ParsedDocument) -> ParsedDocument:
    """The document with structural kinds, heading paths and 공문 fields; its text is unchanged."""
    blocks = list(doc.blocks)
    if is_regulation(blocks):
        blocks = _regulation_paths(_lines(blocks, _structural))
    else:
        blocks = _annexes_and_notes(blocks)
    blocks = structure_gongmun.apply(_notes(blocks))
    return dataclasses.replace(doc, blocks=tuple(blocks))
