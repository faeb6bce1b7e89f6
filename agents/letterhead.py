"""The header of a Korean official letter (공문) or notice (공고), read from its text lines.

A 공문 says who sends it (the letterhead "서 울 특 별 시" and the 발신명의 "서울특별시장"), to whom
(수신), through whom (경유), about what (제목), and under which number and date (시행 부서-번호
(2025. 10. 24.)); a 공고 opens with "기관 공고 제2025-477호" and closes with the date and the
기관장. `letterhead` finds these parts so extraction can take a field from the place it lives instead
of guessing from the first value of its kind (a recipient is an organisation too, a referenced letter
has a date too).

It reads the chunk text (table rows as "a | b | c" lines) for now; when the loaders hand over 공문
header blocks (issue 15) only `_lines` needs to read those instead.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, replace

from agents.sentences import Passage, passage_lines
from agents.lexicons import lexicon
from ingest.numbers import KoreanDate, find_dates


@dataclass(frozen=True)
class Part:
    """One part of the header: its value, where it is (passage index, span) and what named it."""

    role: str
    value: object  # str, or KoreanDate for "date"; "" where the letter has the place but left it empty
    passage: int
    start: int
    end: int
    label: str


ROLES = lexicon("field_roles")
# Labels a 공문 writes in its header cells, and the part each names.
_CELL_LABELS = {"수신": "recipient", "수신자": "recipient", "(경유)": "via", "경유": "via", "제목": "title",
                "건명": "title", "발신": "sender", "발신명의": "sender", "시행": "number_and_date"}
# Cells that end the 시행 cell group in the approval table.
_STOP_CELLS = {"접수", "우", "전화", "/전송", "전송", "공개", "비공개", "협조자"}
_ORG_END = re.compile(r"(?:특별자치시|특별자치도|특별시|광역시|[시도군구부처청원실국관읍면]|위원회|공단|공사|재단|센터|학교|법원"
                      r"|협회|연합회|조합|학회|체육회|협의회"
                      r"|(?:소방|경찰|세무)서|(?:보건|사업|연구|출장|관리|사무)소"
                      r"|주식회사|\(주\)|㈜|유한회사)$")  # 윤슬소방서, 맑은물사업소, "라온여객 주식회사" (대표이사)
_NOTICE = re.compile(r"^\s*(?P<org>[가-힣 ]{2,30}?)\s*(?:공고|고시|훈령|예규|공문)\s*"
                     r"(?P<number>제\s*\d{4}\s*-\s*\d+\s*호)")
_NUMBERED_LINE = re.compile(r"^\s*(?P<head>[가-힣](?:\s?[가-힣]){1,11})\s+(?P<number>제\s?\d{2,4}\s?-\s?\d+\s?호)"
                            r"(?:\s+(?P<rest>.*?))?\s*$")
_NUMBERED_GENRES = frozenset({"가정통신문", "학부모통신문", "통신문", "안내문", "알림장"})
_DOC_NUMBER = re.compile(r"^[가-힣A-Za-z0-9·]+(?:\s?-\s?\d+)+$")
# a form's "-처" labels (지 급 처, 접 수 처, 연 락 처): the party or place a row names, not an office like 인사혁신처
_FORM_PLACE = re.compile(r"(?:지급|접수|연락|문의|제출|거래|구입|납품|사용|신청|발급|소속)처")
_SPACED = re.compile(r"^(?:[가-힣]\s){2,}[가-힣]$")  # "서 울 특 별 시": letterhead letters spaced out
# the head's title a 발신명의 ends with ("한국생활안전공단 이사장"): the sender is the body before it
_HEADS = ("대표이사", "이사장", "위원장", "원장", "총장", "사장", "회장", "청장", "교육장", "장")
_HEAD_OF_PLACE = re.compile(r"(?<=군)수$|(?<=도)지사$")  # 다온군수 → 다온군, 늘봄도지사 → 늘봄도


def _signer(name: str) -> str:
    """The 기관 of a 발신명의 ("한국생활안전공단이사장" → 한국생활안전공단, "한국소비자원장" → 한국소비자원); ""."""
    for head in _HEADS:
        body = name[:-len(head)].rstrip() if name.endswith(head) else ""
        if body and _ORG_END.search(body):
            return body
    if name.endswith("교육감") and len(name) > 4:
        return name[:-3] + "교육청"  # "푸름도교육감" signs for 푸름도교육청
    place = _HEAD_OF_PLACE.search(name)
    return name[:place.start()].rstrip() if place and place.start() >= 2 else ""
# "수신  수신자 참조": the recipients are listed on the "수신자" line under the 발신명의
_SEE_LIST = re.compile(r"수신(?:자|처)\s*참조")
# "접수  교육청소년과-8812 (2025. 9. 9.)" after the 시행 part; a bare "접수" is the receiving office's blank
_RECEIVED = re.compile(r"접\s?수(?:\s+([가-힣A-Za-z0-9·]+(?:\s?-\s?\d+)+))?\s*(\([^)]*\))?\s*$")
# a title's second line (the loaders drop its indent): short, no numbered paragraph, label or sentence
_TITLE_GOES_ON = re.compile(r"^\s*(?!\d+\.|[가-하]\.|수\s?신|\(?경\s*유|발\s?신|붙\s?임|시\s?행|\()[^:：|]{1,40}?(?<![다요]\.)\s*$")


# another header label inside a header line's value, its letters possibly spaced ("… 운영자 참 조 담당자")
_NEXT_LABEL = re.compile(r"\s(?:참\s?조|\(?경\s?유\)?|발\s?신(?:\s?명\s?의)?|제\s?목|수\s?신자?)(?:\s*[:：]|\s)")
# "귀중" / "귀하" after the recipient: the honorific ends it
_HONORIFIC = re.compile(r"\s(?:귀중|귀하)(?:\s|$)")
# a line that starts with a header label
_HEADER_LINE = re.compile(r"^(?:수\s?신자?|발\s?신|참\s?조|\(?경\s{0,4}유\)?|제\s?목)(?:\s|[:：])")
# a title that cannot end where its line does: "… 추진 계획 알림 및" (its rest may be in the next block)
_UNFINISHED = re.compile(r"(?:\s및|\s또는|[·ㆍ,]|「[^」]*|\([^)]*)\s*$")  # "… 지도자(어르신·장애인 전담" goes on


# the noun a Korean official title ends with: what the letter does ("… 지급 기준 안내", "… 채용 공고")
_TITLE_END = r"(?:안내|알림|요청|공고|모집|계획|결과|협조|개최|제출|통보|회신|보고|공모|신청)"
_TITLE_TAIL = re.compile(rf"^\s*[가-힣·\s]{{0,30}}{_TITLE_END}\s*$")  # "신청 안내 및 단지 홍보 협조 요청"


def _finish_title(parts: dict[str, Part], lines: list[tuple[int, int, str]]) -> None:
    """A title that stops short of the noun it ends with takes the short line under it that holds it
    ("… 강사료 지급 기준" / "안내"; a PDF cell or a 공고 heading wraps where it likes)."""
    title = parts["title"]
    if re.search(rf"{_TITLE_END}\s*$", title.value):
        return
    n = next((i for i, (p, offset, line) in enumerate(lines)
              if p == title.passage and offset <= title.end <= offset + len(line)), None)
    if n is None or n + 1 >= len(lines):
        return
    p, offset, line = lines[n + 1]
    if _TITLE_TAIL.match(line) and _TITLE_GOES_ON.match(line) and not _HEADER_LINE.match(line.strip()):
        more = line.strip()
        start = offset + line.index(more)
        end = start + len(more) if p == title.passage else title.end
        parts["title"] = replace(title, value=f"{title.value} {more}", end=end)


def _line_signer(line: str) -> str:
    """The 기관 of a 발신명의 line, its own spacing kept unless its letters are spaced out ("재단법인
    온마루문화재단 대표이사" → "재단법인 온마루문화재단"); "" for a header line ("수신 산들초등학교장" names the
    recipient's head, not the letter's 발신명의)."""
    if _HEADER_LINE.match(line) or _APPROVAL_END.match(line):
        return ""  # nor is a "협조자 경영기획부장 남도경" line
    if len(line.split()) >= 2 and all(_POST.match(word) for word in line.split()):
        return ""  # nor a 결재 block's row of posts ("입학사정관 입학홍보팀장 입학처장")
    # "사단법인 한국캠핑장협회 회장 봉 다 겸 (직인생략)": the head's name and the seal remark are not the 기관's
    line = re.sub(r"\s*[(\[](?:직인\s?생략|직인|인|서명|印)[)\]]\s*$", "", line)
    named = re.sub(r"\s+(?:[가-힣](?: [가-힣]){1,3}|[가-힣]{2,4})$", "", line)
    spaced = _SPACED.match(line) is not None
    # (the 기관 and its head in at most three words: a 결재 line "주무관 모다인 … 산들면장 노승배" is no 발신명의)
    short = named != line and 1 < len(named.split()) <= 3 and not _POST.match(named.split()[0])
    return (not spaced and (_signer(line) or (short and _signer(named)))) or _signer(line.replace(" ", ""))


# the 결재 line under the 발신명의: posts and names, the drafter (기안자, the letter's 담당자) first —
# "주무관 모다인 맞춤형복지팀장 어지훈 …", or a table "주임 | 숲길사업팀장 | …" over "변하율 | 한소망 | …"
_POST = re.compile(r"^(?:[가-힣]{0,10}(?:장|관|주임|대리|사원|교사|사서|간사|연구원|연구사|장학사|간호사|주사보?|서기보?|복지사)|소방[사교장위경령정]|경[사위감정]|순경"
                   r"|(?:" + "|".join(map(re.escape, lexicon("document_words")["job_title"])) + r"))$")
_PERSON = re.compile(r"^[가-힣]{2,4}$")
_DRAFTING = re.compile(r"담당(?:자)?|기안(?:자)?")  # a 결재 table's first column: "담당 | 팀장 | 실장"
_POSTED_NAME = re.compile(r"^\s*(\S+)\s+((?:[가-힣] ){1,3}[가-힣]|[가-힣]{2,4})(?=\s|$)")
_APPROVAL_END = re.compile(r"^\s*(?:협\s?조(?:\s?자)?|시\s?행|접\s?수|우\s?\d|우편번호)(?:\s|$|[:：])")


def _drafter(lines: list[tuple[int, int, str]], after: int) -> tuple[int, int, int, str] | None:
    """(passage, start, end, name) of the first person of the 결재 line in the few lines after the 발신명의."""
    for n in range(after + 1, min(after + 5, len(lines))):
        p, offset, line = lines[n]
        if _APPROVAL_END.match(line):
            return None
        if "|" in line:
            posts = [c[2] for c in _cells(line, offset)]
            names = _cells(lines[n + 1][2], lines[n + 1][1]) if n + 1 < len(lines) else []
            if len(posts) >= 2 and all(_POST.match(c.replace(" ", "")) or _DRAFTING.fullmatch(c.replace(" ", ""))
                                       for c in posts) and names \
                    and _PERSON.match(names[0][2].replace(" ", "")) and not _POST.match(names[0][2].replace(" ", "")):
                start, end, name = names[0]
                return lines[n + 1][0], start, end, name.replace(" ", "")
            continue
        words = line.split()
        below = lines[n + 1][2] if n + 1 < len(lines) else ""
        named = _POSTED_NAME.match("x " + below)  # "전문관 현장실습지원센터장 산학협력단장" over "은가람 여도윤 (전결) …"
        if len(words) >= 2 and all(_POST.match(w) for w in words) and named \
                and _PERSON.match(named.group(2).replace(" ", "")) and not _POST.match(named.group(2).replace(" ", "")):
            p1, offset1 = lines[n + 1][0], lines[n + 1][1]
            return p1, offset1 + named.start(2) - 2, offset1 + named.end(2) - 2, named.group(2).replace(" ", "")
        line = re.sub(r"^(\s*)(?:기\s?안|담\s?당)(?:자)?\s+", r"\1", line)  # "기안 과장 구하린 검토 사무국장 …"
        first = _POSTED_NAME.match(line)  # "주무관 모다인 …", "경위 예 지 안 여성청소년계장 …"
        posts = sum(1 for w in line.split() if _POST.match(w))
        if first and posts >= 2 and _POST.match(first.group(1)) and not _POST.match(first.group(2).replace(" ", "")):
            return p, offset + first.start(2), offset + first.end(2), first.group(2).replace(" ", "")
    return None


def _clean(cell: str) -> str:
    """A cell's text without table pipes, brackets left empty and spacing runs."""
    text = re.sub(r"\s+", " ", cell.replace("|", " ")).strip(" :：")
    return "" if re.fullmatch(r"[\W_]*", text) else text


