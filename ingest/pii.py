"""Korean personal data (개인정보) in text: find it, then mask it, flag it or keep it per call.

Owns the detectors (주민/외국인등록번호 with checksum, phone, account, card with Luhn, e-mail,
passport, address) and `PiiPolicy`; patterns are compiled once at import, nothing reads settings.
"""
from __future__ import annotations

import hashlib

import re
from bisect import bisect_left
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Literal

from ingest.numbers import find_amounts, find_dates

KINDS = ("rrn", "foreigner_rn", "phone", "account", "card", "email", "passport", "address")
LABELS = {
    "rrn": "[주민등록번호]",
    "foreigner_rn": "[외국인등록번호]",
    "phone": "[전화번호]",
    "account": "[계좌번호]",
    "card": "[카드번호]",
    "email": "[이메일]",
    "passport": "[여권번호]",
    "address": "[주소]",
}
Mode = Literal["mask", "flag", "keep"]


@dataclass(frozen=True)
class Finding:
    """One piece of personal data: its kind and where it is in the text (str offsets)."""

    kind: str
    start: int
    end: int
    text: str


# A number starts where no digit, ASCII letter or digit+separator precedes it, and ends likewise:
# "302-0123-4567-81" must not yield a phone "0123-4567" from its middle. Each pattern begins with a
# character class and checks _STARTED after that first character: a pattern that begins with a
# lookbehind is tried at every position, one that begins with a class lets `re` skip ahead (3x).
_DASHES = "\\-\u2010\u2011\u2013\u2212"  # hyphen, Unicode hyphens, en dash, minus (from Word/HWP)
_STARTED = rf"(?<![0-9A-Za-z].)(?<![0-9][{_DASHES}.].)"
_END = rf"(?![0-9A-Za-z])(?![{_DASHES}.][0-9])"
_DASH = f"[{_DASHES}]"
_SEP = f"[{_DASHES}. ]?"

# 주민등록번호 / 외국인등록번호: YYMMDD-GNNNNNC, the hyphen optional (spreadsheets drop it).
_RRN = re.compile(rf"\d{_STARTED}\d{{5}}{_DASH}?\d{{7}}" + _END)
_RRN_WEIGHTS = (2, 3, 4, 5, 6, 7, 8, 9, 2, 3, 4, 5)
_CENTURY = {"9": 1800, "0": 1800, "1": 1900, "2": 1900, "5": 1900, "6": 1900,
            "3": 2000, "4": 2000, "7": 2000, "8": 2000}
# The nearest label before a number (within 15 non-digit characters) decides over checksums: a
# personal one makes it a 주민번호 even when its checksum fails; one for another number (법인등록번호
# has the same 6-7 shape, order numbers and barcodes are 13-16 digits) clears it even when it passes.
_LABEL_BEFORE = re.compile(
    r".*(?:(?P<person>주민\s?(?:등록)?\s?번호|외국인\s?(?:등록)?\s?번호|생년월일|RRN)|(?P<card>카드|card)"
    r"|(?P<other>법인|사업자|주문|송장|접수|관리|문서|바코드|상품|EAN|GTIN|ISBN|일련|시리얼|승인))[^\d\n]{0,15}\Z",
    re.I | re.S)

# Phones: mobile 010/011/016-019, Seoul 02, area codes 031-064, 070 (internet), 050X (안심번호,
# a personal number relayed). Not matched, on purpose: 15XX/16XX/18XX-XXXX 대표번호 and 080
# toll-free numbers belong to businesses and are what a document wants its reader to call.
_PREFIX = r"(?:1[016789]|2|3[1-3]|4[1-4]|5[1-5]|6[1-4]|70|50\d)"
# The two separators after the prefix agree ("02 104 2024", not "우편번호 02104 2024년").
_PHONE = re.compile(
    rf"[0+(]{_STARTED}(?:(?:(?<=\+)82[ -]?(?:\(0\))?[ -]?|(?<=0)){_PREFIX}"
    rf"(?P<sep>[{_DASHES}. ]?)\d{{3,4}}(?P=sep)\d{{4}}"
    rf"|(?:(?<=\()0|(?<=0)){_PREFIX}\)\s?\d{{3,4}}{_SEP}\d{{4}})" + _END)

