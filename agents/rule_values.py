"""The values the extraction rules (`agents.rules`) look for in a passage and how each is typed.

`find` lists every value of a kind in a text (dates and amounts through `ingest.numbers`, phone
numbers, e-mails, URLs, organisations, labelled people); `typed` writes one in a schema's type;
`labelled_values` and `table_column` read "라벨: 값" pairs and table columns; `clean` drops what is
never a value (table pipes, "(경유)", "OOO" blanks, the next cell's label).
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from agents.lexicons import alternation, lexicon
from agents.weights import WEIGHTS
from ingest.numbers import NUMBER as _NUMBER
from ingest.numbers import KoreanDate, find_amounts, find_dates, korean_number, parse_amount

@dataclass(frozen=True)
class Found:
    """A value of some kind found in a passage: raw source span plus its parsed form."""

    passage: int
    start: int
    end: int
    parsed: object  # date tuple, int won, float percent, or the cleaned string


# ---------------------------------------------------------------- value patterns

_WORDS = lexicon("document_words")  # agents/lexicons/document_words.tsv
PARTICLE = alternation(_WORDS["particle"])
_AFTER_WORD = rf"(?=[\s,.()\[\]「」『』\"'·:;/]|$|{PARTICLE}|장\b)"
_TIME = re.compile(r"\s*(?:\([^)]{1,3}\)\s*)?(?:(오전|오후)\s*)?(\d{1,2})\s*(?::\s*(\d{2})|시)")
_NOT_WON = _WORDS["not_won"]
_PERCENT = re.compile(rf"(?<![\d.,])({_NUMBER})\s*(?:%|퍼센트|프로(?![가-힣]))")
_PHONE = re.compile(r"(?<![\d-])(?:\+82[-\s]?)?(?:\(0\d{1,2}\)\s?|0\d{1,2}[-.)\s])\d{3,4}[-.\s]\d{4}(?![\d-])"
                    r"|(?<![\d-])1[5-9]\d{2}-\d{4}(?![\d-])")
_EXTENSION = re.compile(r"내선\s*(?:번호)?\s*:?\s*\d{3,5}(?!\d)")
_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
_URL = re.compile(r"https?://[^\s<>\"'|]+|(?<![@\w.])www\.[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+[^\s<>\"'|]*")
_ORG = re.compile(
    r"[가-힣A-Za-z0-9&]+\s?(?:주식회사|(?:\(주\)|㈜)(?![가-힣A-Za-z0-9]))|(?:주식회사|유한회사|\(주\)|㈜)\s?[가-힣A-Za-z0-9&]+"
    rf"|(?<![가-힣])[가-힣]{{2,20}}?{alternation(_WORDS['org_suffix'])}{_AFTER_WORD}"
)
# Words that end like an organisation but are not one (거래처 is a counterparty, 수석연구원 a job).
_NOT_ORG = re.compile(rf"{alternation(_WORDS['not_org'])}$")
_PERSON_LABEL = re.compile(rf"(?:{alternation(_WORDS['person_label'], spaced=True)}"
                           # a receipt's "대표" opening its line or after the business number ("… 90357 대표정민규")
                           r"|(?m:^)[ \t]*대[ \t]?표|(?<=\d )대표"
                           # "작성 주무관 기 다 원": 작성 (drafted by) names a person only before a job title
                           rf"|작[ \t]?성(?=[ \t]*(?:{alternation(_WORDS['job_title'])})[ \t]))"
                           r"(?:\((?:상호|한글|자필)\))?"  # a form's "성명(상호): 모 정 숙"
                           r"(?:[ \t]*[:：][ \t]*|[ \t]+"
                           r"|(?=[가-힣]{3}(?:\s|$)))"  # a receipt's OCR glues "대표정민규"
                           # "담당자 차장 민서진", "대표 약사: 맹지호": the title is skipped
                           # "담당자 : 사무국 과장 구하린": a unit before the title is skipped with it
                           rf"(?:[가-힣]{{2,10}}(?:국|과|팀|실|부|처|센터|본부)[ \t]+"
                           rf"(?=(?:{alternation(_WORDS['job_title'])})[ \t]))?"
                           rf"(?:(?:{alternation(_WORDS['job_title'])})[ \t]*[:：]?[ \t]+)?"
                           # the name, its letters spaced out or not ("대표 반 서 윤")
                           # (a spaced name may run into the next word of a form row: "성 명 표 하 윤 생년월일")
                           r"([가-힣]{2,4}|[가-힣](?: [가-힣]){1,3}(?![가-힣])(?! [가-힣](?![가-힣])))"
                           r"(?=[\s,.)(·/]|$|님|씨|[은는이가을를의에와과])")
def not_a_name(word: str) -> bool:
    """A role, title or office word ("검토자", "과장", "성명") where a person's name should be."""
    return _NOT_NAME.search(word.replace(" ", "")) is not None


