"""Questions about a document itself ("이 문서의 제목은?", 작성일, 기관, 문서번호), answered from its title
and its header fields rather than from sentences: the extractive answerer's document-level path.

The 공문/공고 header is read by agents/letterhead.py (the same reader rule-based extraction uses: 발신,
제목, 시행 number and date, "기관 공고 제2025-477호", the date above the 기관장); other documents' fields
from "label: value" lines among their first blocks (보도자료: 배포일시, 담당부서), and a title from the
document's recorded title or its first line that is not a field.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from agents.letterhead import letterhead
from agents.sentences import Passage

# field → the labels a document writes it under (first found wins)
FIELDS: dict[str, tuple[str, ...]] = {
    "제목": ("제목", "건명", "과제명"),
    "작성일": ("작성일자", "작성일", "시행일자", "시행일", "배포일시", "배포일자", "일자", "날짜"),
    "기관": ("발신명의", "발신", "기관명", "기관", "작성기관", "담당부서", "부서"),
    "문서번호": ("문서번호", "문서 번호", "관리번호", "접수번호"),
}
# "이 문서의 제목은?", "공문 작성일이 언제야", "이 공고를 낸 기관은?", "공고번호 알려줘": a document word,
# at most one word between, then a field word
_ASKS = re.compile(r"(?:문서|공문|공고|보도\s*자료|파일|자료|보고서|이\s*글)\S*\s*(?:\S+\s+)?[가-힣]*?"
                   r"(제목|작성\s*일자?|시행\s*일자?|날짜|기관|발신|부서|문서\s*번호|번호)")
_FIELD_OF = {"제목": "제목", "작성일": "작성일", "작성일자": "작성일", "시행일": "작성일", "시행일자": "작성일",
             "날짜": "작성일", "기관": "기관", "발신": "기관", "부서": "기관", "문서번호": "문서번호", "번호": "문서번호"}
HEADER_BLOCKS = 30  # header fields sit at the top of a document


@dataclass(frozen=True)
class FieldAnswer:
    """A document field found: what it is, its value, and where in the document's text it was read."""

    field: str
    value: str
    start: int  # character span of the value in the document's extracted text
    end: int


def asked_field(question: str) -> str | None:
    """The document field a question asks for, or None when it asks about the content."""
    match = _ASKS.search(question)
    return _FIELD_OF.get(re.sub(r"\s", "", match.group(1))) if match else None


def find_field(field: str, title: str | None, block_texts: list[str]) -> FieldAnswer | None:
    """The value of `field` in a document's header blocks, else (for 제목) its recorded title."""
    offset = 0
    for text in block_texts[:HEADER_BLOCKS]:
        for label in FIELDS[field]:
            pattern = rf"(?:^|\n|\s{{2,}}|\||\s·\s)\s*{label}\s*[:：]?\s*(?!\s*\|)([^\n|]{{2,80}}?)\s*(?=\n|\||\s{{2,}}|\s·\s|$)"
            match = re.search(pattern, text)
            if match and match.group(1).strip(" :："):
                value = match.group(1).strip(" :：")
                start = offset + match.start(1) + match.group(1).index(value)
                return FieldAnswer(field, value, start, start + len(value))
        offset += len(text) + 1  # the document's text joins its blocks with "\n"
    if field == "제목" and title:
        first = block_texts[0] if block_texts else ""
        at = first.find(title)
        return FieldAnswer(field, title, max(at, 0), max(at, 0) + len(title) if at >= 0 else 0)
    if field == "제목":  # no title recorded: the first line that is not a "label: value" field (보도자료 headline)
        offset = 0
        for text in block_texts[:HEADER_BLOCKS]:
            line = text.split("\n")[0].strip()
            if len(line) >= 10 and not re.search(r"^[^:：]{1,12}[:：]", line):
                start = offset + text.index(line)
                return FieldAnswer(field, line, start, start + len(line))
            offset += len(text) + 1
    return None


_ROLES = {"제목": "title", "작성일": "date", "기관": "sender", "문서번호": "doc_number"}


def header_field(field: str, chunks: list[tuple[int, str]]) -> FieldAnswer | None:
    """`field` from a 공문/공고 header (agents/letterhead.py) in a document's chunks, given as (offset of the
    chunk in the document's text, chunk text); the value as the document writes it ("2025. 10. 24.")."""
    # letterhead reads table rows as "a | b | c"; rendered rows come as "a · b · c" (same length: spans hold)
    rows = [re.sub(r"(?<=\S) · (?=\S)", " | ", text) for _, text in chunks]
    part = letterhead([Passage(i, text) for i, text in enumerate(rows)]).get(_ROLES[field])
    if part is None:
        return None
    base, text = chunks[part.passage]
    value = " ".join(text[part.start:part.end].split())
    return FieldAnswer(field, value, base + part.start, base + part.end) if value else None