# Account numbers have no shared format or checksum and collide with every other number, so one
# counts only after a context word: a strong one (계좌, 입금…) anywhere in the window before it, or
# a bank's name right before it ("신한 110-…"); "우리", "하나", "국민" alone are everyday words.
_ACCOUNT = re.compile(rf"\d{_STARTED}(?:\d{{1,5}}(?:{_DASH}\d{{1,7}}){{1,3}}|\d{{9,13}})" + _END)
_ACCOUNT_WINDOW = 24
_ACCOUNT_WORD = re.compile(r"계좌|은행|입금|예금주|송금|이체|통장|뱅크|금고|우체국|농협|수협|신협|account|bank", re.I)
_BANK_RIGHT_BEFORE = re.compile(
    r"(?:국민|신한|우리|하나|기업|농협|수협|신협|카카오|토스|케이|새마을|우체국|SC제일|제일|씨티|산업|"
    r"대구|부산|경남|광주|전북|제주|KB|NH|IBK|SC)[\s:：(]{0,3}$")
# A later label for some other number wins: "입금 확인 후 주문번호 2024-0115-334201".
_OTHER_NUMBER_WORD = re.compile(
    r"사업자|법인|주문|송장|운송장|전화|연락처|휴대폰|팩스|문서|접수|고객|회원|모델|제품|시리얼|일련|ISBN|승인")

# Cards: 4-4-4-4(-3), 4-6-5 (Amex), 4-6-4 (Diners), or 13-19 digits run together; Luhn decides,
# except that a label for another number right before wins (see _LABEL_BEFORE).
_CARD = re.compile(
    rf"[2-79]{_STARTED}(?:\d{{3}}([- ])\d{{4}}\1\d{{4}}\1\d{{4}}(?:\1\d{{3}})?"
    rf"|\d{{3}}([- ])\d{{6}}\2\d{{4,5}}|\d{{12,18}})" + _END)
_CARD_WORD = re.compile(r"카드|card", re.I)

_EMAIL = re.compile(
    r"[A-Za-z0-9](?<![A-Za-z0-9._%+-].)[A-Za-z0-9._%+-]*@"
    r"[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*\.[A-Za-z]{2,}"
    r"(?![A-Za-z0-9-])")

# Passports: M12345678 (until 2021) or M123A4567 (since). The same shape is a product or order
# code everywhere, so a passport needs 여권/passport shortly before it.
_PASSPORT = re.compile(r"[A-Z](?<![0-9A-Za-z].)(?:\d{8}|\d{3}[A-Z]\d{4})(?![0-9A-Za-z])")
_PASSPORT_WINDOW = 30
_PASSPORT_WORD = re.compile(r"여권|passport|旅券", re.I)

# Addresses: 도로명 (…로/길 123-4) and 지번 (…동/리/가 123-45번지) after a 시/도 + 시/군/구, two
# 시/군/구 ("성남시 분당구") or 세종 (which has none); two levels keep "필요시 … 결과로 3" out. Only the
# part after the 시/군/구 is masked (road or lot, number, 동/호/층): the district alone identifies
# no house, and keeping it lets a chunk still answer "어느 지역".
_SIDO = (r"(?:서울|부산|대구|인천|광주|대전|울산|세종|경기|강원|충북|충남|전북|전남|경북|경남|제주|"
         r"충청북|충청남|전라북|전라남|경상북|경상남)(?:특별자치시|특별자치도|특별시|광역시|도)?")