_CELL_SEPARATOR = re.compile(r"\||\s·\s")  # "a | b" rows, and the structure's "a · b" (ingest/structure_tables.py)


def _cells(line: str, offset: int) -> list[tuple[int, int, str]]:
    """The cells of a "a | b | c" (or "a · b · c") row with their spans (stripped)."""
    cells, position = [], 0
    for m in [*_CELL_SEPARATOR.finditer(line), None]:
        raw = line[position:m.start() if m else len(line)]
        stripped = raw.strip()
        if stripped:
            start = offset + position + raw.index(stripped)
            cells.append((start, start + len(stripped), stripped))
        position = m.end() if m else len(line)
    return cells


def _stops(cell: str) -> bool:
    """A cell that ends the 시행 / 접수 group: 접수, 우(편번호), 전화, 공개 … ("http://… 전화", ") 우")."""
    return any(word in _STOP_CELLS for word in re.findall(r"[가-힣/]+", cell))


def letterhead(passages: list[Passage]) -> dict[str, Part]:
    """The header parts found in the passages: sender, recipient, via, title, doc_number, date, received_date."""
    parts: dict[str, Part] = {}

    def put(role: str, value, p: int, start: int, end: int, label: str, replace: bool = False) -> None:
        if role == "sender" and isinstance(value, str) and " " in value.strip() and _signer(value.strip()):
            body = _signer(value.strip())  # "발신: 한국생활안전공단 이사장": the 기관, not its head
            value, end = (body, start + len(body)) if value.startswith(body) else (value, end)
        if role == "sender" and isinstance(value, str):  # "서울특별시마포구" (letters spaced out): two names
            value = re.sub(r"^([가-힣]+?(?:특별시|광역시|특별자치시|특별자치도|도))(?=[가-힣]{1,4}[시군구]$)", r"\1 ", value)
            value = re.sub(r"^([가-힣]{1,4}[시군구])(?=[가-힣]{1,4}[읍면]$)", r"\1 ", value)  # "달래군 산들면"
        if role == "recipient" and isinstance(value, str):
            kept = _HONORIFIC.split(value, maxsplit=1)[0].rstrip()  # "하늬시립미술관 귀중 등록번호 …"
            value, end = (kept, start + len(kept)) if kept != value else (value, end)
        if role == "title" and isinstance(value, str) and _SPACED.match(value.strip()):
            value = value.replace(" ", "")  # "인 사 발 령": a heading's letters spaced out
        if value and (replace or role not in parts or parts[role].value == ""):
            parts[role] = Part(role, value, p, start, end, label)

    def blank(role: str, p: int, start: int, end: int) -> None:
        """The letter has the place but left it empty (접수 on an outgoing letter): the field stays null."""
        parts.setdefault(role, Part(role, "", p, start, end, "접수"))

    signature: tuple[int, int, int, str] | None = None
    signed_at = -1  # the line of the last 발신명의
    previous: tuple[int, int, str] | None = None
    after_notice = False
    lines = passage_lines(passages, blank=True)
    for n, (p, offset, line) in enumerate(lines):
        stripped = line.strip()
        if after_notice and stripped:
            # a 공고's title is the line under "기관 공고 제2023-311호"
            after_notice = False
            if len(stripped) <= 80 and not find_dates(stripped, partial=False):
                start, title = offset + line.index(stripped), stripped
                following = lines[n + 1] if n + 1 < len(lines) else None
                if following and following[0] == p and _UNFINISHED.search(title) and _TITLE_GOES_ON.match(following[2]):
                    more = following[2].strip()  # a PDF wraps a long 공고 title: "…(어르신·장애인 전담" / "포함) 채용 공고"
                    title = f"{title} {more}"
                put("title", title, p, start, start + len(title), "공고 제목")
        cells = _cells(line, offset) if "|" in line or " · " in line else []
        for i, (start, end, cell) in enumerate(cells):
            name = cell.replace(" ", "")
            if _SPACED.match(cell) and _ORG_END.search(name) and not _FORM_PLACE.fullmatch(name):  # "| 서 울 특 별 시 |"
                put("sender", name, p, start, end, "머리")
            elif _SPACED.match(cell) and name.endswith("장") and _ORG_END.search(name[:-1]):
                if signature is None:  # "| 서 울 특 별 시 장 |": 발신명의
                    signature, signed_at = (p, start, end, name[:-1]), n
            role = _CELL_LABELS.get(name)
            if role is None and name.endswith("시행") and " " in cell and cell.split()[-1] == "시행":
                role = "number_and_date"  # "협조자 시행": blocks joined on one line, the label is the cell's end
            if role is None:
                continue
            rest = [c for c in cells[i + 1:]]
            if role == "number_and_date":
                group = []
                for c in rest:
                    if _stops(c[2]):
                        break
                    group.append(c)
                number = next((c for c in group if _DOC_NUMBER.match(c[2])), None)
                if number:
                    put("doc_number", number[2].replace(" ", ""), p, number[0], number[1], "시행")
                for c in group:
                    date = find_dates(c[2], partial=False)
                    if date:
                        put("date", date[0].value, p, c[0] + date[0].start, c[0] + date[0].end, "시행")
                        break
                after = rest[len(group):]
                if after and after[0][2].replace(" ", "") == "접수":
                    received = []
                    for c in after[1:]:
                        if _stops(c[2]):
                            break
                        received.append(c)
                    dates = [(c, d) for c in received for d in find_dates(c[2], partial=False)[:1]]
                    if dates:
                        (c, d), = dates[:1]
                        put("received_date", d.value, p, c[0] + d.start, c[0] + d.end, "접수")
                    elif not any(_clean(c[2]) for c in received):
                        blank("received_date", p, after[0][0], after[0][1])
                continue
            value = next((c for c in rest if _CELL_LABELS.get(c[2].replace(" ", "")) is None), None)
            if value and _clean(value[2]) and value[0] - end < 40:
                put(role, _clean(value[2]), p, value[0], value[1], cell)
        if cells:
            previous = None
            continue
        stripped = line.strip()
        numbered = _NUMBERED_LINE.match(line) if n < 8 else None
        if numbered and not _NOTICE.match(line):
            # "가 정 통 신 문 제2027-87호" (a genre heading and its number), "다솜건축 제2027-214호 2027년 10월 18일"
            # (an association's number and date under its letterhead)
            head = re.sub(r"\s", "", numbered.group("head"))
            number = re.sub(r"\s+", "", numbered.group("number"))
            rest = numbered.group("rest") or ""
            dates = find_dates(rest, partial=False)
            around = rest[:dates[0].start] + rest[dates[0].end:] if dates else rest
            alone = len(dates) == 1 and not re.sub(r"[\s.]", "", around).strip("()월화수목금토일")
            if head in _NUMBERED_GENRES:
                put("doc_number", number, p, offset + numbered.start("number"), offset + numbered.end("number"), head)
            elif alone and len(head) <= 10:
                value = f"{head} {number}"
                put("doc_number", value, p, offset + numbered.start("head"), offset + numbered.end("number"), "문서번호")
            if alone and (head in _NUMBERED_GENRES or len(head) <= 10):
                d = dates[0]
                at = offset + numbered.start("rest")
                put("date", d.value, p, at + d.start, at + d.end, "시행")
        notice = _NOTICE.match(line)
        if notice:
            org = re.sub(r"^((?:사단|재단|사회복지|학교|의료)법인)(?=[가-힣])", r"\1 ", notice.group("org").replace(" ", ""))
            put("sender", org, p, offset + notice.start("org"), offset + notice.end("org"), "공고")
            number = re.sub(r"\s+", "", notice.group("number"))
            put("doc_number", number, p, offset + notice.start("number"), offset + notice.end("number"), "공고")
            after_notice = True
        # "수신: 전 임직원", or a plain-text letter's short "수신 각 동 주민센터장" line
        # ("수 신 자", "(경   유)": a form's labels spaced out to the width of the longest)
        label = re.match(r"^\s*(수\s{0,2}신(?:\s{0,2}자(?=[\s:：]))?|발\s{0,2}신(?:명의)?|제\s{0,2}목|건\s{0,2}명"
                         r"|\(?경\s{0,4}유\)?)"
                         r"(?:\s*[:：]\s*|\s+)(\S.*?)\s*$", line)
        if label and (":" in line or "：" in line or len(line) <= 80):
            role = _CELL_LABELS.get(re.sub(r"\s", "", label.group(1)), "via")
            value = label.group(2)
            see = _SEE_LIST.match(value)  # "수신자 참조 참 조: 사무국장": the next label is after the phrase
            nxt = _NEXT_LABEL.search(value, see.end() if see else 0)
            if nxt and not _SEE_LIST.fullmatch(value.strip()):
                value = value[:nxt.start()].rstrip()  # "수 신 관내 작은도서관 운영자 참 조 프로그램 담당자"
            end = offset + label.start(2) + len(value)
            following = lines[n + 1] if n + 1 < len(lines) else None
            if role == "title" and following and (following[0] == p or _UNFINISHED.search(value)) \
                    and _TITLE_GOES_ON.match(following[2]):
                more = lines[n + 1][2].strip()  # "제목  … 참가 학교" / "      추천 요청": one title
                value, end = f"{value} {more}", lines[n + 1][1] + lines[n + 1][2].index(more) + len(more)
            if role == "recipient" and value.endswith(",") and following and following[2].strip() \
                    and not _HEADER_LINE.match(following[2].strip()) and len(following[2].strip()) <= 60:
                more = following[2].strip()  # "수 신 다온군수(…), 늘봄도…교육장(교육과장)," / "다온군어린이집연합회장"
                value = f"{value} {more}"
                end = following[1] + following[2].index(more) + len(more) if following[0] == p else end
            see_list = role == "recipient" and "recipient" in parts and _SEE_LIST.fullmatch(str(parts[role].value))
            put(role, value, p, offset + label.start(2), end, label.group(1), replace=bool(see_list))
        elif re.fullmatch(r"\s*(?:제\s{0,2}목|건\s{0,2}명)\s*[:：]?\s*", line) and n + 1 < len(lines):
            # "제목" alone at the end of a header cell or block (PDF), the title on the next line(s)
            p1, offset1, first = lines[n + 1]
            value, end = first.strip(), offset1 + len(first.rstrip())
            following = lines[n + 2] if n + 2 < len(lines) else None
            if value and following and following[0] == p1 and _TITLE_GOES_ON.match(following[2]):
                more = following[2].strip()
                value, end = f"{value} {more}", following[1] + following[2].index(more) + len(more)
            if value and not re.match(r"\d+\.\s", value):
                put("title", value, p1, offset1 + first.index(value.split()[0]), end, "제목")
        issued = re.match(r"^\s*시행(?:\s*[:：]\s*|\s+)(\S+)\s*(\(.*?\))?", line)  # "시행: 일자리경제과-5521 (…)"
        if issued and _DOC_NUMBER.match(issued.group(1)):  # "시행  복지정책과-8841 (2025. 11. 17.)   접수"
            put("doc_number", issued.group(1), p, offset + issued.start(1), offset + issued.end(1), "시행")
            dates = find_dates(issued.group(2) or "", partial=False)
            if dates:
                at = offset + issued.start(2)
                put("date", dates[0].value, p, at + dates[0].start, at + dates[0].end, "시행")
            _put_received(put, blank, line[issued.end():], p, offset + issued.end())
            following = lines[n + 1] if n + 1 < len(lines) else None
            if following and following[0] == p and re.match(r"\s*접\s?수(?:\s|$)", following[2]):
                # the structure step puts a mid-line 접수 on its own line (ingest/structure_gongmun.py)
                _put_received(put, blank, following[2], p, following[1])
        elif stripped == "시행" and n + 1 < len(lines):
            # a 시행 cell read line by line (PDF): "시행" / "전시교육과-1042" / "(2025. 8. 4.) 접수"
            p1, offset1, line1 = lines[n + 1]
            if _DOC_NUMBER.match(line1.strip()):
                start = offset1 + line1.index(line1.strip())
                put("doc_number", line1.strip(), p1, start, start + len(line1.strip()), "시행")
                p2, offset2, line2 = lines[n + 2] if n + 2 < len(lines) else (p1, offset1, "")
                dates = find_dates(line2.split("접수")[0], partial=False)
                if dates:
                    put("date", dates[0].value, p2, offset2 + dates[0].start, offset2 + dates[0].end, "시행")
                    _put_received(put, blank, line2[dates[0].end:], p2, offset2 + dates[0].end)
        org = _line_signer(stripped)
        if _SPACED.match(stripped) or (org and len(org.replace(" ", "")) <= 20):
            name = stripped.replace(" ", "")
            start = offset + line.index(stripped)
            if org:
                signature, signed_at = (p, start, start + len(stripped), org), n
                # a notice's date stands alone on the line right above its 기관장, or ends that line after
                # a sentence (PDF text joins "…바랍니다." and "2025. 11. 28.")
                if previous:
                    dates = find_dates(previous[2], partial=False)
                    tail = previous[2].rstrip()
                    if dates and (len(previous[2].strip()) <= 20 or (
                            dates[-1].end >= len(tail) - 1 and re.search(r"[.다]\s*$", tail[:dates[-1].start]))):
                        d = dates[0] if len(previous[2].strip()) <= 20 else dates[-1]
                        put("date", d.value, previous[0], previous[1] + d.start, previous[1] + d.end, "공고일")
            elif _ORG_END.search(name) and not _FORM_PLACE.fullmatch(name):
                put("sender", name, p, start, start + len(stripped), "머리")
        previous = (p, offset, line) if stripped else previous
    if "title" in parts and isinstance(parts["title"].value, str):
        _finish_title(parts, lines)
    drafter = _drafter(lines, signed_at) if signed_at >= 0 else None
    if drafter:
        put("drafter", drafter[3], drafter[0], drafter[1], drafter[2], "결재란 (기안자)")
    if signature and "sender" not in parts:
        put("sender", signature[3], signature[0], signature[1], signature[2], "발신명의")
    elif signature and parts["sender"].label == "머리" and signature[3] != parts["sender"].value \
            and signature[3].replace(" ", "") == str(parts["sender"].value):
        # the letterhead spaced out its letters ("재 단 법 인   윤 슬 …"); the 발신명의 keeps the name's own spacing
        put("sender", signature[3], signature[0], signature[1], signature[2], "발신명의", replace=True)
    if "recipient" in parts and _SEE_LIST.fullmatch(str(parts["recipient"].value)):
        parts["recipient"] = replace(parts["recipient"], value="")  # "수신자 참조" and no 수신자 list: not a recipient
    if "sender" not in parts and ("recipient" in parts or "title" in parts):
        # a company letter's letterhead: its first line is the company's name ("주식회사 새봄식품")
        first = next(((p, offset, line) for p, offset, line in lines if line.strip()), None)
        if first and _COMPANY.fullmatch(first[2].strip()):
            start = first[1] + first[2].index(first[2].strip())
            put("sender", first[2].strip(), first[0], start, start + len(first[2].strip()), "머리")
    return parts


