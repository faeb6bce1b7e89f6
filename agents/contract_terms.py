"""The places a Korean contract gives its parties and its date, for the extraction rules (`agents.rules`).

A contract names its parties once, in the formula `X(이하 "갑"이라 한다)`, and dates itself on a line
of its own above the signatures (`2025. 3. 14.` / `갑 주식회사 …`). A 당사자 or 계약일 field with no
label of its own is read from those places, never from the first organisation or date in the text.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from agents.sentences import Passage, passage_lines
from ingest.numbers import KoreanDate, find_dates

# X(이하 "갑"이라 한다), X(이하 '을'이라 함), X (이하 “병”이라 칭한다)
# X(이하 "발주기관"이라 한다): a quoted role of the party's own ("발주기관", "연구기관", "회사"), never
# the contract itself ("본 계약", "용역")
_DEFINED = re.compile(r"\(\s*이하\s*(?:[\"'“‘]?\s*(갑|을|병|정)\s*[\"'”’]?|[\"'“‘]\s*([가-힣]{1,6})\s*[\"'”’])"
                      r"\s*(?:이?라|라고)\s*(?:칭\s?)?(?:한다|함)\s*\)")
_NOT_PARTY = re.compile(r"계약(?!상대자|자)|협약|용역(?!자)|사업(?!주|자)|규정|법|물품|업무|과업|공사$|연구$")
# words that stand before a name as part of it: 서울특별시 (마포구), 한빛대학교 (산학협력단), 사단법인 (…)
_NAME_HEAD = re.compile(r"(?:[가-힣]+(?:특별시|광역시|특별자치시|특별자치도|[도시군])|[가-힣]+대학교|[가-힣]*법인)$")
# the lines right under the contract's date: the parties' signature block
_SIGNATURE = re.compile(r"^\s*(?:[\"“\[(]?[갑을병][\"”\])]?(?:\s|\(|:|$)|구\s?분|상\s?호|대\s?표|주\s?소|발\s?주|수\s?급"
                        r"|계약\s?상대|[^\n]{0,12}[(\[]\s?[갑을병]\s?[)\]])")  # "임차인 (갑): 임대인 (을)"


# an organisation's kind written as a word after its name ("깨끗한내일 사회적협동조합")
_GENERIC_ORG = re.compile(r"(?:사회적)?협동조합$|조합$|재단$|협회$|연합회$")
_COMPANY_WORD = r"(?:주식회사|유한회사|\(주\)|㈜)"
_NAMED = re.compile(rf"(?:{_COMPANY_WORD}\s?)?[가-힣A-Za-z0-9&]+(?:\s?{_COMPANY_WORD})?$")


@dataclass(frozen=True)
class Placed:
    """A value and where its source text is: passages[passage].text[start:end]."""

    value: object
    passage: int
    start: int
    end: int


# a parties table rendered row by row (ingest/structure_tables.py): "구 분: 명 칭 · 갑 (주최자): … · 을 (…): …"
_NAME_ROW = re.compile(r"^[^·\n:]{1,8}:\s*(?:명\s?칭|상\s?호|기\s?관\s?명|업\s?체\s?명|회\s?사\s?명|성\s?명)\s*·")
_PARTY_CELL = re.compile(r"\s·\s[\"“]?([갑을병정])[\"”]?\s*(?:\([^)\n]{0,20}\))?:\s*([^·\n]+?)(?=\s·\s|\n|$)")


def _table_parties(passages: list[Passage]) -> list[Placed]:
    """The names in a parties table's 명칭 (상호, 성명 …) row, under its 갑 / 을 columns."""
    for p, passage in enumerate(passages):
        for line in re.finditer(r"[^\n]+", passage.text):
            if _NAME_ROW.match(line.group()):
                cells = [(m.group(2).strip(), line.start() + m.start(2)) for m in _PARTY_CELL.finditer(line.group())]
                if len(cells) >= 2:
                    return [Placed(name, p, at, at + len(name)) for name, at in cells]
    return []


def parties(passages: list[Passage]) -> list[Placed]:
    """The parties a contract defines ("갑", "을" …), in the order it defines them; failing that, the names
    its parties table gives under its 갑 / 을 columns."""
    defined = _defined_parties(passages)
    return defined if len(defined) >= 2 else _table_parties(passages) or defined


def defined_as(passages: list[Passage], role: str) -> Placed | None:
    """The party a contract defines as `role` ('초롱군(이하 "발주자"라 한다)' for 발주자, or for 갑 / 을)."""
    compact = re.sub(r"\s", "", role)
    return next((placed for word, placed in _defined_parties(passages, roles=True) if word == compact), None)


