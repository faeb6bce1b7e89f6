"""What a JSON Schema property asks for, and which words in a document name it (for `agents.rules`).

`value_kind` reads a property's name, title and description as a kind of value (date, money, org…);
`labels` lists the strings that name the field in a document, each with a strength; `anchor` says how
strongly the labels around a value name it, `whole` whether a label match is a word of its own.
"""
from __future__ import annotations

import re

from agents.letterhead import ROLES, role_of
from agents.lexicons import lexicon
from agents.rule_values import PARTICLE, Found
from agents.weights import WEIGHTS

# ---------------------------------------------------------------- what a property asks for

_KIND_WORDS = tuple(lexicon("field_kinds").items())  # first match wins: the more specific kinds come first
_KIND_LABELS = lexicon("field_labels")  # generic labels of each kind ("금액", "성명")
_ENGLISH = {english: korean for english, (korean, *_) in lexicon("english_labels").items()}
NAME_WORDS = lexicon("field_names")


def schema_type(prop: dict) -> tuple[str, dict]:
    """The property's one non-null type and the sub-schema that carries it (anyOf [X, null] unwrapped)."""
    for alternative in prop.get("anyOf", prop.get("oneOf", [])):
        if alternative.get("type") not in (None, "null"):
            return schema_type({**prop, **alternative, "anyOf": [], "oneOf": []})
    kind = prop.get("type", "string")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), "string")
    if "enum" in prop and "type" not in prop:
        kind = "enum"
    return kind, prop


def value_kind(name: str, prop: dict, json_type: str) -> str:
    if json_type == "boolean":
        return "bool"
    fmt = prop.get("format", "")
    if fmt in ("date", "date-time"):
        return "date"
    if fmt in ("email", "idn-email", "uri", "url", "iri"):
        return "email" if "email" in fmt else "url"
    if name.strip() in ("갑", "을", "병", "정") and json_type == "string":
        return "org"  # a contract's party, whatever its description says of it ("을 (투자 기업)")
    text = " ".join([name, prop.get("title", ""), prop.get("description", "")])
    english = {w.lower() for w in re.findall(r"[A-Za-z]+(?:-[A-Za-z]+)?", re.sub(r"([a-z])([A-Z])", r"\1 \2", text))}
    if re.search(r"[가-힣](?:율|률)$", name):
        return "percent"  # 수수료율, 영업이익률 (before "이익" makes it money)
    if re.search(r"[가-힣]기간$", name.replace(" ", "")) and json_type == "string":
        return "text"  # the compound's head decides: 하자보수기간 is a period, though 보수 is pay
    if json_type == "string" and re.fullmatch(r"[가-힣 ]*[가-힣][^자인성주]명", name):
        return "text"  # 계약명, 사업명 (described "용역 이름"): a thing's name, not a person's (성명, 대표자명, 예금주명)
    if json_type == "string" and re.search(r"[가-힣](?:\s?)(?:지역|장소|위치|소재지|방법|내용|목적|사유|주기|대상|분야)$", name):
        return "text"  # 투자 지역 is a place, though 투자 is money
    numeric = json_type in ("integer", "number")
    for words in (name, text):  # the name first: "규정명" (규정 이름) is a title, not a person's 이름
        for kind, keys in _KIND_WORDS:
            if numeric and kind not in ("money", "percent", "number"):
                continue  # an integer "추천 기업 수" counts 기업; it is no organisation's name
            # English keys are whole words ("tel" is not in "hotel"); Korean keys may sit inside a compound.
            if any(k in english if k.isascii() else k in words for k in keys):
                return kind
    if name.lower().endswith(("_at", "_on", "_date")):
        return "date"
    if re.search(r"[가-힣](?:일|날)$", name) and not name.endswith(NAME_WORDS["not_date"]):
        return "date"  # 계약일, 출시일, 시행일
    if re.search(r"[가-힣]액$|[가-힣]비$|(?:보증|선급|지원|상|계약|잔|예치)금$", name) and not name.endswith(NAME_WORDS["not_money"]):
        return "money"  # 지원액, 숙박비
    return "number" if json_type in ("integer", "number") else "text"


