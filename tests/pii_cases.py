"""A labelled set of Korean sentences with personal data and near misses, built from a seed.

`generate(seed, per_kind)` gives, for every PII kind, `per_kind` sentences holding true cases and
`per_kind` near misses; `score` tallies a detector's findings against them span by span.
Checksums are computed here independently of ingest.pii, so a bug there cannot hide in both.
"""
from __future__ import annotations

import random
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, timedelta

KINDS = ("rrn", "foreigner_rn", "phone", "account", "card", "email", "passport", "address")
DIGITS = "0123456789"

FILLERS = (
    "본 문서는 사내 업무 처리 기준을 설명합니다.", "자세한 내용은 첨부 파일을 참고하시기 바랍니다.",
    "2024년 3분기 매출은 전년 대비 12.5% 증가하였다.", "회의는 오후 2시 30분에 대회의실에서 열립니다.",
    "제출 기한은 2024-01-15까지이며 기한 내 미제출 시 불이익이 있을 수 있습니다.",
    "상기 내용에 이의가 있는 경우 7일 이내에 신청하여야 한다.", "총 금액은 1,234,500원(부가세 포함)입니다.",
    "개인정보는 수집 목적 달성 후 지체 없이 파기합니다.", "제3조(적용 범위) 이 규정은 모든 임직원에게 적용한다.",
    "신청서는 인사팀으로 보내 주십시오.", "감사합니다.", "확인 후 회신 부탁드립니다.",
    "버전 2.3.1부터 새 양식을 사용합니다.", "참석 인원은 약 150명으로 예상됩니다.",
)
NAMES = ("홍길동", "김민수", "이영희", "박지훈", "최서연", "정우성", "강하늘", "윤지아")


@dataclass(frozen=True)
class Case:
    """One sentence: the kind it was written for, whether it holds that kind, the expected spans."""

    text: str
    spans: tuple[tuple[str, str], ...]  # (kind, substring of text), each substring unique in text
    group: str
    positive: bool


def digits(rng: random.Random, n: int) -> str:
    return "".join(rng.choice(DIGITS) for _ in range(n))


def rrn_check(first12: str, foreign: bool) -> int:
    total = sum(int(d) * w for d, w in zip(first12, (2, 3, 4, 5, 6, 7, 8, 9, 2, 3, 4, 5)))
    return ((13 if foreign else 11) - total % 11) % 10


