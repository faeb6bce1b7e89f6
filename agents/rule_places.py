"""Where Korean documents put a value that no "label: value" line gives (for `agents.rules`): counts on the line
that names what they count, per-unit figures, a period said in an article, a rate in its own article, a table's
stated 원 unit, a report's signed date, a press release's headline, a letter's title over its greeting, and the
receipt words a POS prints (amount paid, discount, 할부, payment method, card issuer, the sale's timed date).
"""
from __future__ import annotations

import re

from agents.sentences import Passage, passage_lines
from agents.rule_labels import NAME_WORDS
from agents.rule_values import Found, find
from agents.weights import WEIGHTS


# a figure with no unit, alone as a word: receipts and tax invoices print "합계금액 1,980,000"
_INSTALMENTS = re.compile(r"할\s?부\s*(\d{1,2})\s*개월|(\d{1,2})\s*개월\s*할\s?부")


_REPORT_DATE = re.compile(r"(?:보고|복명|작성|제출|신청)(?:일|일자|날짜)")


# the line a report, 복명서 or application is signed on: its date stands alone on the line above
_SIGNED_BY = re.compile(r"^\s*(?:복\s?명\s?자|보\s?고\s?자|작\s?성\s?자|신\s?청\s?인|신\s?청\s?자|제\s?출\s?자|보\s?고\s?인)")


def _signed_date(passages: list[Passage]) -> list[Found]:
    lines = passage_lines(passages)
    out = []
    for (p, at, line), following in zip(lines, lines[1:]):
        dates = find("date", line, p)
        if len(dates) == 1 and re.sub(r"[\s.]", "", line) == re.sub(r"[\s.]", "", line[dates[0].start:dates[0].end]) \
                and _SIGNED_BY.match(following[2]):
            d = dates[0]
            out.append(Found(p, at + d.start, at + d.end, d.parsed))
    return out


_PER_MONEY = re.compile(r"^1?([가-힣]{1,3})당(?=[가-힣])")  # 개소당 지원한도, 1대당 지원 한도, 시간당 강사료


_DISCOUNT = re.compile(r"(?:할인|감액|차감)(?:\s?금액|액)?$")


# an office, not a person: "사무국", "교무실", "기획예산팀" (a name of 2–4 syllables rarely ends like a 4-syllable unit)
_UNIT_WORD = re.compile(r"^(?:사무국|사무처|사무실|교무실|행정실|총무과|총무팀|민원실)$|^[가-힣]{3,}(?:팀|과|실|국|부|처|센터|본부)$")


# a receipt's discount line ends in the amount taken off, printed negative: "회원 할인 (10%) -36,800"
_DISCOUNT_LINE = re.compile(r"^[^\n]*?(?:할\s?인|감\s?액|차\s?감)[^\n\d\-]*(?:\([^)\n]*\))?[^\n\d\-]*"
                            r"-\s?(\d{1,3}(?:,\d{3})+|\d+)\s*원?\s*$", re.MULTILINE)


# a count field ("대상 어린이집 수", "교육 정원", "상담 건수") and a figure with a counter ("132개소", "27곳", "3개 업소")
_COUNT_FIELD = re.compile(r"(.+?)\s*(개수|건수|대수|인원|정원|명수|개소|수량|일수|수)$")


_COUNTED = re.compile(r"(?<![\d.,])(\d{1,3}(?:,\d{3})+|\d+)\s*(개소|개교|개사|개|명|대|건|곳|팀|점|가구|세대|그루|마리|권|일간)"
                      r"(?![가-힣])")


# the counters a count word allows: 인원 is counted in 명, 대수 in 대 … ("참여 인원" is no "참여 셀러: 86팀")
_COUNTERS = {"일수": ("일간",), "인원": ("명",), "정원": ("명",), "명수": ("명",), "대수": ("대",), "건수": ("건",),
             "개소": ("개소", "곳", "개")}


_PER = re.compile(r"^([가-힣]{1,4}(?:별|당))")  # a count per unit: 학교별 추천 인원, 팀당 인원


