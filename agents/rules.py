"""Rule-based structured extraction: a JSON Schema's top-level fields filled from passages, no LLM.

Each property's name, title, description, type and format pick what to look for (a date, an amount
of money, a phone number, an organisation, a labelled value); the value is typed per the schema.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from agents.extractive import Passage
from agents.lexicons import alternation, lexicon
from agents.weights import WEIGHTS


@dataclass(frozen=True)
class Span:
    chunk_id: int
    start: int
    end: int


@dataclass(frozen=True)
class FieldMatch:
    """A field's typed value and where its source text is (passage.text[start:end])."""

    value: object  # str / int / float / bool / list
    chunk_id: int
    start: int
    end: int
    spans: tuple[Span, ...] = ()  # arrays: one span per item
    labelled: bool = False  # next to a label naming the field (else: the first value of its kind)


@dataclass(frozen=True)
class _Found:
    """A value of some kind found in a passage: raw source span plus its parsed form."""

    passage: int
    start: int
    end: int
    parsed: object  # date tuple, int won, float percent, or the cleaned string


# ---------------------------------------------------------------- value patterns

_WORDS = lexicon("document_words")  # agents/lexicons/document_words.tsv
_PARTICLE = alternation(_WORDS["particle"])
_AFTER_WORD = rf"(?=[\s,.()\[\]「」『』\"'·:;/]|$|{_PARTICLE}|장\b)"
_NUMBER = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
_FULL_DATE = re.compile(r"(?<!\d)(\d{4})\s*년\s*(\d{1,2})\s*월\s*(\d{1,2})\s*일"
                        r"|(?<![\d.])(\d{4})\s*([-./])\s*(\d{1,2})\s*\5\s*(\d{1,2})(?![\d])\.?")
_YEAR_MONTH = re.compile(r"(?<!\d)(\d{4})\s*년\s*(\d{1,2})\s*월(?!\s*\d{1,2}\s*일)")
_MONTH_DAY = re.compile(r"(?<!\d)(\d{1,2})\s*월\s*(\d{1,2})\s*일")
_YEAR = re.compile(r"(?<!\d)(\d{4})\s*(?:년|[-./])")
_TIME = re.compile(r"\s*(?:\([^)]{1,3}\)\s*)?(?:(오전|오후)\s*)?(\d{1,2})\s*(?::\s*(\d{2})|시)")
# Amounts: figures with Korean units ("3억 5천만원", "1,200억 원", "150만원") or Hangul numerals
# ("오십만원"). A Hangul-numeral amount needs a word boundary before it and a unit in it: "연구원",
# "사원" are not 9원 and 4원.
_MONEY = re.compile(
    rf"(?<![\d.,])((?:(?:{_NUMBER})\s?(?:조|억|천만|백만|십만|만|천|백)\s?)+(?:{_NUMBER})?|(?:{_NUMBER}))\s?원"
    r"|(?<![가-힣])([일이삼사오육칠팔구]{0,6}[십백천만억조][일이삼사오육칠팔구십백천만억조]{0,8})\s?원"
    rf"(?!{alternation(word[1:] for word in _WORDS['not_won'])})"  # 원장, 원칙: not the currency
)
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
_PERSON_LABEL = re.compile(rf"{alternation(_WORDS['person_label'], spaced=True)}"
                           r"(?:\s*[:：]\s*|\s+)([가-힣]{2,4})(?=[\s,.)(·/]|$|님|씨|[은는이가을를의에와과])")
_NOT_NAME = re.compile(rf"{alternation(_WORDS['not_name'])}$")
_SEPARATOR = re.compile(r"\s*(?:[:：]|\s\|\s?|\|)\s*")
# a value ends at the next cell, line, list bullet, note mark or "label:" on the same line
_VALUE_END = re.compile(r"\s\|\s|\n|\s{3,}|\s*[◇◆□■○●▶※]|\s(?=[가-힣A-Za-z]{1,8}\s?[:：]\s)")
_YES = frozenset(_WORDS["yes"])
_NO = frozenset(_WORDS["no"])


