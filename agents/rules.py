"""Rule-based structured extraction: a JSON Schema's top-level fields filled from passages, no LLM.

Each property's name, title, description, type and format pick what to look for (a date, an amount
of money, a phone number, an organisation, a labelled value); the value is typed per the schema.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from agents.extractive import Passage
from agents.letterhead import ROLES, Part, letterhead, role_of
from agents.lexicons import alternation, lexicon
from agents.rule_values import (FREE_KINDS, PARTICLE, Found, find, in_column, labelled_values, line_at,
                                rendered_row, table_column, typed)
from agents.weights import WEIGHTS
from ingest.numbers import KoreanDate


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
    labelled: bool = False  # next to a label naming the field, or in the place the document's layout gives it
    how: str = ""  # what named it: "라벨 '수신'", "공문 머리: 시행", "표 열 '합계'"

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
    if re.search(r"[가-힣]액$|[가-힣]비$|(?:보증|선급|지원|상|계약|잔|예치)금$", name) and not name.endswith(_NAME_WORDS["not_money"]):
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
    role = role_of(name, prop.get("title", ""))
    if role:  # 수신자 is labelled "수신" too, 시행일자 "시행일"
        labels += [(word, w.label_own_name) for word in ROLES[role] if re.search(r"[가-힣]", word) and word != name]
    if role not in ("sender", "recipient", "via"):  # "기관명" names some organisation, not the 수신
        labels += [(label, w.label_noun) for label in _KIND_LABELS.get(kind, ())]
    # one-character labels ("명", "일") occur inside every other word
    return [(label, strength) for label, strength in labels if len(label.replace(" ", "")) >= 2]


def _label_pattern(label: str) -> re.Pattern:
    # "신규채용인원" must also find "신규 채용 인원": any spacing between the label's characters.
    return re.compile(r"\s*".join(re.escape(c) for c in label.replace(" ", "")), re.IGNORECASE)


# ---------------------------------------------------------------- choosing and typing


_SENTENCE_END = re.compile(r"[.!?](?:\s|$)|다\.")  # a label in the previous sentence names something else


def _anchor(found: Found, text: str, hits: list[tuple[int, int, float]]) -> float:
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


# "(단위: 천원)", "만원 단위": an integer money field counted in a larger unit than 원
_PEOPLE = re.compile(alternation(_NAME_WORDS["headcount"], spaced=True), re.IGNORECASE)


def _from_letterhead(name: str, prop: dict, item_type: str, passages: list[Passage],
                     header: dict[str, Part]) -> FieldMatch | None:
    """A field the 공문 header names (수신, 제목, 시행 번호·일자, 발신명의), from that place."""
    part = header.get(role_of(name, prop.get("title", "")) or "")
    if part is None:
        return None
    text = passages[part.passage].text
    value = typed("date" if isinstance(part.value, KoreanDate) else "text",
                   Found(part.passage, part.start, part.end, part.value), text, item_type, prop)
    if value is None:
        return None
    return FieldMatch(value, passages[part.passage].chunk_id, part.start, part.end, labelled=True,
                      how=f"공문 머리: {part.label}")


def _whole(text: str, start: int, end: int, strength: float) -> bool:
    """A label is a word, not the tail of a figure ("3학년" is no "학년" label); a noun of the field's name
    is not a label inside another compound ("계약" in "총 계약금액" does not name 계약보증금)."""
    if start and text[start - 1].isdigit():
        return False
    if strength > WEIGHTS.label_noun:
        return True
    before = text[start - 1] if start else " "
    after = text[end:end + 1]
    # a particle or 하다/되다 may follow ("신고하여야" still speaks of 신고); another noun may not
    return not re.match(r"[가-힣]", before) and not (re.match(r"[가-힣]", after)
                                                    and not re.match(rf"{PARTICLE}|[하한할해됩되된]", text[end:]))


def _field(name: str, prop: dict, passages: list[Passage], kiwi, header: dict[str, Part] | None = None,
           why: list[str] | None = None) -> FieldMatch | None:
    why = why if why is not None else []
    json_type, prop = _schema_type(prop)
    if json_type in ("object", "null"):
        why.append("객체 항목은 규칙으로 채우지 않음")
        return None
    if json_type != "array" and header:
        placed = _from_letterhead(name, prop, json_type, passages, header)
        if placed is not None:
            return placed
    is_array = json_type == "array"
    item_type, item = _schema_type(prop.get("items", {"type": "string"})) if is_array else (json_type, prop)
    enum = prop.get("enum") or item.get("enum")
    kind = "enum" if enum else _value_kind(name, {**item, **prop}, item_type)
    labels = [(_label_pattern(label), strength) for label, strength in _labels(name, prop, kind, kiwi)]
    if kind == "number":  # a bare figure is anything: only the field's own name or description labels it
        labels = [(pattern, strength) for pattern, strength in labels if strength >= WEIGHTS.label_number_floor]
    hits = [[(m.start(), m.end(), strength) for pattern, strength in labels for m in pattern.finditer(passage.text)
             if _whole(passage.text, m.start(), m.end(), strength)] for passage in passages]
    scored: list[tuple[float, int, Found, object]] = []  # (anchor, order, found, typed value)

    def add(found: Found, anchor: float, found_kind: str) -> None:
        value = typed(found_kind, found, passages[found.passage].text, item_type, item)
        if isinstance(value, str) and name.endswith("번호") and not re.search(r"\d", value):
            return  # a 번호 without a digit is an instruction or a blank, not a number
        if value is not None:
            scored.append((anchor, len(scored), found, value))

    if kind == "enum":
        for p, passage in enumerate(passages):
            for value in (v for v in enum if v is not None):
                for m in _label_pattern(str(value)).finditer(passage.text):
                    found = Found(p, m.start(), m.end(), value)
                    if in_column(passage.text, m.start()):
                        continue  # one row of a table listing the choices ("등급: 극비" of four rows) settles nothing
                    scored.append((_anchor(found, passage.text, hits[p]), len(scored), found, value))
        return _choose(scored, kind, is_array, prop, passages, why)
    people = _PEOPLE.search(" ".join([name, prop.get("description", "")])) is not None
    for p, passage in enumerate(passages):
        text = passage.text
        cells = [(c, strength * _table_share(cs))
                 for pattern, strength in labels[:1] for cs in [table_column(text, p, pattern)] for c in cs]
        for found in find(kind, text, p):
            if kind == "number" and people and not text.startswith("명", found.end):
                continue  # a head count is written "45명"
            # a value in a table cell under the field's header is labelled by that header
            column = max((a for c, a in cells if c.start <= found.start and found.end <= c.end), default=0.0)
            # In a rendered row every header sits beside every value: only the named cell labels it.
            add(found, column if rendered_row(line_at(text, found.start)) else
                max(_anchor(found, text, hits[p]), column), kind)
    # The text after the field's own label: the value itself for free-text kinds; for a typed kind
    # (date, amount, phone...) only when the passages hold no such value and a plain string will do.
    if kind in FREE_KINDS or (not scored and item_type == "string" and not item.get("format")):
        for p, passage in enumerate(passages):
            for found, anchor in labelled_values(passage.text, p, hits[p]):
                # "작성자: 윤태호 선임": the name the person pattern found beats the whole line
                add(found, anchor * (WEIGHTS.named_line if kind in ("person", "org") else 1.0), "text")
            for pattern, strength in labels[:1]:
                cells = table_column(passage.text, p, pattern)
                # one data row: the cell is the value; many rows: weak, mostly for arrays
                for cell in cells:
                    add(cell, strength * _table_share(cells), "text")
    if kind == "title" and passages and passages[0].text.strip():
        start, end = _first_line(passages[0].text)
        # the first line is where a document's title lives: as good as a label, below a real "제목:" one
        add(Found(0, start, end, passages[0].text[start:end]), _LABELLED, "text")
    return _choose(scored, kind, is_array, prop, passages, why)


# A title line that ends in one of these goes on: "생산·수입 중단 보고대상 의료기기 및" / "보고 방법 …(안)".
_CONTINUES = re.compile(r"(?:및|또는|와|과|의|에|관한|위한|대한|[·,ㆍ(])$")


def _first_line(text: str) -> tuple[int, int]:
    """The document's title: its first non-empty line, and the next line when the first breaks off mid-phrase."""
    start = len(text) - len(text.lstrip())
    end = text.find("\n", start) % (len(text) + 1)
    following = text.find("\n", end + 1) % (len(text) + 1)
    if _CONTINUES.search(text[start:end].rstrip()) and 0 < following - end - 1 <= 60:
        end = following
    return start, end