def registration_number(rng: random.Random, foreign: bool, valid: bool, hyphen: bool = True,
                        years: tuple[int, int] = (1940, 2019)) -> str:
    """A 주민/외국인등록번호 with a real birth date; `valid` says whether its checksum holds."""
    year = rng.randint(*years)
    born = date(year, 1, 1) + timedelta(rng.randrange(365))
    genders = {1900: "56" if foreign else "12", 2000: "78" if foreign else "34"}[year // 100 * 100]
    body = f"{born:%y%m%d}{rng.choice(genders)}{digits(rng, 5)}"
    check = rrn_check(body, foreign)
    last = str(check) if valid else rng.choice([d for d in DIGITS if d != str(check)])
    return f"{body[:6]}{'-' if hyphen else ''}{body[6:]}{last}"


def luhn_complete(rng: random.Random, prefix: str, length: int, valid: bool = True) -> str:
    body = prefix + digits(rng, length - len(prefix) - 1)
    total = 0
    for i, c in enumerate(reversed(body)):
        d = int(c) * (1 if i % 2 else 2)
        total += d - 9 if d > 9 else d
    check = (10 - total % 10) % 10
    return body + (str(check) if valid else rng.choice([d for d in DIGITS if d != str(check)]))


def group(number: str, sizes: Iterable[int], sep: str) -> str:
    parts, i = [], 0
    for size in sizes:
        parts.append(number[i:i + size])
        i += size
    return sep.join(parts)


def card_number(rng: random.Random, valid: bool = True) -> str:
    issuer = rng.choice(("visa", "master", "bc", "jcb", "amex", "visa19"))
    if issuer == "amex":
        return group(luhn_complete(rng, rng.choice(("34", "37")), 15, valid), (4, 6, 5), rng.choice("- "))
    prefix, length = {"visa": ("4", 16), "master": (str(rng.randint(51, 55)), 16), "bc": ("9410", 16),
                      "jcb": ("35", 16), "visa19": ("4", 19)}[issuer]
    number = luhn_complete(rng, prefix, length, valid)
    if rng.random() < 0.2:
        return number
    return group(number, (4, 4, 4, 4, 3)[: 4 if length == 16 else 5], rng.choice("- "))


def phone_number(rng: random.Random) -> str:
    sep = rng.choice(("-", "-", "-", ".", " "))
    style = rng.choice(("mobile", "mobile", "mobile", "seoul", "area", "070", "paren", "intl", "bare"))
    if style == "mobile":
        return f"{rng.choice(('010', '010', '011', '016', '017', '019'))}{sep}{digits(rng, 4)}{sep}{digits(rng, 4)}"
    if style == "seoul":
        return f"02{sep}{rng.randint(200, 9999)}{sep}{digits(rng, 4)}"
    if style == "area":
        area = rng.choice(("031", "032", "033", "041", "042", "043", "044", "051", "052", "053", "054", "055",
                           "061", "062", "063", "064"))
        return f"{area}{sep}{rng.randint(200, 999)}{sep}{digits(rng, 4)}"
    if style == "070":
        return f"070{sep}{digits(rng, 4)}{sep}{digits(rng, 4)}"
    if style == "paren":
        return f"({rng.choice(('02', '031', '051'))}) {rng.randint(200, 999)}-{digits(rng, 4)}"
    if style == "intl":
        return rng.choice((f"+82 10-{digits(rng, 4)}-{digits(rng, 4)}",
                           f"+82-2-{rng.randint(200, 999)}-{digits(rng, 4)}"))
    return f"010{digits(rng, 8)}"


BANKS = {  # bank: account formats as group sizes, first group fixed where the bank fixes it
    "국민": ((6, 2, 6),), "신한": ((3, 3, 6),), "우리": ((4, 3, 6),), "하나": ((3, 6, 5),), "농협": ((3, 4, 4, 2),),
    "기업": ((3, 6, 2, 3),), "카카오뱅크": ((4, 2, 7),), "토스뱅크": ((4, 4, 4),), "새마을금고": ((4, 4, 4, 1),),
    "우체국": ((6, 2, 6),), "SC제일": ((3, 2, 6),),
}
FIXED = {"신한": "110", "우리": "1002", "카카오뱅크": "3333", "토스뱅크": "1000", "농협": "352", "새마을금고": "9002"}


def account_number(rng: random.Random, bank: str) -> str:
    sizes = rng.choice(BANKS[bank])
    head = FIXED.get(bank, str(rng.randint(1, 9)))
    number = head + digits(rng, sum(sizes) - len(head))
    return number if rng.random() < 0.15 else group(number, sizes, "-")


def email_address(rng: random.Random) -> str:
    local = rng.choice(("hong.gildong", "minsu.kim", "jiyoung_lee", "kim1984", "park+news", "sy.choi", "admin.hr",
                        "jh-yoon", "lee.dh"))
    domain = rng.choice(("naver.com", "gmail.com", "daum.net", "hanmail.net", "kakao.com", "korea.kr",
                         "hanbit.co.kr", "snu.ac.kr", "company-mail.com"))
    return f"{local}{rng.randint(1, 99) if rng.random() < 0.3 else ''}@{domain}"


def passport_number(rng: random.Random) -> str:
    letter = rng.choice("MSRGDT")
    if rng.random() < 0.5:
        return letter + digits(rng, 8)
    return f"{letter}{digits(rng, 3)}{rng.choice('ABCDEFG')}{digits(rng, 4)}"


PLACES = (  # (시/도 spellings, 시/군/구, roads)
    (("서울특별시", "서울"), "강남구", ("테헤란로", "강남대로", "논현로", "강남대로94길")),
    (("서울특별시", "서울"), "종로구", ("세종대로", "율곡로", "자하문로")),
    (("서울특별시",), "마포구", ("월드컵북로", "양화로")),
    (("부산광역시", "부산"), "해운대구", ("센텀중앙로", "해운대로")),
    (("경기도",), "성남시 분당구", ("판교역로", "불정로", "판교로256번길")),
    (("경기도",), "수원시 영통구", ("광교로", "월드컵로")),
    (("대전광역시",), "유성구", ("대학로", "엑스포로")),
    (("제주특별자치도",), "제주시", ("첨단로", "연북로")),
    (("세종특별자치시", "세종"), "", ("도움6로", "한누리대로")),  # 세종 has no 시/군/구
)
LOTS = (("서울특별시 종로구", "청운동"), ("서울 강남구", "역삼동"), ("경기도 양평군 양평읍", "양근리"),
        ("대구광역시 중구", "동인동2가"), ("부산광역시 해운대구", "우동"))


def address(rng: random.Random) -> tuple[str, str]:
    """A full address and the part expected to be masked (after the 시/군/구)."""
    if rng.random() < 0.25:
        region, lot = rng.choice(LOTS)
        detail = f"{lot} {rng.randint(1, 999)}{'-' + str(rng.randint(1, 99)) if rng.random() < 0.6 else ''}"
        detail += "번지" if rng.random() < 0.4 else ""
        return f"{region} {detail}", detail
    sidos, district, roads = rng.choice(PLACES)
    detail = f"{rng.choice(roads)} {rng.randint(1, 400)}{'-' + str(rng.randint(1, 20)) if rng.random() < 0.2 else ''}"
    if rng.random() < 0.3:
        detail += f", {rng.randint(101, 120)}동 {rng.randint(1, 25)}0{rng.randint(1, 4)}호"
    return " ".join(part for part in (rng.choice(sidos), district, detail) if part), detail


def region(rng: random.Random) -> str:
    sidos, district, roads = rng.choice(PLACES)
    road = rng.choice(roads) if rng.random() < 0.5 else ""
    return " ".join(part for part in (rng.choice(sidos), district, road) if part)


Make = Callable[[random.Random], tuple[str, tuple[tuple[str, str], ...]]]


def one(kind: str, templates: tuple[str, ...], value: Callable[[random.Random], str]) -> Make:
    def make(rng: random.Random) -> tuple[str, tuple[tuple[str, str], ...]]:
        v = value(rng)
        return rng.choice(templates).format(v=v, name=rng.choice(NAMES)), ((kind, v),)
    return make


def none(templates: tuple[str, ...], value: Callable[[random.Random], str]) -> Make:
    def make(rng: random.Random) -> tuple[str, tuple[tuple[str, str], ...]]:
        return rng.choice(templates).format(v=value(rng), name=rng.choice(NAMES)), ()
    return make


def two_phones(rng: random.Random) -> tuple[str, tuple[tuple[str, str], ...]]:
    tel, fax = phone_number(rng), phone_number(rng)
    while fax == tel:
        fax = phone_number(rng)
    return f"TEL {tel} / FAX {fax}", (("phone", tel), ("phone", fax))


def account_case(rng: random.Random) -> tuple[str, tuple[tuple[str, str], ...]]:
    bank = rng.choice(tuple(BANKS))
    number = account_number(rng, bank)
    bank_name = bank if bank.endswith(("뱅크", "금고", "국")) else bank + rng.choice(("은행", "", "은행"))
    template = rng.choice(("입금 계좌: {b} {n} (예금주: {name})", "{b} {n} 예금주 {name}",
                           "환불 받으실 계좌번호는 {b} {n}입니다.", "송금처 {n} ({b})", "급여 이체 통장: {b} {n}",
                           "아래 계좌로 입금해 주세요. {n}"))
    return template.format(b=bank_name, n=number, name=rng.choice(NAMES)), (("account", number),)


def address_case(rng: random.Random) -> tuple[str, tuple[tuple[str, str], ...]]:
    full, detail = address(rng)
    template = rng.choice(("본사 주소: {a}", "{a}에 위치한 사옥으로 이전합니다.", "배송지: {a} (받는 분: {name})",
                           "주소지 {a} 거주자", "신청인 주소 {a}", "{name}의 주소는 {a}입니다."))
    return template.format(a=full, name=rng.choice(NAMES)), (("address", detail),)


def failing_luhn(rng: random.Random) -> str:
    number = luhn_complete(rng, str(rng.randint(1, 9)), 16, valid=False)
    return number if rng.random() < 0.3 else group(number, (4, 4, 4, 4), rng.choice("- "))


def ean13(rng: random.Random) -> str:
    body = "880" + digits(rng, 9)
    check = (10 - sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(body)) % 10) % 10
    return body + str(check)