def _korean_number(text: str) -> int | None:
    """"3억 5천만" → 350000000, "1,200억" → 120000000000, "오십만" → 500000, "천" → 1000."""
    digits = dict(zip("일이삼사오육칠팔구", range(1, 10)))
    small = {"십": 10, "백": 100, "천": 1000}
    large = {"만": 10**4, "억": 10**8, "조": 10**12}
    total, section, pending = 0.0, 0.0, None
    for number, unit in re.findall(rf"({_NUMBER}|[일이삼사오육칠팔구])|([십백천만억조])", text):
        if number:
            pending = float(number.replace(",", "")) if number[0].isdigit() else digits[number]
        elif unit in small:
            section += (1 if pending is None else pending) * small[unit]
            pending = None
        else:
            section += pending or 0
            total += (section or 1) * large[unit]
            section, pending = 0.0, None
    total += section + (pending or 0)
    return int(round(total)) if total else None


_FREE_KINDS = ("text", "title", "bool", "number", "person", "org")


def _find(kind: str, text: str, p: int) -> list[_Found]:
    """Every value of `kind` in one passage text."""
    found: list[_Found] = []
    if kind == "date":
        for m in _FULL_DATE.finditer(text):
            y, mo, d = (m.group(1), m.group(2), m.group(3)) if m.group(1) else (m.group(4), m.group(6), m.group(7))
            found.append(_Found(p, m.start(), m.end(), (int(y), int(mo), int(d))))
        found += [_Found(p, m.start(), m.end(), (int(m.group(1)), int(m.group(2)), None)) for m in _YEAR_MONTH.finditer(text)]
        taken = [(f.start, f.end) for f in found]
        for m in _MONTH_DAY.finditer(text):
            if any(s <= m.start() < e for s, e in taken):
                continue  # the month and day of a full date already found
            # "10월 10일(금)" after "2025년 10월 11일": the year is the last one written before it.
            years = [int(y.group(1)) for y in _YEAR.finditer(text, 0, m.start())]
            found.append(_Found(p, m.start(), m.end(), (years[-1] if years else None, int(m.group(1)), int(m.group(2)))))
    elif kind == "money":
        for m in _MONEY.finditer(text):
            amount = _korean_number(m.group(1) or m.group(2))
            if amount is not None and not (m.group(2) and text[max(0, m.start() - 1):m.start()] == "("):
                found.append(_Found(p, m.start(), m.end(), amount))
    elif kind == "percent":
        found += [_Found(p, m.start(), m.end(), float(m.group(1).replace(",", ""))) for m in _PERCENT.finditer(text)]
    elif kind == "phone":
        found += [_Found(p, m.start(), m.end(), m.group().strip()) for m in _PHONE.finditer(text)]
        found += [_Found(p, m.start(), m.end(), re.sub(r"\s*:?\s*(?=\d)", " ", m.group(), count=1))
                  for m in _EXTENSION.finditer(text)]
    elif kind == "email":
        found += [_Found(p, m.start(), m.end(), m.group()) for m in _EMAIL.finditer(text)]
    elif kind == "url":
        for m in _URL.finditer(text):
            url = m.group().rstrip(".,;:)]}")
            found.append(_Found(p, m.start(), m.start() + len(url), url))
    elif kind == "org":
        for m in _ORG.finditer(text):
            name = re.sub(rf"{_PARTICLE}$", "", m.group()) if not m.group().endswith(("주식회사", "㈜", "(주)")) else m.group()
            name = name if len(name) >= 3 else m.group()
            if not _NOT_ORG.search(name):
                found.append(_Found(p, m.start(), m.start() + len(name), name))
    elif kind == "person":
        for m in _PERSON_LABEL.finditer(text):
            name = m.group(1)
            if len(name) == 4 and re.search(rf"{_PARTICLE}$", name):  # "박서준은": name + particle
                name = name[:3]
            if not _NOT_NAME.search(name):
                found.append(_Found(p, m.start(1), m.start(1) + len(name), name))
    elif kind == "number":
        found += [_Found(p, m.start(), m.end(), float(m.group().replace(",", "")))
                  for m in re.finditer(rf"(?<![\d.,])(?:{_NUMBER})", text)]
    return found


# ---------------------------------------------------------------- what a property asks for

_KIND_WORDS = tuple(lexicon("field_kinds").items())  # first match wins: the more specific kinds come first
_KIND_LABELS = lexicon("field_labels")  # generic labels of each kind ("금액", "성명")
_ENGLISH = {english: korean for english, (korean, *_) in lexicon("english_labels").items()}
_NAME_WORDS = lexicon("field_names")