_LABELLED = WEIGHTS.labelled  # weaker anchors are a many-row table column or the document's first line
_LABELLED_ITEM = WEIGHTS.labelled_item  # ...but a many-row column is exactly what an array field wants


def _table_share(cells: list[Found]) -> float:
    """A header's one data-row cell is the value; in a many-row column each cell is only a weak candidate."""
    return WEIGHTS.table_one_row if len(cells) == 1 else WEIGHTS.table_many_rows


def _choose(scored, kind: str, is_array: bool, prop: dict, passages: list[Passage],
            why: list[str]) -> FieldMatch | None:
    if not scored:
        why.append("문서에 이 항목을 가리키는 라벨도, 같은 종류의 값도 없음")
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
            why.append("라벨이 붙은 값이 없음")
            return None
        return FieldMatch(items, spans[0].chunk_id, spans[0].start, spans[0].end, tuple(spans), bool(labelled),
                          how="라벨" if labelled else f"문서의 모든 {kind} 값")
    anchor, _, found, value = max(scored, key=lambda s: (s[0], -s[1]))
    if anchor < _LABELLED:
        # Never the first value of a kind: a 공문's recipient is an organisation too, and a referenced
        # letter has a date too. A field without its label (or its place in the layout) stays empty.
        distinct = len({repr(s[3]) for s in scored})
        why.append(f"라벨 없이 같은 종류의 값만 {distinct}개 있어 고르지 않음" if distinct > 1
                   else "라벨 없이 같은 종류의 값 하나만 있어 이 항목의 값인지 알 수 없음")
        return None
    text = passages[found.passage].text
    label = _label_before(text, found.start)
    first = found.passage == 0 and found.start == len(text) - len(text.lstrip())
    how = f"라벨 '{label}'" if label else "문서 첫 줄 (제목 자리)" if first else "라벨 (윗줄)"
    return FieldMatch(value, passages[found.passage].chunk_id, found.start, found.end, labelled=True, how=how)