_FAX = re.compile(r"팩스|전송|fax", re.IGNORECASE)


_SYNONYM_GROUPS = ("amount_due", "card_company", "release_date")


def synonyms_of(name: str) -> list[str]:
    """The other words forms print for a field named one of a synonym group's words (결제 금액: "받을 금액")."""
    compact = re.sub(r"\s", "", name)
    for group in _SYNONYM_GROUPS:
        words = NAME_WORDS[group]
        if compact in {re.sub(r"\s", "", word) for word in words}:
            return [word for word in words if re.sub(r"\s", "", word) != compact]
    return []


# words that qualify any amount or date ("연간 위탁운영비", "차기 회의일"): no label of their own
_QUALIFIER = re.compile(r"연간|월간|총|전체|최대|최소|평균|차기|다음|지난|이전|직전|향후|금년|올해|내년|전년")


def labels_of(name: str, prop: dict, kind: str, kiwi) -> list[tuple[str, float]]:
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
        # (a period's head noun, 기간, names every period: "유지보수 기간" is no 하자보수기간)
        labels += [(noun, w.label_noun) for noun in nouns if noun != name and not (noun == "기간" and kind == "text")]
        if kind == "date" and re.fullmatch(r"[가-힣]{2,}(?:일|일자)", name):  # a form's "착공년월일" for 착공일
            labels.append((re.sub(r"(?:일|일자)$", "", name) + "년월일", w.label_own_name))
        if kind == "date":  # "마감일" of 입찰마감일 is printed "마감" in a schedule's row: "제출 마감 | 2026. 10. 5."
            labels += [(noun[:-1], w.label_noun) for noun in nouns if noun.endswith("일") and len(noun) >= 3]
    have = {label for label, _ in labels}
    # a word the user wrote in the name ("비회원" of "비회원 교육비") names it better than its nouns ("회원")
    if kind not in ("phone", "email", "url", "person", "org"):
        labels += [(word, w.label_stem) for word in name.split()[:-1] if re.fullmatch(r"[가-힣]{2,}", word)
                   and word not in have and not _QUALIFIER.fullmatch(word)]
    if kind == "text" and re.fullmatch(r"[가-힣]{2,}명", name):
        labels.append((name[:-1] + "건명", w.label_own_name))  # 계약명 is written "계약건명" (건명: a matter's name)
    if re.sub(r"\s", "", name) in ("계약명", "계약건명"):  # a service contract prints it "용 역 명 : …"
        labels += [(word, w.label_own_name) for word in NAME_WORDS["contract_name"]]
    if re.fullmatch(r"[가-힣]{2,}[일액비율률자]", name):
        labels.append((name[:-1], w.label_stem))  # 시행일 → "2025년 1월 1일부터 시행한다"
    if re.sub(r"\s", "", name) in ("대표자", "대표자명", "대표자성명", "대표"):
        labels.append(("대표이사", w.label_own_name))  # a company's 대표자 signs as 대표이사
    compact = re.sub(r"\s", "", name)
    labels += [(word, w.label_title) for word in synonyms_of(name)]  # 결제 금액 is "받을 금액" too, 보도일 "보도시점"
    if compact in {re.sub(r"\s", "", word) for word in NAME_WORDS["total"]}:
        labels += [(word, w.label_title) for word in NAME_WORDS["amount_due"]]  # under its own "합계" (1.0)
    role = role_of(name, prop.get("title", ""))
    if role:  # 수신자 is labelled "수신" too, 시행일자 "시행일"
        labels += [(word, w.label_own_name) for word in ROLES[role] if re.search(r"[가-힣]", word) and word != name]
    generic = _KIND_LABELS.get(kind, ())
    if _FAX.search(name):  # a fax number is printed after 팩스 / 전송 / FAX, never after 전화 or 연락처
        generic = ()
        labels += [(word, w.label_own_name) for word in ("팩스", "전송", "FAX", "Fax")]
    if kind == "date" and not any(word in name for word in generic):
        generic = ()  # "일시" (an event's time) does not name 신청기한 or 계약일; it names 일자, 거래일시
    if kind == "person" and "담당" not in name:  # "담당자:" names the person in charge, not a 대표자 or 작성자
        generic = tuple(g for g in generic if g != "담당자")
    if role not in ("sender", "recipient", "via"):  # "기관명" names some organisation, not the 수신
        labels += [(label, w.label_noun) for label in generic]
    # one-character labels ("명", "일") occur inside every other word
    return [(label, strength) for label, strength in labels if len(label.replace(" ", "")) >= 2]