_NOT_NAME = re.compile(rf"{alternation(_WORDS['not_name'])}$|^(?:{alternation(_WORDS['job_title'])})$")
# "label: value", "label | value", "수급자(을): value"; never across a line break (an empty form cell)
_SEPARATOR = re.compile(r"(?:[ \t]*\([^()\n]{1,6}\))?[ \t]*(?:[:：]|\s\|\s?|\|)[ \t]*")
# a value ends at the next cell (" | ", or " · " as ingest/structure_tables.py joins cells), line, list
# bullet, note mark or "label:" on the same line
_VALUE_END = re.compile(r"\s\d{1,2}\.[ ]?(?=[가-힣])|\s?\((?=0\d{1,2}[-)])|\s\|\s|\s·\s|\n|\s{3,}|\s*[◇◆□■○●▶※]|\s(?=[가-힣A-Za-z]{1,8}\s?[:：]\s)")
_YES = frozenset(_WORDS["yes"])
_NOT_VALUE = frozenset(_WORDS["not_value"])
_NO = frozenset(_WORDS["no"])


FREE_KINDS = ("text", "title", "bool", "number", "person", "org")


def find(kind: str, text: str, p: int) -> list[Found]:
    """Every value of `kind` in one passage text."""
    found: list[Found] = []
    if kind == "date":
        found += [Found(p, f.start, f.end, f.value) for f in find_dates(text)]
    elif kind == "money":
        found += [Found(p, f.start, f.end, f.value) for f in find_amounts(text, _NOT_WON)]
    elif kind == "percent":
        found += [Found(p, m.start(), m.end(), float(m.group(1).replace(",", ""))) for m in _PERCENT.finditer(text)]
    elif kind == "phone":
        found += [Found(p, m.start(), m.end(), m.group().strip()) for m in _PHONE.finditer(text)]
        found += [Found(p, m.start(), m.end(), re.sub(r"\s*:?\s*(?=\d)", " ", m.group(), count=1))
                  for m in _EXTENSION.finditer(text)]
    elif kind == "email":
        found += [Found(p, m.start(), m.end(), m.group()) for m in _EMAIL.finditer(text)]
    elif kind == "url":
        for m in _URL.finditer(text):
            url = m.group().rstrip(".,;:)]}")
            found.append(Found(p, m.start(), m.start() + len(url), url))
    elif kind == "org":
        for m in _ORG.finditer(text):
            name = re.sub(rf"{PARTICLE}$", "", m.group()) if not m.group().endswith(("주식회사", "㈜", "(주)")) else m.group()
            name = name if len(name) >= 3 else m.group()
            if not _NOT_ORG.search(name):
                found.append(Found(p, m.start(), m.start() + len(name), name))
    elif kind == "person":
        for m in _PERSON_LABEL.finditer(text):
            name = m.group(1)
            if " " in name:  # "반 서 윤"
                if _NOT_NAME.search(name.replace(" ", "")):
                    continue
                found.append(Found(p, m.start(1), m.end(1), name.replace(" ", "")))
                continue
            if len(name) == 4 and re.search(rf"{PARTICLE}$", name):  # "박서준은": name + particle
                name = name[:3]
            if not _NOT_NAME.search(name):
                found.append(Found(p, m.start(1), m.start(1) + len(name), name))
    elif kind == "number":
        found += [Found(p, m.start(), m.end(), float(m.group().replace(",", "")))
                  for m in re.finditer(rf"(?<![\d.,])(?:{_NUMBER})", text)]
    return found