def _defined_parties(passages: list[Passage], roles: bool = False) -> list:
    out: list = []
    seen: set[str] = set()
    for p, passage in enumerate(passages):
        text = passage.text
        for m in _DEFINED.finditer(text):
            if m.group(2) and _NOT_PARTY.search(m.group(2)):
                continue
            before = text[:m.start()].rstrip()
            spaced = re.search(r"(?<!\S)((?:[가-힣] ){1,3}[가-힣])$", before)
            if spaced:  # a person's name spaced out: "백 서 윤(이하 "근로자"라 함)"
                name = spaced.group(1).replace(" ", "")
                if name not in seen:
                    seen.add(name)
                    placed = Placed(name, p, spaced.start(1), len(before))
                    out.append((m.group(1) or m.group(2), placed) if roles else placed)
                continue
            # the word before the formula, with its company word ("주식회사 한결건설", "대성레미콘 주식회사")
            word = _NAMED.search(before)
            if word is None:
                continue
            start = word.start()
            if _GENERIC_ORG.match(before[start:]):  # "깨끗한내일 사회적협동조합": the name is the word before
                head = re.search(r"([가-힣A-Za-z0-9&]{2,})\s$", before[:start])
                start = head.start(1) if head else start
            for _ in range(2):  # "서울특별시 마포구", "사단법인 도시공감연구소"
                head = re.search(r"(\S+)\s$", before[:start])
                if head is None or not _NAME_HEAD.search(head.group(1)):
                    break
                if not head.group(1).endswith("법인") and _NAME_HEAD.search(before[start:]) is None \
                        and not re.search(r"[구군시]$|산학협력단$|연구소$|연구원$|재단$|협회$|[관원소회단]$|센터$",
                                          before[start:]):  # "이든군 평생학습관"
                    break  # a legal form (사단법인, 재단법인) always heads the name after it
                start = head.start(1)
            name = before[start:]
            if name and name not in seen:
                seen.add(name)
                placed = Placed(name, p, start, len(before))
                out.append((m.group(1) or m.group(2), placed) if roles else placed)
    return out


def closing_date(passages: list[Passage]) -> Placed | None:
    """The date on a line of its own right above the signature block, or ending the contract (the last such)."""
    lines = passage_lines(passages)
    found = None
    for n, (p, offset, line) in enumerate(lines):
        dates = find_dates(line, partial=False)
        written = line[dates[0].start:dates[0].end] if dates else ""
        alone = len(dates) == 1 and re.sub(r"[\s.]", "", line) == re.sub(r"[\s.]", "", written)
        if not alone:
            continue
        last = n == len(lines) - 1  # or the contract's last line, the signatures left to the seals
        if last or any(_SIGNATURE.match(following) for _, _, following in lines[n + 1:n + 4]):
            date = dates[0]
            found = Placed(date.value, p, offset + date.start, offset + date.end)
    return found if found is not None and isinstance(found.value, KoreanDate) else None


# a party's mark in the signature block: "(을)", "[을]", "계약상대자(을)", "을:" or "을" opening a line
_PARTY_MARK = re.compile(r"[(\[]\s*([갑을병])\s*[)\]]|(?:^|(?<=\n)|(?<=: ))\s*[\"“]?([갑을병])[\"”]?(?=\s|:|$)", re.MULTILINE)
# a name signed over a seal: "대표이사 채 윤 하 (인)", "이사장 조은결 (서명)"
_SEALED = re.compile(r"(?:(?<=\s)|^)((?:[가-힣] ){1,3}[가-힣]|[가-힣]{2,4})\s*\((?:인|서명|직인|印)\)", re.MULTILINE)
# failing a seal, the name after the head's title: "대표이사: 어 진 혁", "대 표 자 : 이사장 조 은 결"
_HEAD_TITLE = re.compile(r"대\s?표\s?(?:이\s?사|자)?\s*(?:성\s?명)?\s*:?\s*(?:이사장|원장|회장|총장\s)?\s*"
                         r"((?:[가-힣] ){1,3}[가-힣](?![가-힣])|[가-힣]{2,4}(?![가-힣]))")


# the sentence that closes a contract above its signatures: "…작성하여 갑과 을이 기명날인한 후 각 1부씩 보관한다."
_CLOSING = re.compile(r"(?:기명\s?날인|서명\s?날인|서명|날인)[^\n]{0,30}보관한다\.?")


def _closing_formula(passages: list[Passage]) -> Placed | None:
    last = None
    for p, passage in enumerate(passages):
        for m in _CLOSING.finditer(passage.text):
            last = Placed(m.group(), p, m.start(), m.end())
    return last