def label_pattern(label: str) -> re.Pattern:
    # "신규채용인원" must also find "신규 채용 인원": any spacing between the label's characters.
    return re.compile(r"\s*".join(re.escape(c) for c in label.replace(" ", "")), re.IGNORECASE)


# a label in the previous sentence (or headline phrase: "… 감면 … 총 3억") names something else
_SENTENCE_END = re.compile(r"[.!?](?:\s|$)|다\.|…")


def _names_another(gap: str) -> bool:
    """Between a weak label (a noun of the field's name) and a value: the label is part of a compound
    ("계약|기간: 2026. 1. 1."), or the value has a label of its own right before it ("선급금 1천만원")."""
    if re.match(r"\s*[:：|]", gap):
        return False  # "문의: 해오름시 … ☎ 031-…": the label opens a "label: value" span
    if re.match(r"\s(?:기간|장소|대상|방법|금액|일자|일시|번호)\s*[:：]", gap):
        # "계약 기간: …" names the 기간, not the 계약일 ("신청 기간:" not the 신청기한); a field whose own name
        # holds 기간 matches "계약 기간" with its own, stronger label and never gets here
        return True
    if re.match(r"[가-힣]", gap) and not re.match(rf"(?:{PARTICLE})+(?![가-힣])", gap):  # "투자로는" is no compound
        return True
    words = re.findall(r"[가-힣]+", gap)
    if any(re.fullmatch(r"[가-힣]{2,}[은는]", word) for word in words):
        return True  # "협약의 유효기간은 2025년 …": the value is the 유효기간's, a topic of its own
    return _labelled_after(gap)


def _labelled_after(gap: str) -> bool:
    """The gap ends with a word of two or more letters right before the value, not a particle: its own label."""
    words = re.findall(r"[가-힣]+", gap)
    last = words[-1] if words else ""
    return len(last) >= 2 and gap.rstrip().endswith(last) and not re.search(rf"(?:{PARTICLE})$", last)


def anchor_of(found: Found, text: str, hits: list[tuple[int, int, float]]) -> float:
    """How strongly a label next to the value names it: before it on its line ("계약금액: 1억 원"), on a
    short line just above it ("1. 점검 일시" / next line), or right after it ("250원의 유류비")."""
    w = WEIGHTS
    best = 0.0
    for start, end, strength in hits:
        if end <= found.start:
            gap = text[end:found.start]
            if strength < w.label_title and _names_another(gap):
                continue  # a part of the name ("계약" of 계약일) names another thing: "계약기간", "선급금 1천만원"
            if "," in gap and _labelled_after(gap):
                continue  # "계약금을 납부하고, 잔금 ₩3,150,000은": a later clause's value, under its own label
            if len(gap) <= w.anchor_line_chars and "\n" not in gap and not _SENTENCE_END.search(gap):
                best = max(best, strength * (1.0 - len(gap) / w.anchor_line_fade_chars))
            elif gap.count("\n") == 1 and len(gap) <= w.anchor_above_chars:
                best = max(best, w.anchor_above * strength)
        elif start >= found.end:
            gap = text[found.end:start]
            if len(gap) <= w.anchor_after_chars and "\n" not in gap and not re.search(r"[.,|]", gap):
                best = max(best, w.anchor_after * strength * (1.0 - len(gap) / w.anchor_after_fade_chars))
    return best


