"""Rule-based structured extraction: a JSON Schema's top-level fields filled from passages, no LLM.

Each property's name, title, description, type and format pick what to look for (a date, an amount
of money, a phone number, an organisation, a labelled value); the value is typed per the schema.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from agents.contract_terms import closing_date, defined_as, parties, representative
from agents.sentences import Passage, passage_lines
from agents.letterhead import Part, letterhead, role_of
from agents.lexicons import alternation, lexicon
from agents.rule_places import (_above_greeting, _article_rate, _CARD_FIELDS, _CARD_ISSUER, _CLOCK, _counted,
                                 _DISCOUNT, _DISCOUNT_LINE, _FRACTION, _header_unit, _headline, _INSTALMENTS,
                                 _NUMBER_AFTER, _PAYMENT_FIELDS, _PAYMENT_WORD, _PER_MONEY, _PERIOD_REMARK,
                                 _period_sentence, _REPORT_DATE, _signed_date, _SMALL_SUM, _table_unit, _UNIT_WORD)
from agents.rule_labels import (NAME_WORDS, anchor_of, label_pattern, labels_of, names_another_word, other_occasion,
                                schema_type, split_compound, synonyms_of, value_kind, whole)
from agents.rule_values import (FREE_KINDS, Found, find, in_column, labelled_values, line_at, not_a_name, rendered_row,
                                table_column, typed)
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


# ---------------------------------------------------------------- choosing and typing

# a head count field ("모집인원"): only a figure written with 명
_PEOPLE = re.compile(alternation(NAME_WORDS["headcount"], spaced=True), re.IGNORECASE)




_BARE_AMOUNT = re.compile(r"(?:약\s?|총\s?)?[\d,.]+\s?(?:억|만|천)?\s?(?:[\d,.]+\s?(?:만|천)?\s?)?(?:원|%|명|개|건|㎡)")
_AMOUNT_NAME = re.compile(r"금액|액$|비$|료$|수$|율$|률$|규모|면적|인원|예산|가격|단가")
_JOB_ONLY = re.compile(rf"{alternation(lexicon('document_words')['job_title'])}")
_NEXT_CELL_NAME = re.compile(r"\s*(?:\||·|:)\s*((?:[가-힣] ){1,3}[가-힣](?![가-힣])|[가-힣]{2,4}(?![가-힣]))")
_CALENDAR = re.compile(r"\s?(?:월|년|개월)")
_CALENDAR_FIELD = re.compile(r"월|년|개월|연도")
_HEAD_AFTER_ORG = re.compile(r"\s+(?:대표이사|대표자?|이사장|회장|원장|총장|사장|관장)"
                             r"\s+(?:(?:[가-힣] ){1,3}[가-힣]|[가-힣]{2,4})(?:\s*\([^)]*\))?$")
# acts with deadlines of their own: "납부 기한" is no 회신기한 ("제출 마감" may well be the 입찰마감일)
_OTHER_ACTS = frozenset({"납부", "신고", "신청", "접수", "등록", "회신", "입금", "결제", "지급", "공모"})
_DEFINING = re.compile(r"이하\s*[\"'“‘]?\s*$")  # '(이하 "발주자"라 한다)': a definition, not a label


def _another_deadline(text: str, start: int, end: int, act: str) -> bool:
    """A bare deadline word ("기한") right after another act ("신고·납부 기한: 7. 26.") is that act's deadline, not
    the one the field names (회신기한)."""
    if not re.fullmatch(r"기한|마감일?|시한", re.sub(r"\s", "", text[start:end])):
        return False
    word = re.search(r"([가-힣]{2,})[·\s]?$", text[max(0, start - 8):start])
    return word is not None and word.group(1) in _OTHER_ACTS and act not in word.group(1)


_MAIN_LINE = re.compile(r"대표\s?$")
# "담당 : 체육사업팀 대리 예하늘 (☎ …)", "노인복지팀 | 담당자 | 주무관 표하윤 (…)"; not "담당 부서: …"
_OWNER_LINE = re.compile(r"(?:^[ \t]*|\|[ \t]*)담\s?당(?:\s?자)?[ \t]*(?:[:：|][ \t]*|[ \t]+(?!부\s?서))[^\n]*", re.MULTILINE)
_BARE_FIGURE = re.compile(r"(?<![\w.,\-/:])\d{1,3}(?:,\d{3})+(?![\w.,\-/%:])|(?<![\w.,\-/:])\d{4,}(?![\w.,\-/%:])")


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


def _field(name: str, prop: dict, passages: list[Passage], kiwi, header: dict[str, Part] | None = None,
           why: list[str] | None = None, others: set[str] = frozenset()) -> FieldMatch | None:
    why = why if why is not None else []
    json_type, prop = schema_type(prop)
    if json_type in ("object", "null"):
        why.append("객체 항목은 규칙으로 채우지 않음")
        return None
    if json_type != "array" and header:
        part = header.get(role_of(name, prop.get("title", "")) or "")
        if part is not None and part.value == "":  # 접수 left blank, "수신자 참조" with no list: not a guess
            why.append(f"공문 머리의 '{part.label}' 자리가 비어 있음")
            return None
        placed = _from_letterhead(name, prop, json_type, passages, header)
        if placed is not None:
            return placed
    is_array = json_type == "array"
    item_type, item = schema_type(prop.get("items", {"type": "string"})) if is_array else (json_type, prop)
    enum = prop.get("enum") or item.get("enum")
    kind = "enum" if enum else value_kind(name, {**item, **prop}, item_type)
    labels = [(label_pattern(label), strength) for label, strength in labels_of(name, prop, kind, kiwi)]
    synonyms = {re.sub(r"\s", "", word) for word in synonyms_of(name)}
    shape = next((i for i, (pattern, _) in enumerate(_ID_FORMATS) if pattern.search(name.replace(" ", ""))), None)
    if shape is not None:  # a registration number under any of the labels forms print it with
        labels += [(label_pattern(label), WEIGHTS.label_own_name) for label in _ID_LABELS[shape]]
    if kind == "number":  # a bare figure is anything: only the field's own name or description labels it
        labels = [(pattern, strength) for pattern, strength in labels if strength >= WEIGHTS.label_number_floor]
    act = _deadline_act(name) if kind == "date" else None
    # "대표전화 033-769-5100" is the organisation's switchboard, not the number a 전화 field asks
    main_line = kind == "phone" and "대표" not in name + prop.get("description", "")
    hits = [[(m.start(), m.end(), strength * _qualified(passage.text, m.start(), strength, name))
             for pattern, strength in labels for m in pattern.finditer(passage.text)
             if whole(passage.text, m.start(), m.end(), strength) and not other_occasion(passage.text, m.start(), name)
             and not names_another_word(passage.text, m.start(), m.end(), strength, kind, name)
             and not split_compound(passage.text, m.start(), m.end(), strength, others)
             and not (kind == "phone" and main_line and _MAIN_LINE.search(passage.text, 0, m.start()))
             and not _DEFINING.search(passage.text, max(0, m.start() - 8), m.start())
             and not (act and _another_deadline(passage.text, m.start(), m.end(), act))]
            for passage in passages]
    scored: list[tuple[float, int, Found, object]] = []  # (anchor, order, found, typed value)

    placed: dict[tuple[int, int], str] = {}  # values read from a sentence's place, and what placed them

    def add(found: Found, anchor: float, found_kind: str) -> None:
        value = typed(found_kind, found, passages[found.passage].text, item_type, item)
        if kind in ("person", "text") and isinstance(value, str):
            value = re.sub(r"\s*\((?:서명|인|날인|印|직인\s?생략)\)$", "", value)  # "최 윤 서 (서명)": a seal mark
        if kind == "person" and isinstance(value, str):
            # "… 선임 봉세아 (내선 3142, …@…)", "… 연구원  도 하 람  (인)": contact details and a seal mark go
            value = re.sub(r"\s*\((?:0\d|내선|☎|전화|tel|인|서명)[^)]*\)\s*$", "", value, flags=re.IGNORECASE)
        if kind == "person" and isinstance(value, str):
            # a list ("연구원 도하람, 주임 백서린") name by name; a remark after a name ("홍 석 준 (207동 대표)",
            # "대리 우은별 (3명)") is not part of it
            value = ", ".join(_untitled(re.sub(r"\s*\([^()]*\)$", "", part)) for part in _split_list(value)) \
                if is_array else _untitled(re.sub(r"\s*\([^()]*\)$", "", value))
        if isinstance(value, str) and re.sub(r"\s", "", value) in others:
            return  # "도 급 인: 수 급 인": the next header, another field's name, is no value
        if kind == "text" and isinstance(value, str) and _BARE_AMOUNT.fullmatch(value) \
                and not _AMOUNT_NAME.search(name):
            return  # "285억 원" is no 투자 지역
        if kind == "person" and isinstance(value, str):  # "실장 계민호 010-3391-7026 / gabiad@…": the contact goes
            value = re.split(r"\s+(?=0\d{1,2}-\d|\(?0\d{1,2}\)|☎|/|[\w.]+@|(?:전화|팩스|전송|TEL|Tel)\b)", value)[0]
            value = _untitled(value) if " " in value else value
        if kind == "person" and isinstance(value, str) and _UNIT_WORD.search(value) \
                and not _SPLIT_NAME.fullmatch(value):
            return  # "사무국", "교무실": a unit is no person
        if kind == "person" and isinstance(value, str) and _JOB_ONLY.fullmatch(value.replace(" ", "")):
            # "| 담당자 | 주무관 | 피 소 연 |", "책임자: 과 장 · 엄 기 석": the name is in the next cell
            after = _NEXT_CELL_NAME.match(passages[found.passage].text, found.end)
            if after is None:
                return
            found = Found(found.passage, after.start(1), after.end(1), after.group(1))
            value = after.group(1).replace(" ", "")
        if kind == "person" and isinstance(value, str) and value.split() and all(not_a_name(w) for w in value.split()):
            return  # "검토자 결재권자": the 결재 block's headers, no name
        if kind in ("text", "org") and isinstance(value, str) and _JOB_ONLY.fullmatch(value.replace(" ", "")) \
                and not re.search(r"직위|직급|직책|직함|직명", name):
            return  # "작성: 주무관 도 은 결" gives no 작성부서
        if kind == "person" and isinstance(value, str) and _SPLIT_NAME.fullmatch(value):
            value = value.replace(" ", "")  # "장 은 비", "윤 재 호": a name OCR or letter-spacing split
        if kind == "person" and isinstance(value, str) and _GARBLED_NAME.search(value):
            return  # OCR's "A 태 윤" or "HAS" for a printed name: no name at all rather than a wrong one
        if kind in ("person", "text") and isinstance(value, str):
            value = re.sub(r"^([가-힣]{2,4})\s*\((?:0\d|내선)[^)]*\)$", r"\1", value)  # "장인숙(02-2110-2430)"
        if kind == "org" and isinstance(value, str) and re.fullmatch(r"(?:[가-힣] ){2,}[가-힣]", value):
            value = value.replace(" ", "")  # "다 온 군": a form's letter-spaced name
        if kind in ("org", "text") and isinstance(value, str):
            value = _HEAD_AFTER_ORG.sub("", value)  # "주식회사 달내종합건설 대표이사 마 준 호": the head signs for it
        if kind in ("org", "text") and isinstance(value, str):
            value = re.sub(r"\s*\((?:전화|TEL|Tel|☎|연락처|팩스)[^)]*\)$", "", value)  # "… 제과점 (전화 : 061-…)"
        if kind == "text" and isinstance(value, str) and re.fullmatch(r"[가-힣 ]*[가-힣][^자인성주]명", name):
            value = re.sub(r"\s+\([^)]*[,\d][^)]*\)$", "", value)  # 시설명 "… 물놀이장 (보람시 둔치로 55, …)"
        if kind == "org" and isinstance(value, str):
            # "주식회사 맑은공조 (2개사 견적 비교 후 최저가 업체 선정)": a remark after the name, not part of it
            value = re.sub(r"\s+\([^)]*\s[^)]*\)$", "", value)
        if kind == "percent" and isinstance(value, str):
            fraction = _FRACTION.search(value)  # "1일 1,000분의 1.25": the rate is the fraction
            value = fraction.group() if fraction else value
        if kind == "text" and isinstance(value, str) and re.search(r"(?:기간|시간)$", name.replace(" ", "")) \
                and re.search(r"~|부터", value):
            value = _PERIOD_REMARK.sub("", value)  # "2026. 5. 1. ~ 2029. 4. 30. (3년)": the remark restates it
        if isinstance(value, str) and name.endswith("번호"):
            # "고객번호 07-2231-0458 전자납부번호 41470-…": a number ends where another 번호 label starts
            value = re.split(r"\s+(?=[가-힣]{2,}\s?번호\s*[:：]?\s*[\w(])", value, maxsplit=1)[0]
        if isinstance(value, str) and name.endswith("번호") and (not re.search(r"\d", value)
                                                                or re.fullmatch(r"\d{1,2}\.?", value)):
            return  # a 번호 without a digit is an instruction or a blank; "3" is a list item's number
        form = next((f for pattern, f in _ID_FORMATS if pattern.search(name.replace(" ", ""))), None)
        if (form is None and isinstance(value, str) and name.endswith("번호") and "등록번호" not in name
                and _ID_FORMATS[0][1].fullmatch(value)):
            return  # "318-05-72164" is a 사업자등록번호 (3-2-5), not the 승인번호 the field asks for
        if form is not None and isinstance(value, str):
            shaped = form.search(value)
            if shaped is None:
                return  # "카드 번호 5107-37**-…" is no 사업자등록번호: a registration number has its own shape
            value = re.sub(r"\s", "", shaped.group())  # "38 나 4172": OCR's spaces are not part of it
        if value is not None:
            scored.append((anchor, len(scored), found, value))

    if name.endswith("번호") and shape is None and item_type == "string":
        for p, passage in enumerate(passages):  # "일시불 승인 번호 71529046": a number right after its label
            for start, end, strength in hits[p]:
                m = _NUMBER_AFTER.match(passage.text, end)
                if m and strength > WEIGHTS.label_noun:  # the name or its title, maybe after another word
                    add(Found(p, m.start(1), m.end(1), m.group(1)), strength, "text")
    if shape is not None and item_type == "string":  # "사업자등록번호 419-86-02375" mid-row, no colon
        for p, passage in enumerate(passages):
            for m in _ID_FORMATS[shape][1].finditer(passage.text):
                found = Found(p, m.start(), m.end(), m.group())
                add(found, anchor_of(found, passage.text, hits[p]), "text")
    if kind == "enum":
        for p, passage in enumerate(passages):
            for value in (v for v in enum if v is not None):
                for m in label_pattern(str(value)).finditer(passage.text):
                    found = Found(p, m.start(), m.end(), value)
                    if in_column(passage.text, m.start()):
                        continue  # one row of a table listing the choices ("등급: 극비" of four rows) settles nothing
                    scored.append((anchor_of(found, passage.text, hits[p]), len(scored), found, value))
        return _choose(scored, kind, is_array, prop, passages, why)
    # the column headers that name the field: its own name, and its synonyms ("보도시점" for 보도일)
    headers = labels[:1] + [(pattern, strength) for pattern, strength in labels[1:] if strength >= WEIGHTS.label_title
                            and pattern.pattern.replace("\\s*", "") in synonyms]
    people = _PEOPLE.search(" ".join([name, prop.get("description", "")])) is not None
    for p, passage in enumerate(passages):
        text = passage.text
        cells = _column_cells(text, p, headers)
        for found in find(kind, text, p):
            if kind == "number" and people and not text.startswith("명", found.end):
                continue  # a head count is written "45명"
            if kind == "number" and text[max(0, found.start - 1):found.start] == "제" \
                    and re.match(r"\s?(?:조|항|호|차|회|기)", text[found.end:]):
                continue  # "제7조": an article's number, not a count
            if kind == "number" and _CALENDAR.match(text, found.end) and not _CALENDAR_FIELD.search(name):
                continue  # "9월분", "2027년": a month or a year, not the figure a count field asks
            if kind == "money" and _CHANGE.match(text, found.end):
                continue  # "올해보다 1억 원 늘어난 3억 원": a difference, not the amount
            add(found, _anchor(found, text, hits[p], cells), kind)
    event = kind == "date" and re.fullmatch(r"([가-힣]{2,6})(?:일|일자|일시|날짜)", name.replace(" ", ""))
    if event and not act:
        for p, passage in enumerate(passages):
            for found in _announced(event.group(1), passage.text, p):
                placed[(p, found.start)] = "'다음과 같이' 목록의 일시"
                add(found, _LABELLED, kind)
    for acts in ([act] if act else [], _REPLY_ACTS if act == "회신" else []):
        before = len(scored)
        # the field's own act said with its date names it as its stem would ("명단을 … 6. 18.(금)까지 … 제출하여")
        # over a noun of its name near another date ("최종 명단을 6. 25.에 안내"); a stand-in act only places it
        strength = WEIGHTS.label_stem if acts == [act] else _LABELLED
        for p, passage in enumerate(passages):
            for asked in acts:
                for found, said in _by_when(asked, passage.text, p):
                    placed[(p, found.start)] = f"'…까지 {said}' 문장"
                    add(found, strength, kind)
        if len(scored) > before:
            break
    part = _RANGE_FIELD.fullmatch(name.replace(" ", "")) if kind == "date" else None
    if part:  # a field asking one end of a period never takes the other end ("1. 운영 개요" above "기간: A ~ B")
        wrong = _range_ends(passages, first=part.group(3) is not None)
        scored[:] = [s for s in scored if (s[2].passage, s[2].start) not in wrong]
    if kind == "date":
        for found, label, end, stemmed in _range_part(name, passages):
            placed[(found.passage, found.start)] = f"'{label}'의 {'끝' if end else '시작'} 날짜"
            # "신청 기간: … ~ 11. 20." names the 신청기한 as its stem would; a bare "기간:" only places it
            add(found, WEIGHTS.label_stem if stemmed else _LABELLED, kind)
    if kind == "money":
        strong = [[h for h in hit if h[2] >= WEIGHTS.label_number_floor] for hit in hits]
        for p, passage in enumerate(passages):
            taken = [(s[2].start, s[2].end) for s in scored if s[2].passage == p]
            cells = _column_cells(passage.text, p, headers)
            unit = _table_unit(passages, p)  # "(단위: 천원)" over or under the table the figure is in
            for m in _BARE_FIGURE.finditer(passage.text):
                if any(a < m.end() and m.start() < b for a, b in taken):
                    continue
                if re.fullmatch(r"(?:19[5-9]|20\d)\d", m.group()):
                    continue  # "2028 | 8 | 29": a year, not a sum
                scale = _header_unit(passage.text, m.start()) or unit  # "금액(천원): 620,000"
                found = Found(p, m.start(), m.end(), float(m.group().replace(",", "")) * scale)
                anchor = _anchor(found, passage.text, strong[p], cells)
                if anchor >= _LABELLED:
                    add(found, anchor, kind)
            for start, end, strength in strong[p]:  # "거스름돈 770": a small sum right after its own label
                m = _SMALL_SUM.match(passage.text, end)
                if m and not any(a < m.end(1) and m.start(1) < b for a, b in taken):
                    add(Found(p, m.start(1), m.end(1), float(m.group(1))), strength, kind)
    if kind == "phone" and "담당" in name + prop.get("description", "") + prop.get("title", ""):
        for p, passage in enumerate(passages):  # "담당 : 체육사업팀 대리 예하늘 (☎ 033-769-5132, …)": the 담당자's own
            for line in _OWNER_LINE.finditer(passage.text):
                numbers = find("phone", line.group(), p)
                for found in numbers if len({f.parsed for f in numbers}) == 1 else []:  # two people, two numbers
                    at = Found(p, line.start() + found.start, line.start() + found.end, found.parsed)
                    placed[(p, at.start)] = "담당자 줄의 전화번호"
                    add(at, WEIGHTS.label_owner, kind)
    if "할부" in name and json_type in ("integer", "number"):  # "국민카드 할부 03개월", "03개월 할부"
        for p, passage in enumerate(passages):
            for m in _INSTALMENTS.finditer(passage.text):
                at = m.start(1) if m.group(1) else m.start(2)
                placed[(p, at)] = "할부 개월 수"
                add(Found(p, at, at + len(m.group(1) or m.group(2)), float(m.group(1) or m.group(2))), _LABELLED,
                    "number")
    if kind == "date" and _REPORT_DATE.fullmatch(name.replace(" ", "")):
        for found in _signed_date(passages):  # "2027. 5. 10." over "복명자 … 주무관 채 하 온 (서명)"
            placed[(found.passage, found.start)] = "보고자 서명 위 날짜"
            add(found, _LABELLED, kind)
    per_unit = _PER_MONEY.match(name.replace(" ", "")) if kind == "money" else None
    if per_unit:  # 개소당 지원한도: "개소당 최대 3,500만원"; 시간당 강사료: "1시간(40분 수업)당 4만원"
        said = re.compile(r"\s?".join(per_unit.group(1)) + r"\s?(?:\([^)\n]{0,12}\)\s?)?당\s*(?:최대|최고|상한)?\s*")
        for p, passage in enumerate(passages):
            for m in said.finditer(passage.text):
                amounts = [a for a in find("money", passage.text[m.end():m.end() + 24], p) if a.start == 0]
                for a in amounts[:1]:
                    at = Found(p, m.end() + a.start, m.end() + a.end, a.parsed)
                    placed[(p, at.start)] = f"'{per_unit.group(1)}당 …' 금액"
                    add(at, WEIGHTS.label_own_name, kind)
    if kind == "money" and _DISCOUNT.search(name) and "전" not in name.split():  # not "할인 전 합계"
        for p, passage in enumerate(passages):
            for m in _DISCOUNT_LINE.finditer(passage.text):
                placed[(p, m.start(1))] = "할인 줄의 음수 금액"
                add(Found(p, m.start(1), m.end(1), float(m.group(1).replace(",", ""))), _LABELLED, kind)
    # The text after the field's own label: the value itself for free-text kinds; for a typed kind
    # (date, amount, phone...) only when the passages hold no such value and a plain string will do.
    # (a rate asked as text, "1,000분의 0.5", is read after its label even when the text has "50%" elsewhere)
    if kind in FREE_KINDS or (item_type == "string" and not item.get("format") and kind not in ("email", "url")
                              and (not scored or kind == "percent")):  # (an e-mail field never takes "주무관")
        for p, passage in enumerate(passages):
            for found, anchor in labelled_values(passage.text, p, hits[p]):
                # "작성자: 윤태호 선임": the name the person pattern found beats the whole line
                named = WEIGHTS.named_line if kind in ("person", "org") else 1.0
                add(_before_other_label(found, others, kind == "person"), anchor * named, "text")
            for pattern, strength in labels[:1]:
                cells = table_column(passage.text, p, pattern)
                # one data row: the cell is the value; many rows: weak, mostly for arrays
                for cell in cells:
                    add(cell, strength * _table_share(cells), "text")
    if kind == "number":
        for found, anchor, why in _counted(name, passages, kiwi):
            placed[(found.passage, found.start)] = why
            add(found, anchor, kind)
    if len(name.split()) >= 2:  # "을 대표자": the cell in the 대표자 row under the 을 column
        for p, passage in enumerate(passages):
            for cell in _crossed_cell(name, passage.text, p):
                placed[(p, cell.start)] = f"표의 '{name}' 칸"
                if kind in ("text", "title", "person", "org"):
                    add(cell, WEIGHTS.label_own_name * WEIGHTS.table_one_row, "text")
                else:
                    values = find(kind, cell.parsed, p)
                    bare = re.fullmatch(r"\d{1,3}(?:,\d{3})+|\d+", cell.parsed.strip())
                    if not values and bare and kind in ("money", "number"):  # "단가(원/kg): 23,000"
                        values = [Found(p, 0, len(cell.parsed), float(bare.group().replace(",", "")))]
                    for found in values:
                        at = Found(p, cell.start + found.start, cell.start + found.end, found.parsed)
                        placed[(p, at.start)] = f"표의 '{name}' 칸"
                        add(at, WEIGHTS.label_own_name * WEIGHTS.table_one_row, kind)
    if kind == "percent" and item_type == "string" and not any(s[0] >= _LABELLED for s in scored):
        for found in _article_rate(name, passages):  # "제5조(지체상금) … 계약금액의 1,000분의 0.75에 해당하는 …"
            placed[(found.passage, found.start)] = "조문 제목이 이름인 조의 비율"
            add(found, _LABELLED, "text")
    if kind == "text" and name.replace(" ", "").endswith("기간") and not any(x[0] >= _LABELLED for x in scored):
        for found in _period_sentence(name, passages):  # "계약기간은 2027. 4. 1.부터 2028. 3. 31.까지로 한다."
            placed[(found.passage, found.start)] = "'…기간은 …부터 …까지' 문장"
            add(found, _LABELLED, "text")
    if kind in ("org", "text", "person") and not is_array:
        party = defined_as(passages, name)  # '초롱군(이하 "발주자"라 한다)' for 발주자
        side = _PARTY_SIDE.get(re.sub(r"\s", "", name))
        if party is None and side:  # 발주자 of a contract that defines its parties as 갑 and 을: 갑
            party = defined_as(passages, side)
        if party is not None:
            placed[(party.passage, party.start)] = f"계약서: (이하 \"{name.strip()}\") 정의"
            add(Found(party.passage, party.start, party.end, party.value), WEIGHTS.label_own_name, "text")
    signer = _SIGNER_FIELD.fullmatch(name.strip()) if kind in ("person", "text") else None
    if signer is None and kind == "person" and re.fullmatch(r"대\s?표(?:이사|자)?(?:\s?성명|명)?", name.strip()):
        # 대표자 "계약상대자 대표자 이름": the party its description names
        signer = re.match(r"([가-힣]{1,6})\s?(?:의\s?)?대표", prop.get("description", ""))
    if signer:  # "을 대표자": the name over 을's seal under the contract's date
        found = representative(passages, signer.group(1))
        if found is not None:
            placed[(found.passage, found.start)] = f"계약서 서명란: {signer.group(1)}의 대표자"
            # the party's own block names it as its own label would; a bare "대표자:" line may be either party's
            add(Found(found.passage, found.start, found.end, found.value), WEIGHTS.label_own_name, "text")
    if kind == "date" and re.sub(r"\s", "", name) in _RECEIPT_DATE and passages \
            and not any(s[0] >= _LABELLED for s in scored) and _business_head(passages[0].text) is not None:
        dates = [f for p, passage in enumerate(passages) for f in find("date", passage.text, p)]
        timed = [f for f in dates if _CLOCK.match(passages[f.passage].text, f.end)]
        if len({repr(f.parsed) for f in dates}) > 1 and len({repr(f.parsed) for f in timed}) == 1:
            dates = timed  # the sale's date carries its time ("2027/06/05 08:42:17"); a coupon's expiry does not
        if len({repr(f.parsed) for f in dates}) == 1:  # a receipt prints one date, the sale's: "2026-11-07 10:42"
            placed[(dates[0].passage, dates[0].start)] = "영수증에 하나뿐인 날짜"
            add(dates[0], _LABELLED, kind)
    if re.sub(r"\s", "", name) in NAME_WORDS["business_name"] and passages:
        head = _business_head(passages[0].text)
        if head is not None:  # "하늘길셀프주유소" over "대표 : …" / "사업자번호 : …": the receipt's 상호
            placed[(0, head[0])] = "영수증 머리: 사업자 정보 위 첫 줄"
            shop = re.sub(r"^[\[【<*=\s]+|[\]】>*=\s]+$", "", passages[0].text[head[0]:head[1]])  # "[ 여울강 별빛펜션 ]"
            add(Found(0, head[0], head[1], shop), _LABELLED, "text")
    receipt = bool(passages) and _business_head(passages[0].text) is not None
    for words, pattern, why_here in ((_PAYMENT_FIELDS, _PAYMENT_WORD, "영수증의 결제 수단"),
                                     (_CARD_FIELDS, _CARD_ISSUER, "영수증의 카드사")):
        if re.sub(r"\s", "", name) in words and receipt:
            paid = [(p, m) for p, passage in enumerate(passages) for m in pattern.finditer(passage.text)]
            if len({re.sub(r"\s", "", m.group()) for _, m in paid}) == 1:  # "카카오페이 32,000", "신한카드 5412-…"
                p, m = paid[0]
                placed[(p, m.start())] = why_here
                add(Found(p, m.start(), m.end(), re.sub(r"\s", "", m.group())), _LABELLED, "text")
    if re.sub(r"\s", "", name) in ("계약명", "계약건명", "용역명", "사업명", "공사명") and kind in ("text", "title"):
        for p, passage in enumerate(passages):  # "「2028년 … 구축 용역」(이하 "용역"이라 한다)": what the contract is for
            for m in _DEFINED_WORK.finditer(passage.text):
                placed[(p, m.start(1))] = "계약서: (이하 \"용역\") 정의"
                add(Found(p, m.start(1), m.end(1), m.group(1)), WEIGHTS.label_own_name, "text")
    named = kind == "text" and re.fullmatch(r"([가-힣]{2,})명", name)  # 협약명: the 협약서's title line
    if kind == "title" and passages and _no_title(_line_of(passages[0].text)):
        greeted = _above_greeting(passages)  # a letter to parents: its title stands over "학부모님, 안녕하십니까?"
        if greeted is not None:
            placed[(greeted.passage, greeted.start)] = "인사말 위 줄 (제목 자리)"
            add(greeted, WEIGHTS.title_first_line + _LABELLED, "text")
    if kind == "title" and passages and _genre_near_top(passages):
        headline = _headline(passages)  # "함께 여는 미래…" (a slogan) / "보도자료" / header / the headline over "- …"
        if headline is not None:
            placed[(headline.passage, headline.start)] = "보도자료 제목 (부제 위 줄)"
            add(headline, WEIGHTS.title_first_line + _LABELLED, "text")
    if (kind == "title" or named) and passages and passages[0].text.strip():
        start, end = _first_line(passages[0].text)
        # (a field named X명 takes the first line only when that line is the X(서) itself: 협약명 from "…업무협약서",
        # 규정명 from "복리후생비 지급 규정"; never 사업명 from "… 지원사업 신청서")
        if _no_title(passages[0].text[start:end]) or (named and not re.sub(r"\s", "", passages[0].text[start:end])
                                                      .endswith((named.group(1), named.group(1) + "서"))):
            headline = _headline(passages) if kind == "title" and _no_title(passages[0].text[start:end]) else None
            if headline is not None:  # a press release's headline: its first line over a "- … -" subtitle
                placed[(headline.passage, headline.start)] = "보도자료 제목 (부제 위 줄)"
                add(headline, _LABELLED, "text")
            return _choose(scored, kind, is_array, prop, passages, why, placed)  # "보 도 자 료" names the genre
        # the first line is where a document's title lives: as good as a label, below a real "제목:" one
        add(Found(0, start, end, passages[0].text[start:end]), _LABELLED, "text")
    return _choose(scored, kind, is_array, prop, passages, why, placed)


# Korean registration numbers have a fixed shape (국세청 사업자등록번호 3-2-5, 법인등록번호 6-7, 우편번호 5)
# and the labels forms print them under (세금계산서 "등록번호", receipts "사업자번호")
_ID_FORMATS = [
    (re.compile(r"사업자(?:등록)?번호"), re.compile(r"(?<!\d)\d{3}\s?-\s?\d{2}\s?-\s?\d{5}(?!\d)")),
    (re.compile(r"법인(?:등록)?번호"), re.compile(r"(?<!\d)\d{6}\s?-\s?\d{7}(?!\d)")),
    (re.compile(r"우편번호"), re.compile(r"(?<!\d)\d{5}(?!\d)")),
    # 자동차 등록번호판, with the region of a commercial plate when printed ("서울31바1234")
    (re.compile(r"차량번호|차번호"), re.compile(r"(?<![\d가-힣])(?:[가-힣]{2}\s?)?\d{2,3}\s?[가-힣]\s?\d{4}(?!\d)")),
]
_ID_LABELS = {0: ("사업자등록번호", "사업자번호", "등록번호", "사업자"), 1: ("법인등록번호", "법인번호"), 2: ("우편번호",),
              3: ("차량번호",)}


def _qualified(text: str, start: int, strength: float, name: str) -> float:
    """A field's own label that opens its line counts fully; after a word of another meaning on that line
    ("상품 합계 13,300" above "합 계 11,800", the total after the discount) a little less, so the bare one wins."""
    if strength <= WEIGHTS.label_noun:
        return 1.0
    line = text[text.rfind("\n", 0, start) + 1:start]
    word = re.fullmatch(r"\s*([가-힣]{2,})\s?", line)
    return WEIGHTS.label_qualified if word and word.group(1) not in name else 1.0


def _before_other_label(found: Found, others: set[str], person: bool = False) -> Found:
    """A labelled value cut where another field's label starts on the same line: a flattened table row
    "담당부서 숲체험사업실 담당자 차장 민서진" gives 담당부서 "숲체험사업실", not the rest of the row."""
    value = found.parsed
    if not isinstance(value, str):
        return found
    words = others | _PERSON_LABELS
    # the label must be followed by its own value: "영업 담당자" (참조) ends on a label word and is whole
    cut = min((m.start() for m in re.finditer(r"\s([가-힣]{2,10})(?=(?:\s*[:：]\s*|\s+)\S)", value)
               if m.group(1) in words), default=None)
    # another field's label spaced out in a form row, its value after it ("… 품질관리팀 직 위 책임연구원")
    spaced_label = next((m.start() for m in re.finditer(r"\s((?:[가-힣] ){1,3}[가-힣])(?=\s*[:：]?\s+\S)", value)
                         if m.group(1).replace(" ", "") in others), None)
    if spaced_label is not None and (cut is None or spaced_label < cut):
        cut = spaced_label
    # a form's next label, its letters spaced out, ends the line ("유효기간 견적일로부터 30일 주 소")
    # (not a person's value: "… 주택관리사보 맹 하 율" ends with the name, spaced out)
    spaced = None if person else re.search(r"\s(?:[가-힣] ){1,3}[가-힣]$", value)
    if spaced and re.search(r"[가-힣0-9]{2,}", value[:spaced.start()]) and (cut is None or spaced.start() < cut):
        cut = spaced.start()
    # another field's own name ends the line, its value on the next ("등록번호 129-86-33071 공급받는자")
    tail = re.search(r"\s([가-힣]{2,10})\s*[:：]?\s*$", value)
    # (not a person's role: "참조: 부서 교육 담당자" is one value)
    if tail and tail.group(1) in others - _PERSON_LABELS and (cut is None or tail.start() < cut):
        cut = tail.start()
    if not cut:
        return found
    value = value[:cut].rstrip(" ,;")
    return Found(found.passage, found.start, found.start + len(value), value)


_PERSON_LABELS = frozenset(w.replace(" ", "") for w in lexicon("document_words")["person_label"])
_CHANGE = re.compile(r"\s*(?:이|가|을|를)?\s*(?:늘어난|늘어|늘린|증가한|증액된|줄어든|줄어|줄인|감소한|감액된|많은|적은|인상된|인하된)")
# 제출기한, 신청 마감일: the date by which something is to be done
_DEADLINE = re.compile(r"([가-힣]{2,4})(?:기한|마감일?|시한)")
_UNTIL = re.compile(r"\s*(?:\([^)\n]{1,4}\))?\s*(?:(?:오전|오후)?\s*\d{1,2}\s*(?::\s*\d{2}|시)\s*)?까지")


# a 회신기한 with no "…까지 회신" sentence: the date the letter asks its answer to be sent by ("…까지 제출하여
# 주시기 바랍니다", "…까지 보내 주시기 바랍니다")
_REPLY_ACTS = ("제출", "보내", "송부", "회송", "알려")






def _deadline_act(name: str) -> str | None:
    """The act a deadline field names: 제출기한 → 제출, "소화기 신청기한" → 신청 (its last word's)."""
    words = name.split()
    if len(words) >= 2 and re.fullmatch(r"(?:기한|마감일?|시한)", words[-1]) and re.fullmatch(r"[가-힣]{2,4}", words[-2]):
        return words[-2]  # "대관 신청 마감일": 신청
    for words in (name.split()[-1] if name.split() else "", name.replace(" ", "")):  # "명단 제출기한": 제출
        m = _DEADLINE.fullmatch(words)
        if m:
            return m.group(1)
    return None


















# 을 대표자, 갑 대표, 을 대표이사: who signs for a party
# a public contract's sides (국가계약법 서식): the orderer is 갑, the contractor 을
_PARTY_SIDE = {"발주자": "갑", "발주기관": "갑", "발주처": "갑", "계약상대자": "을", "수급인": "을", "수급자": "을"}
_DEFINED_WORK = re.compile(r"「([^」\n]{4,80})」\s*\(\s*이하\s*[\"'“‘]\s*(?:용역|사업|공사|물품|과업)\s*[\"'”’]")
_SIGNER_FIELD = re.compile(r"([갑을병])\s*(?:측\s*)?(?:대\s?표(?:이사|자)?(?:\s?성명|명)?)")
# 점검 시작일, 행사 종료일, 신청 마감일: one end of the range a "점검 기간: 2026. 9. 14. ~ 9. 18." line gives
_RANGE_FIELD = re.compile(r"([가-힣]{0,6}?)(?:(시작일자?|개시일자?|첫날)|(종료일자?|만료일자?|마지막날|끝나는날|마감일?|기한))")
_RANGE_LABELS = r"(?:기\s?간|일\s?정|일\s?시)"
_RANGE_DASH = re.compile(r"\s*(?:[~∼～–-]|부터)\s*")


def _range_part(name: str, passages: list[Passage]) -> list[tuple[Found, str, bool, bool]]:
    """(date, label, is the end, labelled by the stem) for a field that asks one end of a labelled date range.
    The label is the field's stem with 기간 / 일정 / 일시 ("점검 기간: …"); failing that, a bare "기간:" that opens
    its line or cell, only when the document has exactly one such range (a deadline, 신청기한, never takes a
    bare one)."""
    m = _RANGE_FIELD.fullmatch(name.replace(" ", ""))
    if m is None:
        return []
    stem, end = m.group(1), m.group(3) is not None
    if stem:
        found = _ranges(r"\s*".join(stem) + rf"(?:\s*의)?\s*{_RANGE_LABELS}", passages, end)  # "계약의 기간은"
        if found:
            return [(*f, True) for f in found]
    if end and re.match(r"마감|기한", m.group(3)):
        return []
    found = _ranges(rf"(?:^|[:·|]\s|[가-하]\.\s|\d+[.)]\s|[-○◦▪•]\s?)\s*{_RANGE_LABELS}", passages, end)
    return [(*f, False) for f in found] if len(found) == 1 else []


def _range_ends(passages: list[Passage], first: bool) -> set[tuple[int, int]]:
    """(passage, start) of the first (or the last) date of every "A ~ B" range on one line."""
    out = set()
    for p, passage in enumerate(passages):
        dates = find("date", passage.text, p)
        for a, b in zip(dates, dates[1:]):
            if _RANGE_DASH.fullmatch(passage.text, a.end, b.start) and "\n" not in passage.text[a.start:b.end]:
                out.add((p, (a if first else b).start))
    return out


def _ranges(label: str, passages: list[Passage], end: bool) -> list[tuple[Found, str, bool]]:
    """The first (or, with `end`, the last) date of each "A ~ B" range on a line that `label` ends right
    before A (a colon, a cell separator or a bracketed weekday between)."""
    # "점검 기간: A ~ B", "임대차기간은 A부터 B까지(24개월)로 한다"
    named = re.compile(rf"({label})\s*(?:은|는|이)?\s*(?:\([^)\n]{{0,10}}\))?\s*(?:[:：]|·|\|)?\s*$")
    out = []
    for p, passage in enumerate(passages):
        text = passage.text
        dates = find("date", text, p)
        for first, last in zip(dates, dates[1:]):
            line_start = text.rfind("\n", 0, first.start) + 1
            before = named.search(text[line_start:first.start])
            if before is None and not text[line_start:first.start].strip() and line_start >= 2:
                above = line_at(text, line_start - 2)  # a PDF cell read line by line: "신청 기간" / "2027. 5. 17. ~ …"
                before = named.fullmatch(above.strip()) if len(above.strip()) <= 20 else None
            if before and _RANGE_DASH.fullmatch(text, first.end, last.start) and "\n" not in text[first.start:last.end]:
                label_text = re.sub(r"^[\s:·|\-○◦▪•]*(?:[가-하]\.|\d+[.)])?\s*", "", before.group(1)).strip()
                out.append((last if end else first, label_text, end))
    return out


def _by_when(act: str, text: str, p: int) -> list[tuple[Found, str]]:
    """"…를 2025. 9. 19.(금)까지 … 제출하여 주시기 바랍니다": the dates a sentence sets as the deadline of the
    act a field names (제출기한 → 제출), the act's word in the same sentence."""
    out = []
    for found in find("date", text, p):
        until = _UNTIL.match(text, found.end)
        if until is None:
            continue
        begin = max(text.rfind(". ", 0, found.start), text.rfind("다.", 0, found.start), -1) + 1
        stop = min((i for i in (text.find("다.", until.end()), text.find("\n\n", until.end())) if i >= 0),
                   default=len(text))
        if act in text[begin:stop]:
            out.append((found, act))
    return out


# "X을 다음과 같이 실시하오니 … / 가. 일시: 2025. 11. 5.": the date an announced event's list gives it
_AS_FOLLOWS = re.compile(r"(?:다음과|아래와)\s*같이")
_WHEN_ITEM = re.compile(r"^\s*(?:[가-하]\.|[-○·◦]|\d+\))?\s*(?:일\s?시|일\s?자|날\s?짜)\s*[:：]\s*")


def _announced(event: str, text: str, p: int) -> list[Found]:
    out: list[Found] = []
    for m in _AS_FOLLOWS.finditer(text):
        begin = max(text.rfind("\n", 0, m.start()), text.rfind(". ", 0, m.start())) + 1
        line_start = text.find("\n", m.end()) + 1
        if event not in text[begin:line_start or len(text)]:
            continue  # the sentence announcing the list names the event (교육일 → "…교육을 다음과 같이")
        while 0 < line_start < len(text):
            line_end = text.find("\n", line_start) % (len(text) + 1)
            line = text[line_start:line_end]
            if re.match(r"\s*\d+\.\s", line):
                break  # the next numbered paragraph ends the list
            item = _WHEN_ITEM.match(line)
            if item:
                out += [f for f in find("date", text, p) if f.start == line_start + item.end()]
                break
            line_start = line_end + 1
    return out


# a name after a job title at the end of a labelled line
_TITLED_NAME = re.compile(r"(?:위원|연구원|교수|박사|팀장|과장|대리|주무관|사무관|주임|부장|실장|차장|이사|소장|국장|선임|책임|간사"
                          r"|군수|시장|구청장|도지사|교육감|총장|청장|서장|원장|관장|회장|사장)"
                          r"\s+([가-힣]{2,4}|[가-힣](?: [가-힣]){1,3})$")
# ... or spaced out letter by letter after other words: "관리사무소 주택관리사보 맹 하 율"
_SPACED_TAIL = re.compile(r"(?<!\S)\S{2,}\s+((?:[가-힣] ){1,3}[가-힣])$")
# ... or after the team or office it works in, with at most one word (its post) between: "독서진흥팀 사서 금나연"
_UNIT_NAME = re.compile(r"[가-힣]{2,}(?:팀|과|실|센터|본부|사업단)(?:\s+[가-힣]{1,5})?\s+([가-힣]{2,4}|[가-힣](?: [가-힣]){1,3})$")


def _untitled(value: str) -> str:
    """"… 도시공감연구소 선임연구위원 정다은" → the name after the job title (its syllables may be spaced: "도 하 람");
    a name spaced out after other words ("관리사무소 주택관리사보 맹 하 율") is the name, whatever the title."""
    titled = _TITLED_NAME.search(value) or _UNIT_NAME.search(value) or _SPACED_TAIL.search(value)
    return titled.group(1).replace(" ", "") if titled else value


# a name OCR garbled: Latin letters mixed into Hangul syllables ("A 태 윤"), or a lone capitals fragment ("HAS")
_GARBLED_NAME = re.compile(r"^(?=.*[A-Za-z])(?=.*[가-힣])[A-Za-z가-힣 ]{2,8}$|^[A-Z]{1,3}$")
# a Korean name of 2-4 syllables written with spaces between them ("노 경숙", "장 은 비")
_SPLIT_NAME = re.compile(r"[가-힣]{1,2}(?: [가-힣]{1,2}){1,3}")
_GENRES = frozenset(lexicon("document_words")["genre_heading"])


# a receipt's genre line above its 상호 ("[영수증]", "카드매출전표", "간이 영수증")
# ("택시 승차 영수증", "현금 영수증"): up to three words before the genre word
_RECEIPT_GENRE = re.compile(r"^[\[(<]?\s*(?:[가-힣]{1,4}[\])>]?\s*){0,3}(?:영\s*수\s*증|매\s*출\s*전\s*표|전\s*표)\s*[\])>]?"
                            r"(?:\s*\([^)]{0,12}\))?$")  # "현금영수증 (소득 공제)"
_BUSINESS_BLOCK = re.compile(r"대\s*표|사업자")


_RECEIPT_DATE = frozenset({"일자", "날짜", "거래일", "거래일자", "거래일시", "결제일", "결제일자", "결제일시", "구매일",
                           "구매일자", "판매일", "판매일자", "발행일", "발행일자", "영수일", "영수일자"})


def _business_head(text: str) -> tuple[int, int] | None:
    """The first line of a document (after a receipt's genre line) when one of the next three lines is its
    business block (대표, 사업자등록번호): a receipt's 상호, printed without a label. None otherwise."""
    lines, at = [], 0
    for line in text.split("\n"):
        if line.strip():
            lines.append((at + len(line) - len(line.lstrip()), at + len(line.rstrip())))
        at += len(line) + 1
        if len(lines) == 5:
            break
    if lines and _RECEIPT_GENRE.match(text[lines[0][0]:lines[0][1]]):
        lines = lines[1:]
    if not lines:
        return None
    start, end = lines[0]
    head = text[start:end]
    if len(head) > 25 or not re.search(r"[가-힣]", head) or re.search(r"[:：]|\d{2,}", head) or _BUSINESS_BLOCK.search(head):
        return None
    return (start, end) if any(_BUSINESS_BLOCK.search(text[a:b]) for a, b in lines[1:4]) else None


def _no_title(line: str) -> bool:
    """A first line that is a genre ("보 도 자 료", "서울 마포구 보도자료") or the sender's letterhead
    ("한국생활안전공단"), not what the document is about."""
    bare = re.sub(r"\s", "", re.sub(r"\s*제\s?\d{2,4}\s?-\s?\d+\s?호\s*$", "", line))  # "가 정 통 신 문 제2027-87호"
    if any(re.match(rf"{re.escape(g)}[:：|]", bare) for g in _GENRES):
        return True  # "보 도 자 료: 새별시": the genre and its sender
    genre = next((g for g in _GENRES if bare.endswith(g)), None)
    # letters spaced out ("누 리 벌 군 보 도 자 료") are words run together, not eight words
    words = len(re.sub(r"(?<=[가-힣]) (?=[가-힣](?: |$))", "", line.strip()).split())
    if bare in _GENRES or (genre and words <= 4):
        return True
    return " " not in line.strip() and any(f.end - f.start == len(bare) for f in find("org", bare, 0))


# A title line that ends in one of these goes on: "생산·수입 중단 보고대상 의료기기 및" / "보고 방법 …(안)".
_CONTINUES = re.compile(r"(?:및|또는|와|과|의|에|관한|위한|대한|[·,ㆍ(])$")






def _line_of(text: str) -> str:
    start, end = _first_line(text)
    return text[start:end]




def _genre_near_top(passages: list[Passage]) -> bool:
    """A genre heading ("보도자료", "보 도 자 료") among the document's first three lines."""
    lines = [line for _, _, line in passage_lines(passages)[:3]]
    return any(_no_title(line) and any(g in re.sub(r"\s", "", line) for g in _GENRES) for line in lines)




def _first_line(text: str) -> tuple[int, int]:
    """The document's title: its first non-empty line, and the next line when the first breaks off mid-phrase."""
    start = len(text) - len(text.lstrip())
    end = text.find("\n", start) % (len(text) + 1)
    following = text.find("\n", end + 1) % (len(text) + 1)
    if _CONTINUES.search(text[start:end].rstrip()) and 0 < following - end - 1 <= 60:
        end = following
    return start, end


_ONE_OF_A_KIND = {"email": "이메일 주소"}  # kinds specific enough that the document's only one is the field's
_LABELLED = WEIGHTS.labelled  # weaker anchors are a many-row table column or the document's first line
_LABELLED_ITEM = WEIGHTS.labelled_item  # ...but a many-row column is exactly what an array field wants


def _table_share(cells: list[Found]) -> float:
    """A header's one data-row cell is the value; in a many-row column each cell is only a weak candidate."""
    return WEIGHTS.table_one_row if len(cells) == 1 else WEIGHTS.table_many_rows


def _crossed_cell(name: str, text: str, p: int) -> list[Found]:
    """For a two-word field ("을 대표자", "공급자 등록번호"), the cells of rendered table rows whose row is named
    by one word (the first cell's value: "구 분: 대 표 자") and whose column header starts with the other
    ("을 (출연자 소속사): 대표이사 추 서 연")."""
    words = [w for w in name.split()]
    out = []
    for line in re.finditer(r"[^\n]+", text):
        if not rendered_row(line.group()):
            continue
        cells, offset = [], line.start()
        for cell in line.group().split(" · "):
            header, _, value = cell.partition(": ")
            cells.append((re.sub(r"\s|\(.*?\)", "", header), value, offset + len(header) + 2))
            offset += len(cell) + 3
        row = re.sub(r"\s", "", cells[0][1])
        pairs = [tuple(words), tuple(words[::-1])] if len(words) == 2 else []
        for a, b in pairs:
            if row == b:
                out += [Found(p, at, at + len(value.strip()), value.strip()) for header, value, at in cells[1:]
                        if header.startswith(a) and value.strip()]
        # "하우스 블렌드 단가": the row whose first cell starts with the other words, under the last word's column
        # ("품목: 하우스 블렌드 (브라질·…) · 규격: … · 단가(원/kg): 23,000")
        key = "".join(words[:-1])
        if len(key) >= 2 and not any(row == b for _, b in pairs) and re.sub(r"\(.*?\)", "", row).startswith(key):
            out += [Found(p, at, at + len(value.strip()), value.strip()) for header, value, at in cells[1:]
                    if header.startswith(words[-1]) and value.strip()]
    return out


def _column_cells(text: str, p: int, labels: list[tuple[re.Pattern, float]]) -> list[tuple[Found, float]]:
    """The cells under the field's own header (labels[:1]) with their anchors."""
    return [(c, strength * share) for pattern, strength in labels
            for cs in [table_column(text, p, pattern)] for c, share in zip(cs, _cell_shares(cs, text))]


def _anchor(found: Found, text: str, hits: list[tuple[int, int, float]], cells: list[tuple[Found, float]]) -> float:
    """How well the field's labels name a value: a table cell under the field's header is labelled by that
    header; in a rendered row every header sits beside every value, so only the named cell labels it, or the
    row's own name in its first cell ("구 분: 전자입찰서 제출 마감 · 일 시: 2026. 10. 5.")."""
    column = max((a for c, a in cells if c.start <= found.start and found.end <= c.end), default=0.0)
    if rendered_row(line_at(text, found.start)):
        return max(column, _row_named(found, text, hits))
    return max(anchor_of(found, text, hits), column)


def _cell_shares(cells: list[Found], text: str) -> list[float]:
    """`_table_share` per cell, except that a column's one total row ("구분: 합계 · 예산액(원): 35,000,000")
    is the column's value as a one-row column's cell is: a document's 예산액 is the total, not the first item's."""
    totals = [c for c in cells if _TOTAL_ROW.match(line_at(text, c.start))]
    return [WEIGHTS.table_one_row if len(totals) == 1 and c is totals[0] else _table_share(cells) for c in cells]


# a table's total row: its first cell says 합계 / 총계 / 계 / 총액 ("합 계 | 1276000", "구분: 합계 · …")
_TOTAL_ROW = re.compile(r"^\s*(?:[가-힣 ]{1,8}:\s*)?(?:총\s?)?(?:합\s?계|총\s?계|계|총\s?액|total)\s*(?:\||·|$)",
                        re.IGNORECASE)


def _row_named(found: Found, text: str, hits: list[tuple[int, int, float]]) -> float:
    """The field's label in a rendered row's first cell, the row's own name ("구 분: 개 찰 · 일 시: …"),
    names the row's values as a one-row column's header does; a value in that first cell is not named by it."""
    start = text.rfind("\n", 0, found.start) + 1
    first = text.find(" · ", start)
    if first < 0 or found.start < first:
        return 0.0
    name_at = text.find(": ", start, first)
    name_at = name_at + 2 if name_at >= 0 else start
    return max((strength * WEIGHTS.table_one_row for a, b, strength in hits if name_at <= a and b <= first),
               default=0.0)


def _choose(scored, kind: str, is_array: bool, prop: dict, passages: list[Passage],
            why: list[str], placed: dict[tuple[int, int], str] | None = None) -> FieldMatch | None:
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
            for part in (_split_list(value) if isinstance(value, str) and kind in ("text", "person") else [value]):
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
    rivals = {repr(s[3]) for s in scored if abs(s[0] - anchor) < 1e-9}
    if _LABELLED <= anchor <= WEIGHTS.label_noun and len(rivals) > 1:
        # two values named equally well by a weak label ("상호" above both the supplier's and the buyer's
        # name, "한도" after two limits): no guess
        why.append(f"같은 라벨이 다른 값 {len(rivals)}개를 똑같이 가리켜 고르지 않음")
        return None
    distinct = len({repr(s[3]) for s in scored})
    if anchor < _LABELLED and kind in _ONE_OF_A_KIND and distinct == 1:
        # a document with one e-mail address (a 공문's footer): that is its e-mail, label or not
        return FieldMatch(value, passages[found.passage].chunk_id, found.start, found.end, labelled=True,
                          how=f"문서에 하나뿐인 {_ONE_OF_A_KIND[kind]}")
    if anchor < _LABELLED:
        # Never the first value of a kind: a 공문's recipient is an organisation too, and a referenced
        # letter has a date too. A field without its label (or its place in the layout) stays empty.
        why.append(f"라벨 없이 같은 종류의 값만 {distinct}개 있어 고르지 않음" if distinct > 1
                   else "라벨 없이 같은 종류의 값 하나만 있어 이 항목의 값인지 알 수 없음")
        return None
    text = passages[found.passage].text
    label = _label_before(text, found.start)
    first = found.passage == 0 and found.start == len(text) - len(text.lstrip())
    how = f"라벨 '{label}'" if label else "문서 첫 줄 (제목 자리)" if first else "라벨 (윗줄)"
    how = (placed or {}).get((found.passage, found.start), how)
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
        others = {re.sub(r"\s", "", other) for other in schema["properties"] if other != name}
        out[name] = _field(name, _resolve(prop, defs), passages, kiwi, header, why, others)
        if out[name] is None:
            out[name] = _from_contract(name, _resolve(prop, defs), passages, why)
        if out[name] is None and reasons is not None:
            reasons[name] = why[-1] if why else "찾지 못함"
    return out


def _from_contract(name: str, prop: dict, passages: list[Passage], why: list[str]) -> FieldMatch | None:
    """당사자 from 'X(이하 "갑"이라 한다)', 계약일 from the date line above the signatures (agents.contract_terms)."""
    role = role_of(name, prop.get("title", ""))
    json_type, prop = schema_type(prop)
    if role == "parties" and json_type == "array":
        placed = parties(passages)
        if len(placed) >= 2:
            spans = tuple(Span(passages[x.passage].chunk_id, x.start, x.end) for x in placed)
            return FieldMatch([x.value for x in placed], spans[0].chunk_id, spans[0].start, spans[0].end, spans,
                              labelled=True, how="계약서: (이하 \"갑\"·\"을\") 정의")
    if role == "contract_date" and json_type == "string":
        date = closing_date(passages)
        if date is not None:
            value = typed("date", Found(date.passage, date.start, date.end, date.value),
                          passages[date.passage].text, json_type, prop)
            if value is not None:
                return FieldMatch(value, passages[date.passage].chunk_id, date.start, date.end, labelled=True,
                                  how="계약서: 서명 위 날짜")
    return None


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