_PER_BEFORE = re.compile(r"([가-힣]{1,4}(?:별|당))\s?(?:로|으로)?\s?(?:[가-힣]{1,4}\s)?(?:최대|각)?\s?$")


_TOTAL_BEFORE = re.compile(r"(?:총|합계|계)\s*$")


def _counted(name: str, passages: list[Passage], kiwi) -> list[tuple[Found, float, str]]:
    """A count field read from the line that names what it counts: "가. 지원 대상: 관내 어린이집 132개소" for
    대상 어린이집 수, "점검 대상: … 취약구간 27곳" for 점검 구간 수. A figure scores the field's nouns its line
    holds before it (or right after its counter: "3개 업소"); one in brackets is a breakdown, and among the
    figures that hold most of them one after 총 / 계 is the total and beats the field's own label
    ("모집인원: 기초과정 40명, 심화과정 20명 (총 60명)"). Only a single best value counts: two figures as well
    named leave the field empty."""
    m = _COUNT_FIELD.fullmatch(name.replace(" ", "")) if kiwi is not None else None
    if m is None or re.search(r"(?:점|회|횟)$", m.group(1)):
        return []  # 점수, 횟수 count no things
    # (the count word itself names the line too: "채용 분야 및 인원: 총 10명" for 모집인원)
    nouns = {t.form for t in kiwi.tokenize(name) if t.tag in ("NNG", "NNP") and len(t.form) >= 2
             and t.form not in ("개수", "대수", "명수")}
    # a word Kiwi breaks into one-syllable nouns ("휴장" → 휴 + 장) still names the line as a whole
    nouns |= {w for w in name.split()[:-1] if re.fullmatch(r"[가-힣]{2,}", w) and not _PER.match(w)}
    if not nouns:
        return []
    per = _PER.search(name.replace(" ", ""))  # 학교별 추천 인원: the figure right after "학교별", nothing else
    scored: list[tuple[float, Found, bool]] = []
    for p, passage in enumerate(passages):
        text = passage.text
        for c in _COUNTED.finditer(text):
            counter = c.group(2)
            if counter not in _COUNTERS.get(m.group(2), (counter,)) or (counter == "일간") != (m.group(2) == "일수"):
                continue  # "(28일간)" counts the days of 휴장 일수, nothing else
            line_start = text.rfind("\n", 0, c.start()) + 1
            before, after = text[line_start:c.start()], text[c.end():c.end() + 6].split("\n")[0]
            shared = _PER_BEFORE.search(before)  # "(학교별 4명 이내 추천)": a share, not the count
            if per or shared:
                if per and shared and per.group(1).endswith(shared.group(1)):  # 시군별 ← "시·군별"
                    scored.append((len(nouns) + 1, Found(p, c.start(1), c.end(1), int(c.group(1).replace(",", ""))),
                                   True))
                continue
            named = any(re.match(rf"\s*{noun}", after) for noun in nouns)  # "6개 강좌": the counted thing itself
            held = sum(1 for noun in nouns if re.search(r"\s?".join(noun), before[-60:])  # "출 장 자" too
                       or re.match(rf"\s*{noun}", after)) + named
            if not held:
                continue
            # "출장자: 주무관 채하온, 농촌지도사 연도율 (2명)": a bracket that holds only the count and ends the line
            # counts the list before it; any other bracket is a breakdown
            tally = before.rstrip().endswith("(") and re.match(r"\)\s*$", text[c.end():].split("\n")[0]) is not None
            bracketed = before.count("(") > before.count(")") and not named and not tally
            # "(총 16학급, 412명)": every figure in a bracket that opens with 총 is a total
            total = _TOTAL_BEFORE.search(before) is not None or re.search(r"\(\s*총[^()]*$", before) is not None
            if bracketed and not total:
                continue
            scored.append((held, Found(p, c.start(1), c.end(1), int(c.group(1).replace(",", ""))), total))
    if not scored:
        return []
    top = [s for s in scored if s[0] == max(s[0] for s in scored)]  # the figures that name most of the field
    pool = [s for s in top if s[2]] or top
    if len({s[1].parsed for s in pool}) != 1:
        return []
    best = pool[0]
    anchor = WEIGHTS.label_own_name if best[2] else WEIGHTS.labelled
    why = f"'{per.group(1)} …' 단위당 개수" if per else "'총 …' 합계" if best[2] else "세는 대상을 말하는 줄의 개수"
    return [(best[1], anchor, why)]