_SIGUNGU = r"(?:[가-힣]{2,4}(?:시|군|구)|[중동서남북]구)"
_ROAD = r"[가-힣]{1,8}\d{0,3}(?<!으)(?:로|길)(?:\s?\d{1,4}번?길)?"
_LOT = r"[가-힣]{1,6}\d{0,2}(?:동|리|가)"
_ADDRESS = re.compile(
    rf"(?:{_SIDO}\s{_SIGUNGU}(?:\s{_SIGUNGU})?|{_SIGUNGU}\s{_SIGUNGU}|세종(?:특별자치시)?)\s"
    rf"(?P<detail>(?:[가-힣]{{1,4}}(?:읍|면)\s)?(?:{_ROAD}|{_LOT})\s?\d{{1,5}}(?:-\d{{1,4}})?"
    r"(?!\d|-\d|번길|[길가일년월명개분곳%])(?:\s?번지)?"  # "판교로256번길" is a road, "3일" a duration
    r"(?:,?\s?\d{1,4}동)?(?:\s?\d{1,5}호)?(?:\s?\d{1,3}층)?)(?![0-9])")
_ADDRESS_HINT = re.compile(r"[로길동리가]\s?\d")


def _rrn_kind(digits: str, labelled: bool) -> str | None:
    """'rrn' or 'foreigner_rn' for a 13-digit YYMMDDGNNNNNC that can be one, else None."""
    gender = digits[6]
    try:
        date(_CENTURY[gender] + int(digits[0:2]), int(digits[2:4]), int(digits[4:6]))
    except ValueError:
        return None
    foreign = gender in "5678"
    total = sum(int(d) * w for d, w in zip(digits, _RRN_WEIGHTS))
    check = ((13 if foreign else 11) - total % 11) % 10  # foreigners: the pre-2020 rule
    # Numbers issued since October 2020 end in random digits and carry no checksum, so a failing
    # checksum only clears an unlabelled number; one right after "주민등록번호:" is still personal.
    if check != int(digits[12]) and not labelled:
        return None
    return "foreigner_rn" if foreign else "rrn"


def _rrns(text: str) -> Iterator[Finding]:
    for m in _RRN.finditer(text):
        label = _LABEL_BEFORE.match(text, max(0, m.start() - 30), m.start())
        labelled = bool(label and label["person"])
        if label and label["other"]:
            continue
        if not labelled and len(m[0]) == 13 and _account_context(text, m.start()):
            continue  # "입금 계좌 1002164682536": a bare account that happens to pass the checksum
        kind = _rrn_kind(m[0][:6] + m[0][-7:], labelled)
        if kind:
            yield Finding(kind, m.start(), m.end(), m[0])


def _phones(text: str) -> Iterator[Finding]:
    for m in _PHONE.finditer(text):
        yield Finding("phone", m.start(), m.end(), m[0])


def _account_context(text: str, start: int) -> bool:
    before = text[max(0, start - _ACCOUNT_WINDOW):start]
    if _BANK_RIGHT_BEFORE.search(before):
        return True
    words = list(_ACCOUNT_WORD.finditer(before))
    return bool(words) and not _OTHER_NUMBER_WORD.search(before, words[-1].end())


def _accounts(text: str) -> Iterator[Finding]:
    taken: list[tuple[int, int]] | None = None
    for m in _ACCOUNT.finditer(text):
        if 10 <= sum(c.isdigit() for c in m[0]) <= 16 and _account_context(text, m.start()):
            if taken is None:  # amounts ("입금액 1500000000원", "₩12345678901") and dates are not accounts
                taken = [(f.start, f.end) for f in (*find_amounts(text), *find_dates(text, partial=False))]
            if not any(s < m.end() and m.start() < e for s, e in taken):
                yield Finding("account", m.start(), m.end(), m[0])


def _luhn_valid(digits: str) -> bool:
    """The Luhn (mod 10) check every payment card number passes."""
    total = 0
    for i, c in enumerate(reversed(digits)):
        d = int(c) * (2 if i % 2 else 1)
        total += d - 9 if d > 9 else d
    return total % 10 == 0


def _issued_prefix(digits: str) -> bool:
    """Whether an issuer uses this prefix (IIN): 3 (Amex, JCB, Diners), 4 (Visa), 51-55 and
    2221-2720 (Mastercard), 6 (UnionPay, Discover), 9 (Korean domestic); a table row of years
    "2017 2018 2019 2020" is not a card. Only Visa issued 13 digits: other 13-digit runs are EANs."""
    if len(digits) == 13:
        return digits[0] == "4"
    return digits[0] in "34569" or "51" <= digits[:2] <= "55" or "2221" <= digits[:4] <= "2720"