def _schema_type(prop: dict) -> tuple[str, dict]:
    """The property's one non-null type and the sub-schema that carries it (anyOf [X, null] unwrapped)."""
    for alternative in prop.get("anyOf", prop.get("oneOf", [])):
        if alternative.get("type") not in (None, "null"):
            return _schema_type({**prop, **alternative, "anyOf": [], "oneOf": []})
    kind = prop.get("type", "string")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), "string")
    if "enum" in prop and "type" not in prop:
        kind = "enum"
    return kind, prop


def _value_kind(name: str, prop: dict, json_type: str) -> str:
    if json_type == "boolean":
        return "bool"
    fmt = prop.get("format", "")
    if fmt in ("date", "date-time"):
        return "date"
    if fmt in ("email", "idn-email", "uri", "url", "iri"):
        return "email" if "email" in fmt else "url"
    text = " ".join([name, prop.get("title", ""), prop.get("description", "")])
    english = {w.lower() for w in re.findall(r"[A-Za-z]+(?:-[A-Za-z]+)?", re.sub(r"([a-z])([A-Z])", r"\1 \2", text))}
    if re.search(r"[가-힣](?:율|률)$", name):
        return "percent"  # 수수료율, 영업이익률 (before "이익" makes it money)
    for kind, keys in _KIND_WORDS:
        # English keys are whole words ("tel" is not in "hotel"); Korean keys may sit inside a compound.
        if any(k in english if k.isascii() else k in text for k in keys):
            return kind
    if name.lower().endswith(("_at", "_on", "_date")):
        return "date"
    if re.search(r"[가-힣](?:일|날)$", name) and not name.endswith(_NAME_WORDS["not_date"]):
        return "date"  # 계약일, 출시일, 시행일
    if re.search(r"[가-힣]액$|[가-힣]비$", name) and not name.endswith(_NAME_WORDS["not_money"]):
        return "money"  # 지원액, 숙박비
    return "number" if json_type in ("integer", "number") else "text"


def _labels(name: str, prop: dict, kind: str, kiwi) -> list[tuple[str, float]]:
    """Strings that, written in a document before a value, say the value is this field's."""
    labels: list[tuple[str, float]] = []
    words = [w.lower() for w in re.findall(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])", name)]
    w = WEIGHTS
    if re.search(r"[가-힣]", name):
        labels.append((name, w.label_own_name))
    elif words:
        labels.append((" ".join(words), w.label_english))  # an English document's own label
        if all(word in _ENGLISH for word in words):
            labels.append(("".join(_ENGLISH[word] for word in words), w.label_own_name))
    for text in (prop.get("title", ""), prop.get("description", "")):
        if re.search(r"[가-힣]", text) and len(text) <= w.label_title_chars:
            labels.append((re.sub(r"\s*\(.*?\)\s*", "", text), w.label_title))
    if kiwi is not None:  # the name's own nouns, when the document words it differently
        nouns = [t.form for t in kiwi.tokenize(name) if t.tag in ("NNG", "NNP") and len(t.form) >= 2]
        labels += [(noun, w.label_noun) for noun in nouns if noun != name]
    if re.fullmatch(r"[가-힣]{2,}[일액비율률자]", name):
        labels.append((name[:-1], w.label_stem))  # 시행일 → "2025년 1월 1일부터 시행한다"
    labels += [(label, w.label_noun) for label in _KIND_LABELS.get(kind, ())]
    # one-character labels ("명", "일") occur inside every other word
    return [(label, strength) for label, strength in labels if len(label.replace(" ", "")) >= 2]


def _label_pattern(label: str) -> re.Pattern:
    # "신규채용인원" must also find "신규 채용 인원": any spacing between the label's characters.
    return re.compile(r"\s*".join(re.escape(c) for c in label.replace(" ", "")), re.IGNORECASE)


# ---------------------------------------------------------------- choosing and typing


_SENTENCE_END = re.compile(r"[.!?](?:\s|$)|다\.")  # a label in the previous sentence names something else