_COMPANY = re.compile(r"(?:주식회사|유한회사|\(주\)|㈜|(?:사단|재단|사회복지|학교|의료|농업회사|영농조합)법인)\s?[가-힣A-Za-z0-9&]{2,20}"
                      r"|[가-힣A-Za-z0-9&]{2,20}\s?(?:주식회사|\(주\)|㈜)")


def _put_received(put, blank, rest: str, p: int, at: int) -> None:
    """The 접수 part after the 시행 part on its line: its date, or a blank the receiving office fills in."""
    received = _RECEIVED.search(rest)
    if received is None:
        return
    dates = find_dates(received.group(2) or "", partial=False)
    if dates:
        start = at + received.start(2) + dates[0].start
        put("received_date", dates[0].value, p, start, start + dates[0].end - dates[0].start, "접수")
    elif not received.group(1):
        blank("received_date", p, at + received.start(), at + received.end())


def role_of(name: str, title: str = "") -> str | None:
    """The header part a field asks for, when its name or title is one of that part's words."""
    keys = {re.sub(r"[\s_]+", "", text).lower() for text in (name, title) if text}
    for role, words in ROLES.items():
        if keys & {re.sub(r"[\s_]+", "", w).lower() for w in words}:
            return role
    return None


def as_text(part: Part) -> str:
    return part.value.iso() if isinstance(part.value, KoreanDate) else str(part.value)
