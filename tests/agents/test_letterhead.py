"""공문 header parts (agents/letterhead.py) and the rules' null-over-guess on official letters."""
from __future__ import annotations

import pytest

from agents.extractive import Passage
from agents.letterhead import as_text, letterhead, role_of
from agents.rules import extract_fields
from ingest.loaders import load
from ingest.split import KoreanSplitter

# The layout of a Seoul 시행문 as the loaders hand it over (table rows "a | b"), written for this test.
LETTER = [Passage(1, '마음이 모이면 서울이 됩니다. | |\n| 서 울 특 별 시 |\n수신 | 국토교통부장관(주택정책과장) |\n'
                     '(경유) | |\n제목 | 주택 공급 실적 제출(\'25.3분기) |'),
          Passage(2, "국토교통부 주택정책과-3448(2025.10.13.)호와 관련하여 붙임과 같이 실적을 제출합니다.\n"
                     "붙임 실적 1부. 끝."),
          Passage(3, "| 서 울 특 별 시 장 | | 주무관 | 홍길동 | | 시행 | | 주택공급과-13666 | | ( | 2025. 10. 24. | | ) "
                     "| | 접수 | | ( | | ) | 전화 | 02-2133-0000 | 선택 |")]


def test_header_parts_of_a_letter():
    parts = {role: as_text(part) for role, part in letterhead(LETTER).items()}
    assert parts == {"sender": "서울특별시", "recipient": "국토교통부장관(주택정책과장)",
                     "title": "주택 공급 실적 제출('25.3분기)", "doc_number": "주택공급과-13666", "date": "2025-10-24",
                     "received_date": ""}  # the 접수 cell is there, left blank: a 접수일자 field stays null
    assert role_of("수신자") == "recipient" and role_of("보낸 기관") == "sender" and role_of("건명") == "title"
    assert role_of("시행일자") == "date" and role_of("번호") == "doc_number" and role_of("금액") is None


def test_letter_fields_come_from_their_place_not_the_first_value_of_their_kind():
    schema = {"type": "object", "properties": {
        "기관": {"type": "string"}, "날짜": {"type": "string", "format": "date"}, "문서번호": {"type": "string"},
        "제목": {"type": "string"}, "수신자": {"type": "string"}, "경유": {"type": "string"}}}
    reasons: dict[str, str] = {}
    fields = extract_fields(schema, LETTER, reasons=reasons)
    values = {k: m.value if m else None for k, m in fields.items()}
    # not 국토교통부 (the recipient), not 2025-10-13 (a referenced letter), not "|" or "선택", no pipe
    assert values == {"기관": "서울특별시", "날짜": "2025-10-24", "문서번호": "주택공급과-13666",
                      "제목": "주택 공급 실적 제출('25.3분기)", "수신자": "국토교통부장관(주택정책과장)", "경유": None}
    assert fields["날짜"].how == "공문 머리: 시행" and reasons["경유"]


def test_null_over_guess():
    text = "회의 결과 안내\n참석: 김영희, 박철수\n다음 회의는 2025년 11월 3일에 열린다. 예산은 1천만원이다.\n문의 02-123-4567"
    reasons: dict[str, str] = {}
    fields = extract_fields({"type": "object", "properties": {
        "계약일": {"type": "string", "format": "date"}, "계약금액": {"type": "integer"}, "발주기관": {"type": "string"},
        "예산": {"type": "integer", "description": "원"}}}, [Passage(1, text)], reasons=reasons)
    # a date and an amount are there, but nothing names them 계약일 / 계약금액: null, with the reason
    assert fields["계약일"] is None and "라벨 없이" in reasons["계약일"]
    assert fields["계약금액"] is None and fields["발주기관"] is None
    assert fields["예산"].value == 10_000_000  # "예산은 1천만원": its label, and 원 (not 1000)


def test_notice_number_and_title_across_a_line_break(kiwi, shared_data):
    path = shared_data / "docs" / "docs_python_hwpx" / "mfds_admin_notice.hwpx"
    chunks = KoreanSplitter(kiwi).split(load(path.read_bytes(), path.name))
    passages = [Passage(i, c.text, rank=i) for i, c in enumerate(chunks)]
    fields = extract_fields({"type": "object", "properties": {"문서번호": {"type": "string"}, "title": {"type": "string"},
                                                              "기관": {"type": "string"}}}, passages, kiwi)
    assert fields["문서번호"].value == "제2025-477호"  # not the 우편번호 28159
    # the title goes on past the line break after "및"
    assert fields["title"].value == "생산·수입 중단 보고대상 의료기기 및 보고 방법 일부개정고시(안)"
    assert fields["기관"].value == "식품의약품안전처"


@pytest.mark.parametrize(("written", "won"), [("1천만원", 10_000_000), ("200만원", 2_000_000), ("3억 5천만원", 350_000_000),
                                              ("1,200억 원", 120_000_000_000), ("오십만 원", 500_000), ("12.5억 원", 1_250_000_000)])
def test_amounts_in_extraction(written, won):
    fields = extract_fields({"type": "object", "properties": {"지원금액": {"type": "integer"}}},
                            [Passage(1, f"지원금액: {written}")])
    assert fields["지원금액"].value == won


def test_money_field_in_a_larger_unit():
    fields = extract_fields({"type": "object", "properties": {"예산": {"type": "integer", "description": "예산 (단위: 만원)"}}},
                            [Passage(1, "예산: 3억 5천만원")])
    assert fields["예산"].value == 35_000