def split_compound(text: str, start: int, end: int, strength: float, others: set[str]) -> bool:
    """A weak label ("금액") that ends another field's label ("합계 금액:", as OCR splits "합계금액", when the
    schema has a 합계 field too): it names that field, not this one."""
    head = re.search(r"(?:^|\n|[:|]\s?)([가-힣]{2,})[ \t]?$", text[max(0, start - 12):start])
    return strength <= WEIGHTS.label_noun and head is not None and \
        (head.group(1) in others or head.group(1) + text[start:end].replace(" ", "") in others)


# words that make a label name another occasion than the document's own: 다음 회의, 차기 회의, 지난 회의
OTHER_OCCASION = re.compile(r"(?:다음|차기|지난|이전|직전|향후)\s*$")


# "차기 축제 개막: 2029. 1. 5.": one word between still makes it the other occasion's
_OTHER_OCCASION_WORD = re.compile(r"(?:다음|차기|지난|이전|직전|향후)\s+[가-힣]{1,6}\s*$")


def other_occasion(text: str, start: int, name: str) -> bool:
    """The label at `start` is preceded by 다음/차기/지난…, and the field's own name has no such word: "다음 회의:
    2026. 1. 27." is another meeting's date, not this one's 회의일 (but it is 차기 회의일's)."""
    return ((OTHER_OCCASION.search(text, max(0, start - 6), start) is not None
             or _OTHER_OCCASION_WORD.search(text, max(0, start - 14), start) is not None)
            and re.search(r"다음|차기|지난|이전|직전|향후", name) is None)


def names_another_word(text: str, start: int, end: int, strength: float, kind: str, name: str) -> bool:
    """A kind's generic label ("금액", "성명") right after a word the field's name lacks names that word's
    value: "계약 금액: 2,860만원" is the 계약금액, not the 선금 nor the 계약보증금. A field named by a generic word itself (일자,
    이메일) is asked of the document as a whole, and "거래 일시" is its value."""
    generic = _KIND_LABELS.get(kind, ())
    if strength > WEIGHTS.label_noun or re.sub(r"\s", "", text[start:end]) not in generic \
            or re.sub(r"\s", "", name) in generic:
        return False
    word = re.search(r"([가-힣]{2,})[ \t]?$", text[text.rfind("\n", 0, start) + 1:start])
    if word is None:
        return False
    # ("계약 금액" names the 계약금액, not the 계약보증금, though 계약 is a word of that name: the name goes on
    # after it to a sum of its own, …금; "지원 금액" still names 1인당 지원단가)
    compact = name.replace(" ", "")
    return word.group(1) not in compact or compact.split(word.group(1), 1)[1].endswith("금")


def whole(text: str, start: int, end: int, strength: float) -> bool:
    """A label is a word, not the tail of a figure ("3학년" is no "학년" label); a noun of the field's name
    is not a label inside another compound ("계약" in "총 계약금액" does not name 계약보증금)."""
    if start and text[start - 1].isdigit():
        return False
    run = re.match(r"(?:[ \t][가-힣](?![가-힣]))+", text[end:]) if " " in text[start:end].strip() else None
    if run and len(run.group().split()) != 3:
        # "계 약" of a form's spaced "계 약 금:" is not the word 계약, nor "보 도" of "보 도 자 료" 보도; but
        # "성 명 표 하 윤" is 성명 before a three-syllable name spaced out like its label
        return False
    if strength > WEIGHTS.label_noun:
        return True
    before = text[start - 1] if start else " "
    after = text[end:end + 1]
    # a particle or 하다/되다 may follow ("신고하여야" still speaks of 신고); another noun may not
    return not re.match(r"[가-힣]", before) and not (re.match(r"[가-힣]", after)
                                                    and not re.match(rf"{PARTICLE}|[하한할해됩되된]", text[end:]))