_SMALL_SUM = re.compile(r"[ \t]*[:：]?[ \t]*(\d{1,3})[ \t]*원?[ \t]*$", re.MULTILINE)


_HEADER_UNIT = re.compile(r"\((천|백만|만|억)\s?원\)\s*:\s*$")


def _header_unit(text: str, start: int) -> int:
    """A rendered cell's header that states its unit: "금액(천원): 192,000" is 192,000,000 원."""
    cell = re.split(r" · |\n", text[max(0, start - 40):start])[-1]
    m = _HEADER_UNIT.search(cell)
    return {"천": 1_000, "만": 10_000, "백만": 1_000_000, "억": 100_000_000}[m.group(1)] if m else 0


_DOC_UNIT = re.compile(r"\(?\s*단\s?위\s*[:：]?\s*(천|백만|만|억)\s?원\s*\)?")


def _table_unit(passages: list[Passage], p: int) -> int:
    """The 원 unit a table's bare figures are in, stated in its passage or at the edge of the one before or
    after it ("(단위: 천원)"); 1 when none or two different ones are stated."""
    around = [passages[p].text]
    if p > 0:
        around.append(passages[p - 1].text[-80:])
    if p + 1 < len(passages):
        around.append(passages[p + 1].text[:80])
    units = {m.group(1) for text in around for m in _DOC_UNIT.finditer(text)}
    return {"천": 1_000, "만": 10_000, "백만": 1_000_000, "억": 100_000_000}[units.pop()] if len(units) == 1 else 1


# a rate written as a fraction (지체상금률 "1,000분의 2.5")
_FRACTION = re.compile(r"(?<![\d,.])(?:\d{1,3}(?:,\d{3})+|\d+)\s?분의\s?\d+(?:\.\d+)?")


# a period's trailing remark, after a complete range: " (3년)", " (36개월)", " (2일간, 준비·철수 포함)"
_PERIOD_REMARK = re.compile(r"(?<=[\d.)일지])\s+\([^()]*\)$")


_ARTICLE = re.compile(r"^\s*제\s?\d+\s?조(?:의\s?\d+)?\s?\(([^)\n]{1,20})\)", re.MULTILINE)


def _article_rate(name: str, passages: list[Passage]) -> list[Found]:
    """A rate field's value in the article named for it ("제5조(지체상금)" for 지체상금률), when that article
    states one rate."""
    stem = re.sub(r"[율률]$", "", name.replace(" ", ""))
    found: list[Found] = []
    for p, passage in enumerate(passages):
        text = passage.text
        for article in _ARTICLE.finditer(text):
            if article.group(1).replace(" ", "") != stem:
                continue
            following = _ARTICLE.search(text, article.end())
            body_end = following.start() if following else len(text)
            found += [Found(p, m.start(), m.end(), m.group())
                      for m in _FRACTION.finditer(text, article.end(), body_end)]
    if not found:  # "… 1,000분의 3에 해당하는 지체상금을 갑에게 지급한다": the sentence that names it
        for p, passage in enumerate(passages):
            for line in re.finditer(r"[^\n]+", passage.text):
                if stem in line.group().replace(" ", ""):
                    found += [Found(p, line.start() + m.start(), line.start() + m.end(), m.group())
                              for m in _FRACTION.finditer(line.group())]
    return found if len({re.sub(r"\s", "", f.parsed) for f in found}) == 1 else []


_WEEKDAY = r"(?:\s?\([월화수목금토일]\))?"
_FULL_DATE = r"(?:\d{4}\s?년\s?\d{1,2}\s?월\s?\d{1,2}\s?일|(?:\d{4}|'\d{2})\.\s?\d{1,2}\.\s?\d{1,2}\.?)" + _WEEKDAY


_END_DATE = (r"(?:(?:\d{4}\s?년\s?)?\d{1,2}\s?월\s?\d{1,2}\s?일|(?:(?:\d{4}|'\d{2})\.\s?)?\d{1,2}\.\s?\d{1,2}\.?)"
             + _WEEKDAY)  # the end may leave out the year: "2026. 9. 1. ~ 11. 26."