def _anchor(found: _Found, text: str, hits: list[tuple[int, int, float]]) -> float:
    """How strongly a label next to the value names it: before it on its line ("계약금액: 1억 원"), on a
    short line just above it ("1. 점검 일시" / next line), or right after it ("250원의 유류비")."""
    w = WEIGHTS
    best = 0.0
    for start, end, strength in hits:
        if end <= found.start:
            gap = text[end:found.start]
            if len(gap) <= w.anchor_line_chars and "\n" not in gap and not _SENTENCE_END.search(gap):
                best = max(best, strength * (1.0 - len(gap) / w.anchor_line_fade_chars))
            elif gap.count("\n") == 1 and len(gap) <= w.anchor_above_chars:
                best = max(best, w.anchor_above * strength)
        elif start >= found.end:
            gap = text[found.end:start]
            if len(gap) <= w.anchor_after_chars and "\n" not in gap and not re.search(r"[.,|]", gap):
                best = max(best, w.anchor_after * strength * (1.0 - len(gap) / w.anchor_after_fade_chars))
    return best


def _typed(kind: str, found: _Found, text: str, json_type: str, prop: dict):
    """The value in the schema's type, or None when this value cannot be written as that type."""
    parsed, source = found.parsed, text[found.start:found.end]
    if kind == "date":
        year, month, day = parsed
        try:
            dt.date(year or 2000, month, day or 1)
        except ValueError:
            return None
        if json_type != "string":
            return None
        if prop.get("format") in ("date", "date-time"):
            if year is None or day is None:
                return None  # a partial date is not a valid ISO date
            if prop.get("format") == "date-time":
                time = _TIME.match(text, found.end)
                hour, minute = (int(time.group(2)), int(time.group(3) or 0)) if time else (0, 0)
                hour += 12 if time and time.group(1) == "오후" and hour < 12 else 0
                return f"{year:04d}-{month:02d}-{day:02d}T{hour:02d}:{minute:02d}:00"
            return f"{year:04d}-{month:02d}-{day:02d}"
        if year is None:
            return source
        return f"{year:04d}-{month:02d}" + (f"-{day:02d}" if day else "")
    if json_type in ("integer", "number") and isinstance(parsed, str):
        money = _MONEY.search(source)
        number = re.match(rf"\s*({_NUMBER})\s*[가-힣%]{{0,3}}\s*$", source)
        parsed = (_korean_number(money.group(1) or money.group(2)) if money
                  else float(number.group(1).replace(",", "")) if number else None)
    if json_type == "integer":
        return int(parsed) if isinstance(parsed, (int, float)) and float(parsed).is_integer() else None
    if json_type == "number":
        return parsed if isinstance(parsed, (int, float)) else None
    if json_type == "boolean":
        word = source.strip().lower()
        return True if word in _YES else False if word in _NO else None
    if json_type == "string":
        return source.strip() if kind in ("money", "percent", "number") else str(parsed).strip()
    return None


def _labelled_values(text: str, p: int, hits: list[tuple[int, int, float]]) -> list[tuple[_Found, float]]:
    """"계약기간: 2024.1.1 ~ 2024.12.31" → the text after a label and its separator, to the line's end."""
    values = []
    for start, end, strength in hits:
        line_start = text.rfind("\n", 0, start) + 1
        line_end = text.find("\n", end) % (len(text) + 1)
        line, below = text[line_start:line_end], text[line_end + 1:text.find("\n", line_end + 1) % (len(text) + 1)]
        previous = text[text.rfind("\n", 0, max(0, line_start - 1)) + 1:max(0, line_start - 1)]
        if " | " in line and " | " in below and " | " not in previous and not re.search(r"\d", line):
            continue  # a table's header row (first of several, no figures): the next cell is another header
        if _rendered_row(line) and (_rendered_row(below) or _rendered_row(previous)):
            continue  # a cell of a column ("등급: 극비" in one row of many): _table_column reads columns
        separator = _SEPARATOR.match(text, end)
        if separator is None and not (start == line_start and text[end:end + 1] in (" ", "\t")
                                      and strength >= 0.9 and line_end - line_start <= 60):
            continue  # "label value" without ":" only for the field's own name starting a short line (a form)
        begin = separator.end() if separator else end
        while begin < len(text) and text[begin] in " \t":
            begin += 1
        stop = _VALUE_END.search(text, begin)
        finish = stop.start() if stop else len(text)
        value = text[begin:finish].rstrip(" .,;")
        if value and len(value) <= WEIGHTS.value_max_chars:
            values.append((_Found(p, begin, begin + len(value), value), strength))
    return values


def _line_at(text: str, position: int) -> str:
    end = text.find("\n", position)
    return text[text.rfind("\n", 0, position) + 1:end if end >= 0 else len(text)]