_UNIT = re.compile(r"(천|백만|만|억)\s?원\s?단위|단위\s?[:：]?\s?(천|백만|만|억)\s?원")


def _won_unit(prop: dict) -> int:
    m = _UNIT.search(" ".join([prop.get("title", ""), prop.get("description", "")]))
    return korean_number("1" + (m.group(1) or m.group(2))) if m else 1


def typed(kind: str, found: Found, text: str, json_type: str, prop: dict):
    """The value in the schema's type, or None when this value cannot be written as that type."""
    parsed, source = found.parsed, text[found.start:found.end]
    if kind == "date" or isinstance(parsed, KoreanDate):
        if json_type != "string":
            return None
        if prop.get("format") in ("date", "date-time"):
            if not parsed.complete:
                return None  # a partial date is not a valid ISO date
            if prop.get("format") == "date-time":
                time = _TIME.match(text, found.end)
                hour, minute = (int(time.group(2)), int(time.group(3) or 0)) if time else (0, 0)
                hour += 12 if time and time.group(1) == "오후" and hour < 12 else 0
                return f"{parsed.iso()}T{hour:02d}:{minute:02d}:00"
            return parsed.iso()
        return source if parsed.year is None else parsed.iso()
    if json_type in ("integer", "number") and isinstance(parsed, str):
        number = re.match(rf"\s*({_NUMBER})\s*[가-힣%]{{0,3}}\s*$", source)
        amounts = find_amounts(source, _NOT_WON)
        parsed = (parse_amount(source) or (amounts[0].value if len(amounts) == 1 else None)
                  or (float(number.group(1).replace(",", "")) if number else None))
    if kind == "money" and json_type in ("integer", "number") and isinstance(parsed, (int, float)):
        unit = _won_unit(prop)
        parsed = parsed / unit if unit > 1 else parsed
    if json_type == "integer":
        return int(parsed) if isinstance(parsed, (int, float)) and float(parsed).is_integer() else None
    if json_type == "number":
        return parsed if isinstance(parsed, (int, float)) else None
    if json_type == "boolean":
        word = source.strip().lower()
        return True if word in _YES else False if word in _NO else None
    if json_type == "string":
        value = source.strip() if kind in ("money", "percent", "number") else clean(str(parsed))
        return value or None
    return None


_PLACEHOLDER = re.compile(r"[○◯]{2,}|O{3,}|X{3,}|\bOO\b")
_HEADER_CELL = re.compile(r"[가-힣]{0,6}(?:번호|명|일자|일시|주소|기간|금액|연락처)")


def clean(value: str) -> str:
    """A value without table pipes, bullets or brackets at its ends; "" when nothing but punctuation is left."""
    value = re.sub(r"\s*\n\s*", " ", re.sub(r"\s*\|\s*", " ", value)).strip(" \t,;:·-")  # a title over two lines
    value = re.sub(r"\(\s+주\s+\)\s*", "(주)", value)  # OCR spaces "(주)누리디지털" as "( 주 ) 누리디지털"
    value = re.sub(r"\s+(?:귀하|귀중)$", "", value)  # "해오름초등학교 귀하": the honorific is not the name
    value = re.sub(r"(?<![\d.])\.$", "", value) if not re.search(r"[A-Za-z]\.$", value) else value
    if value.startswith("(") and value.endswith(")") and value.count("(") == 1:
        value = value[1:-1].strip()  # "(경유)" is a cell label, "(2025.10.13.)" a reference
    if not re.search(r"[0-9A-Za-z가-힣]", value) or re.sub(r"[\s()\[\]]", "", value) in _NOT_VALUE:
        return ""
    if _PLACEHOLDER.search(value) or _HEADER_CELL.fullmatch(value):
        return ""  # "OOO 교수님", "○○○○과" are blanks to fill; "전화번호" is the next cell's label
    return value