def _cards(text: str) -> Iterator[Finding]:
    for m in _CARD.finditer(text):
        digits = m[0].replace("-", "").replace(" ", "")
        if not _luhn_valid(digits) or not _issued_prefix(digits):
            continue
        label = _LABEL_BEFORE.match(text, max(0, m.start() - 30), m.start())
        if label and label["other"]:
            continue  # "주문번호 4111…": one random 16-digit number in ten passes Luhn
        # One in ten bare 13-16 digit account numbers passes Luhn: after "입금 계좌" with no 카드
        # in sight, a bare run is left to the account detector.
        if not m[1] and not m[2] and _account_context(text, m.start()) \
                and not _CARD_WORD.search(text, max(0, m.start() - _ACCOUNT_WINDOW), m.start()):
            continue
        yield Finding("card", m.start(), m.end(), m[0])


def _emails(text: str) -> Iterator[Finding]:
    for m in _EMAIL.finditer(text):
        yield Finding("email", m.start(), m.end(), m[0])


def _passports(text: str) -> Iterator[Finding]:
    for m in _PASSPORT.finditer(text):
        if _PASSPORT_WORD.search(text, max(0, m.start() - _PASSPORT_WINDOW), m.start()):
            yield Finding("passport", m.start(), m.end(), m[0])


def _addresses(text: str) -> Iterator[Finding]:
    # _ADDRESS begins with Hangul and would be tried at every syllable; every address has a road or
    # lot number ("로 152", "동 123"), so only windows around one are searched (45 characters at
    # most come before it, 32 after).
    windows: list[list[int]] = []
    for hint in _ADDRESS_HINT.finditer(text):
        start, end = max(0, hint.start() - 64), hint.end() + 48
        if windows and start <= windows[-1][1]:
            windows[-1][1] = end
        else:
            windows.append([start, end])
    for start, end in windows:
        for m in _ADDRESS.finditer(text, start, min(end, len(text))):
            yield Finding("address", m.start("detail"), m.end("detail"), m["detail"])


# Highest priority first: a span taken by an earlier detector is closed to later ones (digits
# inside an e-mail are not a phone; a phone or 주민번호 after "입금" is not an account).
_DETECTORS: tuple[tuple[frozenset[str], Callable[[str], Iterator[Finding]]], ...] = (
    (frozenset({"email"}), _emails),
    (frozenset({"rrn", "foreigner_rn"}), _rrns),
    (frozenset({"card"}), _cards),
    (frozenset({"phone"}), _phones),
    (frozenset({"account"}), _accounts),
    (frozenset({"passport"}), _passports),
    (frozenset({"address"}), _addresses),
)


def _checked_kinds(kinds: Iterable[str] | None) -> frozenset[str]:
    wanted = frozenset(KINDS) if kinds is None else frozenset(kinds)
    unknown = wanted - set(KINDS)
    if unknown:
        raise ValueError(f"unknown PII kind(s) {sorted(unknown)}; choose from {', '.join(KINDS)}")
    return wanted


def find_pii(text: str, kinds: Iterable[str] | None = None) -> list[Finding]:
    """Personal data in `text` (all kinds, or only `kinds`), non-overlapping, sorted by start."""
    wanted = _checked_kinds(kinds)
    remaining = set(wanted)
    taken: list[Finding] = []
    starts: list[int] = []
    for produces, detect in _DETECTORS:
        if not remaining:
            break  # later detectors could only lose to the ones already run
        remaining -= produces
        for finding in detect(text):
            i = bisect_left(starts, finding.start)
            if (i > 0 and taken[i - 1].end > finding.start) or (i < len(taken) and taken[i].start < finding.end):
                continue
            taken.insert(i, finding)
            starts.insert(i, finding.start)
    return [f for f in taken if f.kind in wanted]