def _in_column(text: str, position: int) -> bool:
    """The position is in a rendered table row with another rendered row above or below it."""
    start = text.rfind("\n", 0, position) + 1
    end = text.find("\n", position)
    end = end if end >= 0 else len(text)
    above = _line_at(text, start - 2) if start >= 2 else ""
    below = _line_at(text, end + 1) if end + 1 < len(text) else ""
    return _rendered_row(text[start:end]) and (_rendered_row(above) or _rendered_row(below))


def _rendered_row(line: str) -> bool:
    """A table row as ingest renders it (issue 15): "header: value · header: value"."""
    cells = line.split(" · ")
    return len(cells) >= 2 and all(": " in cell for cell in cells)


def _table_column(text: str, p: int, label: re.Pattern) -> list[_Found]:
    """Cells under a table header cell that matches the label, one per data row."""
    cells: list[_Found] = []
    column, position = None, 0
    for line in text.split("\n"):
        if _rendered_row(line):  # "직급: 부장 · 숙박비(1박 상한): 120,000원": the value named by the label
            offset = 0
            for cell in line.split(" · "):
                name, _, value = cell.partition(": ")
                if value.strip() and label.search(name):
                    start = position + offset + len(name) + 2
                    cells.append(_Found(p, start, start + len(value), value.strip()))
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
                cells.append(_Found(p, s, e, text[s:e].strip()))
        else:
            column = None
        position += len(line) + 1
    return cells


_PEOPLE = re.compile(alternation(_NAME_WORDS["headcount"], spaced=True), re.IGNORECASE)


def _field(name: str, prop: dict, passages: list[Passage], kiwi) -> FieldMatch | None:
    json_type, prop = _schema_type(prop)
    if json_type in ("object", "null"):
        return None
    is_array = json_type == "array"
    item_type, item = _schema_type(prop.get("items", {"type": "string"})) if is_array else (json_type, prop)
    enum = prop.get("enum") or item.get("enum")
    kind = "enum" if enum else _value_kind(name, {**item, **prop}, item_type)
    labels = [(_label_pattern(label), strength) for label, strength in _labels(name, prop, kind, kiwi)]
    if kind == "number":  # a bare figure is anything: only the field's own name or description labels it
        labels = [(pattern, strength) for pattern, strength in labels if strength >= WEIGHTS.label_number_floor]
    hits = [[(m.start(), m.end(), strength) for pattern, strength in labels for m in pattern.finditer(passage.text)]
            for passage in passages]
    scored: list[tuple[float, int, _Found, object]] = []  # (anchor, order, found, typed value)

    def add(found: _Found, anchor: float, found_kind: str) -> None:
        typed = _typed(found_kind, found, passages[found.passage].text, item_type, item)
        if typed is not None:
            scored.append((anchor, len(scored), found, typed))

    if kind == "enum":
        for p, passage in enumerate(passages):
            for value in (v for v in enum if v is not None):
                for m in _label_pattern(str(value)).finditer(passage.text):
                    found = _Found(p, m.start(), m.end(), value)
                    if _in_column(passage.text, m.start()):
                        continue  # one row of a table listing the choices ("등급: 극비" of four rows) settles nothing
                    scored.append((_anchor(found, passage.text, hits[p]), len(scored), found, value))
        return _choose(scored, kind, is_array, prop, passages)
    people = _PEOPLE.search(" ".join([name, prop.get("description", "")])) is not None
    for p, passage in enumerate(passages):
        text = passage.text
        cells = [(c, strength * _table_share(cs))
                 for pattern, strength in labels[:1] for cs in [_table_column(text, p, pattern)] for c in cs]
        for found in _find(kind, text, p):
            if kind == "number" and people and not text.startswith("명", found.end):
                continue  # a head count is written "45명"
            # a value in a table cell under the field's header is labelled by that header
            column = max((a for c, a in cells if c.start <= found.start and found.end <= c.end), default=0.0)
            # In a rendered row every header sits beside every value: only the named cell labels it.
            add(found, column if _rendered_row(_line_at(text, found.start)) else
                max(_anchor(found, text, hits[p]), column), kind)
    # The text after the field's own label: the value itself for free-text kinds; for a typed kind
    # (date, amount, phone...) only when the passages hold no such value and a plain string will do.
    if kind in _FREE_KINDS or (not scored and item_type == "string" and not item.get("format")):
        for p, passage in enumerate(passages):
            for found, anchor in _labelled_values(passage.text, p, hits[p]):
                # "작성자: 윤태호 선임": the name the person pattern found beats the whole line
                add(found, anchor * (WEIGHTS.named_line if kind in ("person", "org") else 1.0), "text")
            for pattern, strength in labels[:1]:
                cells = _table_column(passage.text, p, pattern)
                # one data row: the cell is the value; many rows: weak, mostly for arrays
                for cell in cells:
                    add(cell, strength * _table_share(cells), "text")
    if kind == "title" and passages and passages[0].text.strip():
        first = passages[0].text.strip().split("\n", 1)[0]
        start = passages[0].text.index(first)
        add(_Found(0, start, start + len(first), first), WEIGHTS.title_first_line, "text")
    return _choose(scored, kind, is_array, prop, passages)