_PERIOD_SAID = re.compile(rf"([가-힣]{{0,6}}\s?기\s?간)\s?(?:은|는|이|을|:)\s*"
                          rf"({_FULL_DATE}\s?(?:부터|~)\s?{_END_DATE}(?:\s?까지)?)")


def _period_sentence(name: str, passages: list[Passage]) -> list[Found]:
    """A period stated in an article's sentence: "임차 기간은 2027. 5. 1.부터 2030. 4. 30.까지 36개월로 한다" for a
    field that names that period (임차 기간, 임차기간) or a bare 기간."""
    asked = name.replace(" ", "")
    found = []
    for p, passage in enumerate(passages):
        for m in _PERIOD_SAID.finditer(passage.text):
            label = m.group(1).replace(" ", "")
            if asked == "기간" or label == asked or label.endswith(asked) or asked.endswith(label):
                found.append(Found(p, m.start(2), m.end(2), m.group(2)))
    return found


# a receipt's own date asked by name: the date of the sale
_NUMBER_AFTER = re.compile(r"[ \t]*[:：]?[ \t]*([0-9][0-9A-Za-z\-]{3,}[0-9A-Za-z])(?![\w\-])")


_CLOCK = re.compile(r"\s?(?:\([월화수목금토일]\)\s?)?\d{1,2}:\d{2}")


_PAYMENT_FIELDS = frozenset(w.replace(" ", "") for w in NAME_WORDS["payment_field"])


# a payment word standing alone ("현금영수증" is a receipt's kind, "현금 영수증 승인" its approval, not the payment)
def _ocr_spaced(words) -> str:
    """Words as a regex group that also matches them with OCR's stray spaces ("신용 카드")."""
    return "(?:" + "|".join(r"\s?".join(map(re.escape, w.replace(" ", ""))) for w in words) + ")"


_PAYMENT_WORD = re.compile(rf"(?<![가-힣]){_ocr_spaced(NAME_WORDS['payment_word'])}(?![가-힣]|\s?영수증)")


_CARD_FIELDS = frozenset(w.replace(" ", "") for w in NAME_WORDS["card_company"])


_CARD_ISSUER = re.compile(rf"(?<![가-힣A-Za-z]){_ocr_spaced(NAME_WORDS['card_issuer'])}(?![가-힣])")


_SUBTITLE = re.compile(r"^\s*[-–—]\s?\S.{4,}$")


_HEADLINE = re.compile(r"^(?![^\n]{0,12}[:：|])(?!.*\s·\s)[^\n]{8,80}(?<![다요]\.)$")


_GREETING = re.compile(r"^\s*(?:[가-힣 ]{0,12}(?:님|여러분)\s*[,，]?\s*)?안녕하십니까")


def _title_over(passages: list[Passage], below: re.Pattern, lines: int, first: int = 0,
                dateless: bool = False) -> Found | None:
    """The first title-like line (short, no label, not a sentence; with `dateless` no date either) among the
    document's first `lines` lines, from line `first` on, that stands right over a line `below` matches."""
    head = passage_lines(passages)[:lines]
    for (p, at, line), (_, _, under) in zip(head[first:], head[first + 1:]):
        if below.match(under) and _HEADLINE.match(line.strip()) and not (dateless and find("date", line, p)):
            stripped = line.strip()
            start = at + line.index(stripped)
            return Found(p, start, start + len(stripped), stripped)
    return None


def _above_greeting(passages: list[Passage]) -> Found | None:
    """The line right above a letter's greeting ("학부모님, 안녕하십니까?") among its first lines."""
    return _title_over(passages, _GREETING, 10, dateless=True)  # not the "2027. 11. 15." line


def _headline(passages: list[Passage]) -> Found | None:
    """Under a genre heading ("보 도 자 료") and its labelled lines (보도일시, 담당부서), the headline is the first
    line that stands over a "- … -" subtitle."""
    return _title_over(passages, _SUBTITLE, 12, first=1)