RRN_LABELS = ("주민등록번호: {v}", "주민번호 {v} 확인 바랍니다.", "성명 {name}, 주민등록번호 {v}")
POSITIVES: dict[str, tuple[Make, ...]] = {
    "rrn": (
        one("rrn", ("{name}({v})은 본 계약의 당사자로서", "성명 {name} / {v} / 서울 거주", "{v} {name} 귀하"),
            lambda r: registration_number(r, False, True, hyphen=r.random() < 0.85)),
        one("rrn", RRN_LABELS, lambda r: registration_number(r, False, True)),
        # issued since October 2020: random last digits, found only through the label
        one("rrn", RRN_LABELS + ("생년월일 및 주민번호 {v}",),
            lambda r: registration_number(r, False, False, years=(2020, 2023))),
    ),
    "foreigner_rn": (
        one("foreigner_rn", ("외국인 근로자 {name}({v})의 체류 기간", "{name} / {v} / 베트남 국적"),
            lambda r: registration_number(r, True, True)),
        one("foreigner_rn", ("외국인등록번호: {v}", "외국인 등록번호 {v} (체류자격 E-9)"),
            lambda r: registration_number(r, True, r.random() < 0.5)),
    ),
    "phone": (
        one("phone", ("연락처는 {v}입니다.", "담당자: {name} 과장 (Tel. {v})", "팩스: {v}",
                      "문의 사항은 {v}로 연락 주시기 바랍니다.", "비상연락망 - {name} {v}", "FAX {v}로 송부 바랍니다.",
                      "휴대폰 {v} / 사무실 내선 123", "솔루션사업팀 {name} 팀장 M.{v}"), phone_number),
        two_phones,
    ),
    "account": (account_case,),
    "card": (one("card", ("카드번호 {v} (유효기간 12/27)", "결제 카드: {v}", "신용카드 {v}로 결제되었습니다.",
                          "법인카드 {v} 사용 내역", "{v} 카드 분실 신고"), card_number),),
    "email": (one("email", ("이메일: {v}", "문의는 {v}로 보내 주세요.", "담당자 메일 주소({v})",
                            "E-mail {v} / 내선 2345", "{name} <{v}>"), email_address),),
    "passport": (one("passport", ("여권번호: {v}", "여권 번호 {v} (만료일 2030.05.31)", "Passport No. {v}",
                                  "여권({v}) 사본 제출"), passport_number),),
    "address": (address_case,),
}

