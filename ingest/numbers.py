"""Korean amounts of money and dates, read the one way every part of korag reads them.

Extraction (`agents.rules`), answers and PII detection (`ingest.pii`) import these functions so an amount
or a date is parsed once, the same everywhere:

- amounts: "1천만원" → 10,000,000, "200만원" → 2,000,000, "3억 5천만원" → 350,000,000,
  "1,200억 원" → 120,000,000,000, "오십만 원" → 500,000, "12.5억" → 1,250,000,000, "₩12,000" → 12,000;
- dates: "2025년 10월 24일(금)", "2025. 10. 24.", "2025-10-24", "'25. 3. 2.", "2025. 11." (a month),
  "'25.3분기" / "2025년 3/4분기" (a quarter), each normalised to ISO ("2025-10-24", "2025-11", "2025-Q3").

Pure functions over str, compiled patterns, no settings and no imports from the rest of korag.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

NUMBER = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
_UNITS = r"조|억|천만|백만|십만|만|천|백"
_HANGUL_DIGITS = dict(zip("일이삼사오육칠팔구", range(1, 10)))
_SMALL = {"십": 10, "백": 100, "천": 1000}
_LARGE = {"만": 10**4, "억": 10**8, "조": 10**12}
# Words that start with 원 but are not the currency ("연구원장", "원칙"): callers may pass their own list.
NOT_WON = ("원장", "원칙", "원인", "원본", "원자", "원료", "원래", "원리", "원형", "원활", "원문", "원고", "원가",
           "원서", "원생", "원동", "원천", "원금", "원격", "원조", "원예", "원활히", "원룸")

# The figure part of an amount: digits with Korean units ("3억 5천만", "1,200억", "12.5억", "1천만"),
# or Hangul numerals with at least one unit ("오십만", "삼천"): a bare "이" or "오" is a word, not a number.
_FIGURE = rf"(?:(?:{NUMBER})\s?(?:{_UNITS})+\s?)+(?:{NUMBER})?|(?:{NUMBER})"
# "오십 만 원": a space may stand between the numeral words (written so, or split by OCR)
# ("삼 백이십사만": OCR splits a digit from its 십/백/천 too, never from 만/억: "이 만원" is "this 만원")
_HANGUL_FIGURE = (r"(?:[일이삼사오육칠팔구]{1,6} ?[십백천]|[일이삼사오육칠팔구]{0,6}[십백천만억조])"
                  r"(?: ?[일이삼사오육칠팔구십백천만억조]){0,8}")
_FIGURE_ONLY = re.compile(rf"\s*(?:일?금\s?|[₩\\]\s?)?({_FIGURE}|{_HANGUL_FIGURE})\s*(?:원(?:정|整)?|KRW|₩)?\s*", re.I)


def _money_pattern(not_won: tuple[str, ...]) -> re.Pattern:
    after = "|".join(re.escape(word[1:]) for word in not_won if len(word) > 1)
    return re.compile(
        rf"(?<![\d.,])({_FIGURE})\s?원(?!{after})"
        # a Hangul-numeral amount needs a boundary (or 금) before it: "연구원", "사원" are not 9원 and 4원
        rf"|(?:(?<![가-힣(])|(?<=금))({_HANGUL_FIGURE})\s?원(?!{after})"  # "금사천오백만원정"
        # Tesseract reads ₩ as "\\" or "W" ("W1,474,000"): a W only right before a grouped figure
        rf"|(?:₩|\\|(?<![A-Za-z0-9])W(?=\d{{1,3}},\d{{3}}))\s?({NUMBER})(?![\d,])"
        rf"|(?<![\d.,])({NUMBER})\s?KRW\b", re.I)


_MONEY = _money_pattern(NOT_WON)


def korean_number(text: str) -> int | None:
    """A figure with Korean units as an integer: "3억 5천만" → 350000000, "오십만" → 500000, "천" → 1000,
    "12.5억" → 1250000000, "1,200" → 1200; None when there is no figure."""
    total, section, pending, seen = 0.0, 0.0, None, False
    for number, unit in re.findall(rf"({NUMBER}|[일이삼사오육칠팔구])|([십백천만억조])", text):
        seen = True
        if number:
            pending = float(number.replace(",", "")) if number[0].isdigit() else _HANGUL_DIGITS[number]
        elif unit in _SMALL:
            section += (1 if pending is None else pending) * _SMALL[unit]
            pending = None
        else:
            section += pending or 0
            total += (section or 1) * _LARGE[unit]
            section, pending = 0.0, None
    total += section + (pending or 0)
    return int(round(total)) if seen else None


def parse_amount(text: str) -> int | None:
    """The amount a short string states, in 원: "1천만원", "12.5억", "금 3,000,000원정", "₩12,000";
    None when the string is not just an amount."""
    m = _FIGURE_ONLY.fullmatch(text or "")
    return korean_number(m.group(1)) if m else None


@dataclass(frozen=True)
class Found:
    """A value found in a text, `text[start:end]`, and what it means."""

    start: int
    end: int
    value: object


def find_amounts(text: str, not_won: tuple[str, ...] | None = None) -> list[Found]:
    """Every amount of money in `text` (a figure followed by 원, ₩ or KRW), value in 원."""
    pattern = _MONEY if not_won is None else _money_pattern(not_won)
    found = []
    for m in pattern.finditer(text):
        figure = next(g for g in m.groups() if g)
        amount = korean_number(figure)
        if amount is not None:
            found.append(Found(m.start(), m.end(), amount))
    return found


# ---------------------------------------------------------------- dates


@dataclass(frozen=True)
class KoreanDate:
    """A date as precise as the text wrote it: a day, a month, or a quarter (month None, quarter 1-4)."""

    year: int | None
    month: int | None = None
    day: int | None = None
    quarter: int | None = None

    def iso(self) -> str:
        """"2025-10-24", "2025-10", "2025-Q3"; "--10-24" when the year is unknown (ISO 8601's own form)."""
        year = f"{self.year:04d}" if self.year is not None else "-"
        if self.quarter:
            return f"{year}-Q{self.quarter}"
        if self.month is None:
            return year
        return f"{year}-{self.month:02d}" + (f"-{self.day:02d}" if self.day else "")

    @property
    def complete(self) -> bool:
        return self.year is not None and self.month is not None and self.day is not None


_YEAR = r"(?:(\d{4})|['’‘](\d{2}))"
_WEEKDAY = r"(?:\s*\(\s*[월화수목금토일]\s*(?:요일)?\s*\))?"
_DAY_KO = re.compile(rf"(?<![\d.]){_YEAR}\s*년\s*(\d{{1,2}})\s*월\s*(\d{{1,2}})\s*일{_WEEKDAY}")
# A dotted date never runs across a line break: "운영 기간: 2026. 7. ~ 11.⏎3. 신청 방법" is no 11월 3일.
_DAY_DOTS = re.compile(rf"(?<![\d.]){_YEAR}[ \t]*([-./])[ \t]*(\d{{1,2}})[ \t]*\3[ \t]*(\d{{1,2}})(?![\d])(?:[ \t]*\.(?![ \t]*\d))?{_WEEKDAY}")
_QUARTER = re.compile(rf"(?<![\d.])(?:{_YEAR}\s*(?:년|\.)?\s*)?([1-4])\s*(?:/\s*4\s*)?분기")
_MONTH_KO = re.compile(rf"(?<![\d.]){_YEAR}\s*년\s*(\d{{1,2}})\s*월(?!\s*\d{{1,2}}\s*일)")
_MONTH_DOTS = re.compile(rf"(?<![\d.]){_YEAR}[ \t]*\.[ \t]*(\d{{1,2}})[ \t]*\.(?![ \t]*\d)")
_MONTH_DAY = re.compile(rf"(?<![\d.])(\d{{1,2}})\s*월\s*(\d{{1,2}})\s*일{_WEEKDAY}")
# the end of a range written without its year: "2023. 6. 19.(월) ~ 6. 25.(일)"
_RANGE_END = re.compile(rf"(?:(?<=~)|(?<=~ )|(?<=~  ))(\d{{1,2}})[ \t]*\.[ \t]*(\d{{1,2}})[ \t]*\.?{_WEEKDAY}")
_YEAR_BEFORE = re.compile(rf"(?<![\d.]){_YEAR}\s*(?:년|[-./])")


def _year(four: str | None, two: str | None) -> int:
    return int(four) if four else 2000 + int(two)


def _valid(year: int | None, month: int, day: int | None) -> bool:
    try:
        dt.date(year or 2000, month, day or 1)
        return True
    except ValueError:
        return False


def find_dates(text: str, partial: bool = True) -> list[Found]:
    """Every date in `text` in order, value a `KoreanDate`. With `partial`, also months ("2025. 11."),
    quarters ("'25.3분기") and month-days ("10월 24일", the year taken from the last one written before)."""
    found: list[Found] = []

    def free(start: int, end: int) -> bool:
        return not any(f.start < end and start < f.end for f in found)

    for m in _DAY_KO.finditer(text):
        year, month, day = _year(m.group(1), m.group(2)), int(m.group(3)), int(m.group(4))
        if _valid(year, month, day):
            found.append(Found(m.start(), m.end(), KoreanDate(year, month, day)))
    for m in _DAY_DOTS.finditer(text):
        year, month, day = _year(m.group(1), m.group(2)), int(m.group(4)), int(m.group(5))
        if free(m.start(), m.end()) and _valid(year, month, day):
            found.append(Found(m.start(), m.end(), KoreanDate(year, month, day)))
    if partial:
        for m in _QUARTER.finditer(text):
            year = _year(m.group(1), m.group(2)) if m.group(1) or m.group(2) else None
            if free(m.start(), m.end()):
                found.append(Found(m.start(), m.end(), KoreanDate(year, quarter=int(m.group(3)))))
        for pattern in (_MONTH_KO, _MONTH_DOTS):
            for m in pattern.finditer(text):
                year, month = _year(m.group(1), m.group(2)), int(m.group(3))
                if free(m.start(), m.end()) and 1 <= month <= 12:
                    found.append(Found(m.start(), m.end(), KoreanDate(year, month)))
        for m in [*_MONTH_DAY.finditer(text), *_RANGE_END.finditer(text)]:
            if not free(m.start(), m.end()):
                continue
            years = [_year(y.group(1), y.group(2)) for y in _YEAR_BEFORE.finditer(text, 0, m.start())]
            year, month, day = (years[-1] if years else None), int(m.group(1)), int(m.group(2))
            if _valid(year, month, day):
                found.append(Found(m.start(), m.end(), KoreanDate(year, month, day)))
    return sorted(found, key=lambda f: f.start)


def parse_date(text: str) -> KoreanDate | None:
    """The date a short string states ("2025. 10. 24.", "2025년 10월 24일(금)", "'25.3분기"), else None."""
    text = (text or "").strip()
    for f in find_dates(text):
        if f.start == 0 and f.end >= len(text.rstrip(". ")):
            return f.value
    return None
