"""Questions about a document itself ("이 문서의 제목은?", 작성일, 기관, 문서번호), answered from its title
and its header fields rather than from sentences: the extractive answerer's document-level path.

Header fields are read from the first blocks of the document as "label: value" lines (공문 headers:
문서번호, 시행일자, 발신명의, 수신). Only recognised here: dates and numbers are not parsed (issue 17
owns ingest/numbers.py and the extraction rules).
"""
from __future__ import annotations

import re
from dataclasses import dataclass

# field → the labels a document writes it under (first found wins)
FIELDS: dict[str, tuple[str, ...]] = {
    "제목": ("제목", "건명", "과제명"),
    "작성일": ("작성일자", "작성일", "시행일자", "시행일", "일자", "날짜"),
    "기관": ("발신명의", "발신", "기관명", "기관", "작성기관", "부서"),
    "문서번호": ("문서번호", "문서 번호", "관리번호", "접수번호"),
}
# "이 문서의 제목은?", "공문 작성일이 언제야", "문서번호 알려줘": a document word, then a field word
_ASKS = re.compile(r"(?:문서|공문|파일|자료|보고서|이\s*글)\S*\s*(?:의\s*)?(제목|작성\s*일자?|시행\s*일자?|날짜|"
                   r"기관|발신|부서|문서\s*번호|번호)")
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
            pattern = rf"(?:^|\n|\s{{2,}}|\|)\s*{label}\s*[:：]?\s*(?!\s*\|)([^\n|]{{2,80}}?)\s*(?=\n|\||\s{{2,}}|$)"
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
    return None
