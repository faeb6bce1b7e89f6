"""ingest/numbers.py: every Korean amount and date form the issue lists, and PII reading amounts through it."""
from __future__ import annotations

import pytest

from ingest.numbers import KoreanDate, find_amounts, find_dates, parse_amount, parse_date
from ingest.pii import find_pii


@pytest.mark.parametrize(("written", "won"), [
    ("1천만원", 10_000_000), ("200만원", 2_000_000), ("50만원", 500_000), ("3억 5천만원", 350_000_000),
    ("1,200억 원", 120_000_000_000), ("오십만 원", 500_000), ("12.5억", 1_250_000_000), ("12.5억 원", 1_250_000_000),
    ("금 3,000,000원정", 3_000_000), ("₩12,000", 12_000), ("천원", 1_000), ("1,052억", 105_200_000_000),
    ("3천5백만 원", 35_000_000), ("2조 3천억원", 2_300_000_000_000),
    # spaced numeral words (OCR of "일금 오십만 원정" reads "오십 만 원"); "\\" is ₩ in Korean code pages
    ("오십 만 원", 500_000), ("일금 삼백 오십만 원정", 3_500_000), ("\\500,000", 500_000),
    # OCR splits a numeral from its 백 ("삼 백이십사만"); "금" written on the figure ("금사천오백만원정")
    ("일금 삼 백이십사만원정", 3_240_000), ("금사천오백만원정", 45_000_000),
])
def test_amount_forms(written, won):
    assert parse_amount(written) == won
    if "원" in written or "₩" in written:
        found = find_amounts(f"지원 한도는 {written}이다.")
        assert [f.value for f in found] == [won]


def test_amounts_in_running_text_and_words_that_are_not_amounts():
    text = "일비는 1천만원, 숙박비는 200만원, 식비는 50만원이다. 연구원장과 사원 3명은 원칙대로 한다."
    assert [f.value for f in find_amounts(text)] == [10_000_000, 2_000_000, 500_000]
    assert parse_amount("연구원") is None and parse_amount("모집인원 70명") is None
    assert [f.value for f in find_amounts("사원 이 만원권")] == [10_000]  # "이 만원": "this", not 2만


@pytest.mark.parametrize(("written", "iso"), [
    ("2025. 10. 24.", "2025-10-24"), ("2025.10.24", "2025-10-24"), ("2025-10-24", "2025-10-24"),
    ("2025/10/24", "2025-10-24"), ("2025년 10월 24일(금)", "2025-10-24"), ("2025년 10월 24일 (금요일)", "2025-10-24"),
    ("'25. 3. 2.", "2025-03-02"), ("'25.3분기", "2025-Q3"), ("2025년 3/4분기", "2025-Q3"), ("2025년 3분기", "2025-Q3"),
    ("2025. 11.", "2025-11"), ("2025년 11월", "2025-11"),
])
def test_date_forms(written, iso):
    date = parse_date(written)
    assert date is not None and date.iso() == iso


def test_dates_in_running_text():
    text = "모집기간 : 2023. 6. 19.(월) ~ 6. 25.(일), 활동기간 : 2023. 7. ~ 2024. 7.(1년), 10월 10일(금) 퇴근 전"
    assert [f.value.iso() for f in find_dates(text)] == ["2023-06-19", "2023-06-25", "2023-07", "2024-07", "2024-10-10"]
    assert [f.value for f in find_dates(text, partial=False)] == [KoreanDate(2023, 6, 19)]
    assert find_dates("2025. 13. 45.") == [] and parse_date("제2025-477호") is None


def test_pii_reads_amounts_with_the_same_parser():
    # 11 digits after 입금: an account shape, but "₩" makes it an amount (ingest.numbers), not an account
    assert [f.kind for f in find_pii("입금 금액 ₩12345678901")] == []
    assert [f.text for f in find_pii("입금 계좌 110-123-456789 (입금액 1,234만원)")] == ["110-123-456789"]