_TITLES = re.compile(r"^(?:대표(?:이사|자)?|이사장|원장|회장|총장|[가-힣]{0,4}(?:시장|군수|구청장|청장|교육감|도지사))$")


def _a_name(words: str) -> bool:
    return _TITLES.match(words.replace(" ", "")) is None


def representative(passages: list[Passage], party: str) -> Placed | None:
    """The person who signs for a party ("갑", "을", "병") in the block under the contract's date: the name
    over the party's seal, in the party's own block ("(을) 주식회사 … / 대표이사 모 리 안 (인)") or in the
    party's column of a signature table ("발주기관 (갑): 계약상대자 (을)" over "… (직인): 대표이사 곽 민 결 (인)")."""
    date = closing_date(passages) or _closing_formula(passages)
    if date is None:
        return None
    defined = [word for word, _ in _defined_parties(passages, roles=True)]
    if party in ("갑", "을", "병") and not _marked(passages, date) and "갑" not in defined and len(defined) >= 2:
        # no (갑)/(을) marks and parties defined by their roles ("발주자", "계약상대자"): 을 is the second defined
        index = "갑을병".index(party)
        party = defined[index] if index < len(defined) else party
        return _role_block(passages, date, party)
    if party not in ("갑", "을", "병"):  # a role ("계약상대자"): the party whose mark its signature line carries
        role = re.compile(r"\s?".join(party))
        marked = [m.group(1) or m.group(2) for q in range(date.passage, len(passages))
                  for line in passages[q].text[date.end if q == date.passage else 0:].split("\n") if role.search(line)
                  for m in _PARTY_MARK.finditer(line)]
        if not marked and not _marked(passages, date):
            return _role_block(passages, date, party)  # "계약상대자 주식회사 … 대표이사 마 준 호 (인)"
        if len(set(marked)) != 1:
            return None
        party = marked[0]
    p = date.passage
    region_start = date.end
    for q in range(p, len(passages)):
        text = passages[q].text
        start = region_start if q == p else 0
        lines = [(m.start(), m.group()) for m in re.finditer(r"[^\n]+", text) if m.start() >= start]
        for n, (at, line) in enumerate(lines):
            marks = [m.group(1) or m.group(2) for m in _PARTY_MARK.finditer(line)]
            if len(marks) >= 2 and party in marks:  # a signature table's header row: the party's column
                column = marks.index(party)
                for below_at, below in lines[n + 1:]:
                    sealed = [m for m in _SEALED.finditer(below) if _a_name(m.group(1))]
                    if len(sealed) == len(marks):
                        m = sealed[column]
                        return Placed(m.group(1).replace(" ", ""), q, below_at + m.start(1), below_at + m.end(1))
                return None
            if marks == [party]:  # the party's own block, to the next party's mark
                block = [(at, line)]
                for below_at, below in lines[n + 1:]:
                    if _PARTY_MARK.search(below):
                        break
                    block.append((below_at, below))
                for pattern in (_SEALED, _HEAD_TITLE):
                    for block_at, block_line in block:
                        m = next((m for m in pattern.finditer(block_line) if _a_name(m.group(1))), None)
                        if m:
                            return Placed(m.group(1).replace(" ", ""), q, block_at + m.start(1), block_at + m.end(1))
                return None
    return None


def _signature_lines(passages: list[Passage], date: Placed) -> list[tuple[int, int, str]]:
    return [(q, at, line) for q, at, line in passage_lines(passages)
            if q > date.passage or (q == date.passage and at >= date.end)]


def _marked(passages: list[Passage], date: Placed) -> bool:
    return any(_PARTY_MARK.search(line) for _, _, line in _signature_lines(passages, date))


def _role_block(passages: list[Passage], date: Placed, role: str) -> Placed | None:
    """The name over the seal in the block a signature line opens with the party's role ("계약상대자 …")."""
    opens = re.compile(r"^\s*" + r"\s?".join(role))
    lines = _signature_lines(passages, date)
    start = next((n for n, (_, _, line) in enumerate(lines) if opens.match(line)), None)
    if start is None:
        return None
    for n, (q, at, line) in enumerate(lines[start:start + 4]):
        if n and re.match(r"^\s*(?:발\s?주|계\s?약\s?상\s?대|수\s?급|위\s?탁|수\s?탁|임\s?대|임\s?차|갑|을)", line):
            break  # the next party's block
        m = next((m for m in _SEALED.finditer(line) if _a_name(m.group(1))), None)
        if m:
            return Placed(m.group(1).replace(" ", ""), q, at + m.start(1), at + m.end(1))
    return None