def _label_before(text: str, start: int) -> str:
    """The words right before a value on its line, for saying what named it."""
    line = text[text.rfind("\n", 0, start) + 1:start]
    words = re.findall(r"[가-힣A-Za-z]+", line)
    return " ".join(words[-2:])[:20]


def _split_list(value: str) -> list[str]:
    parts = [part.strip() for part in re.split(r"\s*[,，、;]\s*", value)]
    return [part for part in parts if part]


def extract_fields(schema: dict, passages: list[Passage], kiwi=None,
                   reasons: dict[str, str] | None = None) -> dict[str, FieldMatch | None]:
    """Fill a JSON Schema's top-level properties from the passages by rules; None where nothing fits.

    A value comes from a label naming the field (its name, title or a synonym from
    agents/lexicons/field_roles.tsv), a table column headed by it, or the place a 공문 header gives
    it (`agents.letterhead`); never from being the first value of its kind. `reasons` receives, for
    each field left None, why.
    """
    defs = {**schema.get("definitions", {}), **schema.get("$defs", {})}
    header = letterhead(passages)
    out = {}
    for name, prop in schema.get("properties", {}).items():
        why: list[str] = []
        out[name] = _field(name, _resolve(prop, defs), passages, kiwi, header, why)
        if out[name] is None and reasons is not None:
            reasons[name] = why[-1] if why else "찾지 못함"
    return out


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