def mask(text: str, findings: list[Finding] | None = None) -> str:
    """`text` with each finding replaced by its Korean label ("[전화번호]"); all else unchanged."""
    if findings is None:
        findings = find_pii(text)
    parts: list[str] = []
    position = 0
    for f in sorted(findings, key=lambda f: f.start):
        if f.start < position or text[f.start:f.end] != f.text:
            raise ValueError(f"finding {f} overlaps another or does not come from this text")
        parts += (text[position:f.start], LABELS[f.kind])
        position = f.end
    parts.append(text[position:])
    return "".join(parts)


@dataclass(frozen=True)
class PiiPolicy:
    """What to do with personal data: "mask" it, "flag" it (count, text unchanged) or "keep" it."""

    mode: Mode = "mask"
    kinds: frozenset[str] = field(default_factory=lambda: frozenset(KINDS))

    def __post_init__(self) -> None:
        if self.mode not in ("mask", "flag", "keep"):
            raise ValueError(f"PII mode {self.mode!r}: choose mask, flag or keep")
        object.__setattr__(self, "kinds", _checked_kinds(self.kinds))

    def apply(self, text: str) -> tuple[str, Counter[str]]:
        """The text to store (masked, or unchanged for flag/keep) and the findings per kind."""
        if self.mode == "keep":
            return text, Counter()  # "keep" means not looking: no scan, no counts
        findings = find_pii(text, self.kinds)
        counts = Counter(f.kind for f in findings)
        return (mask(text, findings) if self.mode == "mask" else text), counts


# --- documents ----------------------------------------------------------------------------------

KIND_NAMES = {k: v.strip("[]") for k, v in LABELS.items()}


def policy_for(mode: str, kinds: str) -> PiiPolicy:
    """The policy settings name: KORAG_PII_MODE and the comma-separated KORAG_PII_KINDS ("all" for every kind)."""
    chosen = KINDS if kinds.strip() in ("", "all") else tuple(k.strip() for k in kinds.split(",") if k.strip())
    return PiiPolicy(mode, frozenset(chosen))  # type: ignore[arg-type]


def mask_source(source: str, policy: PiiPolicy) -> str:
    """A document's source (its path or upload name) with personal data masked like its file name.

    The source is the document's identity (re-ingesting the same path replaces it), so a masked source
    carries a short hash of the original: the same path keeps one document, and two files whose names
    differ only in the personal data stay two documents.
    """
    if policy.mode != "mask":
        return source
    masked, counts = policy.apply(source)
    if not counts:
        return source
    return f"{masked}#{hashlib.sha256(source.encode('utf-8')).hexdigest()[:8]}"


def apply_to_document(parsed, policy: PiiPolicy):
    """A `ParsedDocument` with personal data masked (or only counted) in every block, table cell, the
    title and the file name, before splitting: chunks, the lexical index, vectors and citations never hold the
    originals. The counts go into the document's warnings, so a person sees what was found."""
    from dataclasses import replace

    if policy.mode == "keep":
        return parsed
    total: Counter[str] = Counter()

    def clean(text: str) -> str:
        out, counts = policy.apply(text)
        total.update(counts)
        return out

    blocks = tuple(replace(b, text=clean(b.text), heading_path=tuple(clean(h) for h in b.heading_path),
                           rows=tuple(tuple(clean(c) for c in row) for row in b.rows) if b.rows is not None else None)
                   for b in parsed.blocks)
    title = clean(parsed.title) if parsed.title else parsed.title
    name = clean(parsed.name)  # 홍길동_900101-1234568.txt: lists, hits and citations show the name
    if not total:
        return parsed
    found = ", ".join(f"{KIND_NAMES[k]} {n}" for k, n in sorted(total.items()))
    verb = "가렸습니다" if policy.mode == "mask" else "발견했습니다 (가리지 않음)"
    return replace(parsed, blocks=blocks if policy.mode == "mask" else parsed.blocks,
                   title=title if policy.mode == "mask" else parsed.title,
                   name=name if policy.mode == "mask" else parsed.name,
                   warnings=(*parsed.warnings, f"개인정보 {sum(total.values())}건을 {verb}: {found}"))