NEGATIVES: dict[str, tuple[Make, ...]] = {
    "rrn": (
        none(("주문번호 {v}", "접수번호 {v}", "관리번호: {v}", "참조 {v} 건"), lambda r: registration_number(r, False, False)),
        none(("법인등록번호 {v}", "법인번호: {v}"), lambda r: f"110111-{digits(r, 7)}"),
        none(("생년월일: {v}", "입사일 {v}"), lambda r: f"{r.randint(1950, 2005)}-0{r.randint(1, 9)}-{r.randint(10, 28)}"),
        none(("코드 {v}", "번호 {v}"), lambda r: f"{r.randint(10, 99)}{r.randint(13, 99)}{r.randint(10, 99)}-{digits(r, 7)}"),
        none(("상품 바코드 {v}", "EAN {v}"), ean13),
    ),
    "foreigner_rn": (
        none(("외국인 근로자 교육 참석 번호 {v}", "문서번호 {v}", "등록 대기 {v}"),
             lambda r: registration_number(r, True, False)),
        none(("체류자격 {v}", "비자 종류 {v}"), lambda r: r.choice(("E-9", "F-4", "D-2", "H-2"))),
    ),
    "phone": (
        none(("연락처 {v}",), lambda r: f"010-{digits(r, 3)}-{digits(r, 3)}"),
        none(("고객센터 {v}", "대표번호 {v}로 문의"),
             lambda r: f"{r.choice(('1588', '1577', '1644', '1899'))}-{digits(r, 4)}"),
        none(("수신자부담 {v}",), lambda r: f"080-{r.randint(200, 999)}-{digits(r, 4)}"),
        none(("일정: {v}", "기준일 {v}"), lambda r: f"2024{r.choice('-.')}0{r.randint(1, 9)}{r.choice('-.')}{r.randint(10, 28)}"),
        none(("주문번호 {v}",), lambda r: f"2024-{digits(r, 4)}-{digits(r, 4)}"),
        none(("내선 {v}", "우편번호 {v}"), lambda r: digits(r, 5)),
        none(("우편번호 {v}년 개정",), lambda r: f"0{digits(r, 4)} {r.randint(2015, 2024)}"),
        none(("버전 {v} 배포",), lambda r: f"{r.randint(1, 9)}.{r.randint(10, 99)}.{digits(r, 4)}"),
    ),
    "account": (
        none(("문서번호 {v} 참조", "관리번호: {v}"), lambda r: f"{digits(r, 3)}-{digits(r, 3)}-{digits(r, 6)}"),
        none(("우리 회사의 사업자등록번호는 {v}입니다.", "기업 정보: 사업자번호 {v}"),
             lambda r: f"{r.randint(100, 899)}-{r.randint(10, 99)}-{digits(r, 5)}"),
        none(("입금액 {v}원", "이체 금액 {v}원"), lambda r: f"{r.randint(1, 999)},{digits(r, 3)},{digits(r, 3)}"),
        none(("입금 금액 {v}원",), lambda r: str(r.randint(10**9, 10**10))),
        none(("입금일 {v}", "이체 예정일 {v}"), lambda r: f"2024-0{r.randint(1, 9)}-{r.randint(10, 28)}"),
        none(("은행 대표번호 {v}",), lambda r: f"1588-{digits(r, 4)}"),
        none(("입금 확인 후 주문번호 {v}로 발송",), lambda r: f"2024-{digits(r, 4)}-{digits(r, 6)}"),
        none(("은행 실무 교재 ISBN {v}",), lambda r: f"978-89-{digits(r, 4)}-{digits(r, 3)}-{r.randint(0, 9)}"),
        none(("계좌번호 끝자리 {v}", "통장 사본 {v}부"), lambda r: str(r.randint(1, 9999))),
    ),
    "card": (
        none(("주문번호 {v}", "일련번호 {v}", "카드번호 {v} (오타)", "승인번호 {v}"), failing_luhn),
        none(("ISBN {v}",), lambda r: f"97{r.choice('89')}89{digits(r, 8)}"),
        none(("주문번호 {v}", "일련번호: {v}"), lambda r: f"{r.randint(1, 9)}{digits(r, 15)}"),
        none(("송장번호 {v}",), lambda r: f"{r.randint(1, 9)}{digits(r, 3)}-{digits(r, 4)}-{digits(r, 4)}"),
        none(("결제 금액 {v}원",), lambda r: f"{r.randint(1, 99)},{digits(r, 3)},{digits(r, 3)}"),
        none(("구분 {v}", "연도별 거래액 추이 {v}"), lambda r: " ".join(map(str, range(y := r.randint(2000, 2018), y + 4)))),
    ),
    "email": (
        none(("@{v} 님 확인 부탁드립니다", "트위터 @{v}"), lambda r: r.choice(("홍길동", "korag_official", "hanbit"))),
        none(("{v}로 접속", "서버 {v}"), lambda r: r.choice(("user@localhost", "admin@server", "root@db01"))),
        none(("홈페이지 {v} 참고", "사이트: {v}"), lambda r: r.choice(("www.hanbit.co.kr", "example.com", "korea.kr"))),
        none(("문의@{v}", "패키지 korag@{v}"), lambda r: r.choice(("고객센터", "0.3.1", "1.2.0"))),
    ),
    "passport": (
        none(("모델명 {v}", "주문코드 {v}", "부품번호 {v}", "품번 {v} 재고 있음"), passport_number),
        none(("여권 발급 수수료 {v}원", "여권 사진 규격 {v}"), lambda r: r.choice(("53,000", "3.5x4.5cm", "15,000"))),
    ),
    "address": (
        none(("{v}에 위치한 지점", "{v} 일대 교통 통제"), lambda r: region(r)),
        none(("서울 지하철 2호선 강남역 {v}번 출구", "제{v}조 제2항에 따른다."), lambda r: str(r.randint(1, 12))),
        none(("본 규칙은 그대로 {v}년간 유지한다.", "부산광역시 해운대구 소재 호텔 {v}곳"), lambda r: str(r.randint(2, 30))),
        none(("테헤란로에 있는 사무실 {v}곳", "2024년 강남구 인구 {v}만 명"), lambda r: str(r.randint(2, 60))),
    ),
}