_LABELLED = WEIGHTS.labelled  # weaker anchors are a many-row table column or the document's first line
_LABELLED_ITEM = WEIGHTS.labelled_item  # ...but a many-row column is exactly what an array field wants


def _table_share(cells: list[_Found]) -> float:
    """A header's one data-row cell is the value; in a many-row column each cell is only a weak candidate."""
    return WEIGHTS.table_one_row if len(cells) == 1 else WEIGHTS.table_many_rows


def _choose(scored, kind: str, is_array: bool, prop: dict, passages: list[Passage]) -> FieldMatch | None:
    if not scored:
        return None
    if is_array:
        labelled = [s for s in scored if s[0] >= _LABELLED_ITEM]
        # labelled values when there are any ("숙박비" column); else every value of a specific kind
        # (every enum value the text names, every date, phone, organisation...)
        pool = labelled if labelled or kind in ("text", "bool", "number") else scored
        items, spans, seen = [], [], set()
        for _, _, found, value in sorted(pool, key=lambda s: (s[2].passage, s[2].start)):
            for part in (_split_list(value) if isinstance(value, str) and kind == "text" else [value]):
                if repr(part) not in seen:
                    seen.add(repr(part))
                    items.append(part)
                    spans.append(Span(passages[found.passage].chunk_id, found.start, found.end))
        items, spans = items[: prop.get("maxItems", len(items))], spans[: prop.get("maxItems", len(spans))]
        if not items:
            return None
        return FieldMatch(items, spans[0].chunk_id, spans[0].start, spans[0].end, tuple(spans), bool(labelled))
    anchor, _, found, value = max(scored, key=lambda s: (s[0], -s[1]))
    if anchor < _LABELLED and kind in ("text", "number", "bool", "person"):
        return None  # a bare number or phrase without its label could be anything
    if anchor < _LABELLED and kind == "enum" and len({repr(s[3]) for s in scored}) > 1:
        return None  # several enum values appear and none is labelled: no way to tell
    return FieldMatch(value, passages[found.passage].chunk_id, found.start, found.end, labelled=anchor >= _LABELLED)


def _split_list(value: str) -> list[str]:
    parts = [part.strip() for part in re.split(r"\s*[,，、;]\s*", value)]
    return [part for part in parts if part]


def extract_fields(schema: dict, passages: list[Passage], kiwi=None) -> dict[str, FieldMatch | None]:
    """Fill a JSON Schema's top-level properties from the passages by rules; None where nothing fits.

    A value next to a label naming the field wins; otherwise a specific kind (date, amount, phone,
    email, URL, organisation) takes the first such value in passage order, and a plain string or
    number stays None.
    """
    defs = {**schema.get("definitions", {}), **schema.get("$defs", {})}
    return {name: _field(name, _resolve(prop, defs), passages, kiwi)
            for name, prop in schema.get("properties", {}).items()}


def _resolve(prop, defs: dict) -> dict:
    """Inline "$ref": "#/$defs/X" (pydantic writes Enum and nested-model fields that way), one level deep."""
    if not isinstance(prop, dict):
        return {}
    if "$ref" in prop:
        target = defs.get(prop["$ref"].rsplit("/", 1)[-1], {})
        prop = {**target, **{k: v for k, v in prop.items() if k != "$ref"}}
    for key in ("anyOf", "oneOf"):
        if key in prop:
            prop = {**prop, key: [_resolve(alternative, defs) for alternative in prop[key]]}
    if isinstance(prop.get("items"), dict):
        prop = {**prop, "items": _resolve(prop["items"], defs)}
    return prop