def labelled_values(text: str, p: int, hits: list[tuple[int, int, float]]) -> list[tuple[Found, float]]:
    """"계약기간: 2024.1.1 ~ 2024.12.31" → the text after a label and its separator, to the line's end."""
    values = []
    for start, end, strength in hits:
        line_start = text.rfind("\n", 0, start) + 1
        line_end = text.find("\n", end) % (len(text) + 1)
        line, below = text[line_start:line_end], text[line_end + 1:text.find("\n", line_end + 1) % (len(text) + 1)]
        previous = text[text.rfind("\n", 0, max(0, line_start - 1)) + 1:max(0, line_start - 1)]
        if _row(line) and _row(below) and not _row(previous) and not re.search(r"\d", line):
            continue  # a table's header row (first of several, no figures): the next cell is another header
        if rendered_row(line) and (rendered_row(below) or rendered_row(previous)):
            continue  # a cell of a column ("등급: 극비" in one row of many): table_column reads columns
        separator = _SEPARATOR.match(text, end)
        if separator is None and not (start == line_start and text[end:end + 1] in (" ", "\t")
                                      and strength >= 0.9 and line_end - line_start <= 60):
            continue  # "label value" without ":" only for the field's own name starting a short line (a form)
        begin = separator.end() if separator else end
        while begin < len(text) and text[begin] in " \t":
            begin += 1
        stop = _VALUE_END.search(text, begin)
        finish = stop.start() if stop else len(text)
        value = re.sub(r"(?<=[다요음함])\.$", "", text[begin:finish].rstrip(" ,;"))  # a sentence's "." goes
        if value and len(value) <= WEIGHTS.value_max_chars:
            values.append((Found(p, begin, begin + len(value), value), strength))
    return values


def _row(line: str) -> bool:
    """A table row as text: cells joined by " | ", or by " · " as ingest/structure_tables.py renders them."""
    return " | " in line or " · " in line


def line_at(text: str, position: int) -> str:
    end = text.find("\n", position)
    return text[text.rfind("\n", 0, position) + 1:end if end >= 0 else len(text)]


def in_column(text: str, position: int) -> bool:
    """The position is in a rendered table row with another rendered row above or below it."""
    start = text.rfind("\n", 0, position) + 1
    end = text.find("\n", position)
    end = end if end >= 0 else len(text)
    above = line_at(text, start - 2) if start >= 2 else ""
    below = line_at(text, end + 1) if end + 1 < len(text) else ""
    return rendered_row(text[start:end]) and (rendered_row(above) or rendered_row(below))


def rendered_row(line: str) -> bool:
    """A table row as ingest renders it (ingest/structure_tables.py): "header: value · header: value"."""
    cells = line.split(" · ")
    return len(cells) >= 2 and all(": " in cell for cell in cells)


def table_column(text: str, p: int, label: re.Pattern) -> list[Found]:
    """Cells under a table header cell that matches the label, one per data row."""
    cells: list[Found] = []
    column, position = None, 0
    for line in text.split("\n"):
        if rendered_row(line):  # "직급: 부장 · 숙박비(1박 상한): 120,000원": the value named by the label
            offset = 0
            for cell in line.split(" · "):
                name, _, value = cell.partition(": ")
                if value.strip() and label.search(name):
                    start = position + offset + len(name) + 2
                    cells.append(Found(p, start, start + len(value), value.strip()))
                    break
                offset += len(cell) + 3
            column = None
        elif " | " in line:
            spans, offset = [], 0
            for cell in line.split(" | "):
                spans.append((position + offset, position + offset + len(cell)))
                offset += len(cell) + 3
            if column is None:
                column = next((i for i, (s, e) in enumerate(spans) if label.search(text[s:e])), -1)
            elif 0 <= column < len(spans) and text[spans[column][0]:spans[column][1]].strip():
                s, e = spans[column]
                cells.append(Found(p, s, e, text[s:e].strip()))
        else:
            column = None
        position += len(line) + 1
    return cells