def generate(seed: int = 7, per_kind: int = 60) -> list[Case]:
    """`per_kind` positive and `per_kind` near-miss sentences for every kind, with filler around."""
    rng = random.Random(seed)
    cases: list[Case] = []
    for kind in KINDS:
        for positive, makers in ((True, POSITIVES[kind]), (False, NEGATIVES[kind])):
            for i in range(per_kind):
                sentence, spans = makers[i % len(makers)](rng)
                before, after = rng.sample(FILLERS, rng.randint(0, 1)), rng.sample(FILLERS, rng.randint(0, 2))
                text = " ".join([*before, sentence, *after])
                assert all(text.count(sub) == 1 for _, sub in spans), text
                cases.append(Case(text, spans, kind, positive))
    return cases


@dataclass
class Tally:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0


def score(cases: Iterable[Case], find: Callable[[str], list]) -> dict[str, Tally]:
    """Per kind and "all": a finding is a TP when it overlaps an expected span of its kind."""
    tallies = {kind: Tally() for kind in (*KINDS, "all")}
    for case in cases:
        expected = [(kind, case.text.index(sub), case.text.index(sub) + len(sub)) for kind, sub in case.spans]
        matched: set[int] = set()
        for f in find(case.text):
            hit = next((i for i, (k, s, e) in enumerate(expected) if k == f.kind and f.start < e and s < f.end), None)
            if hit is None:
                tallies[f.kind].fp += 1
                tallies["all"].fp += 1
            else:
                matched.add(hit)
        for i, (kind, _, _) in enumerate(expected):
            for name in (kind, "all"):
                if i in matched:
                    tallies[name].tp += 1
                else:
                    tallies[name].fn += 1
    return tallies


def table(tallies: dict[str, Tally]) -> str:
    lines = [f"{'kind':<13}{'TP':>6}{'FP':>6}{'FN':>6}{'precision':>11}{'recall':>8}"]
    for kind, t in tallies.items():
        lines.append(f"{kind:<13}{t.tp:>6}{t.fp:>6}{t.fn:>6}{t.precision:>11.3f}{t.recall:>8.3f}")
    return "\n".join(lines)
