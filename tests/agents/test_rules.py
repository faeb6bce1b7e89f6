"""Rule-based extraction on the bundled Korean samples and the shared 공문 documents."""
from __future__ import annotations

import datetime as dt
from typing import Literal, Optional

import pydantic
import pytest

from agents.extractive import Passage
from agents.rules import extract_fields
from ingest.loaders import load
from ingest.samples import FILES
from ingest.split import KoreanSplitter


@pytest.fixture(scope="module")
def passages_of(kiwi):
    splitter = KoreanSplitter(kiwi)
    cache: dict[str, list[Passage]] = {}

    def passages(path) -> list[Passage]:
        path = FILES / path if isinstance(path, str) else path
        if path.name not in cache:
            chunks = splitter.split(load(path.read_bytes(), path.name))
            cache[path.name] = [Passage(100 + i, c.text, rank=i) for i, c in enumerate(chunks)]
        return cache[path.name]

    return passages


def _source(passages, match) -> str:
    return next(p.text for p in passages if p.chunk_id == match.chunk_id)[match.start:match.end]


def _props(**properties) -> dict:
    return {"type": "object", "properties": properties}


def test_dates_become_iso_and_point_at_their_source(kiwi, passages_of):
    passages = passages_of("공지사항_cp949.txt")
    schema = _props(점검일={"type": "string", "format": "date"}, 날짜={"type": "string"},
                    dates={"type": "array", "items": {"type": "string", "format": "date"}})
    fields = extract_fields(schema, passages, kiwi)
    assert fields["점검일"].value == "2025-10-11"  # labelled by the "1. 점검 일시" line above it
    assert _source(passages, fields["점검일"]) == "2025년 10월 11일(토)"  # the weekday is part of the date
    assert fields["날짜"].value == "2025-09-24" and fields["날짜"].labelled
    assert fields["dates"].value[:2] == ["2025-09-24", "2025-10-11"]
    assert len(fields["dates"].spans) == len(fields["dates"].value)


def test_date_after_its_label_word_wins_over_an_earlier_unlabelled_date(kiwi, passages_of):
    # "제정 2018. 3. 1. / 개정 2025. 3. 1." comes first; "2025년 3월 1일부터 시행한다" names the field.
    fields = extract_fields(_props(시행일={"type": "string", "format": "date"}), passages_of("취업규칙.docx"), kiwi)
    assert fields["시행일"].value == "2025-03-01"


def test_amounts_are_integer_won_or_the_written_string(kiwi, passages_of):
    passages = passages_of("2025_사업계획.pdf")
    schema = _props(매출목표={"type": "integer"}, 영업이익={"type": "integer", "description": "영업이익 목표(원)"},
                    투자금액={"type": "string"}, 영업이익률={"type": "number"})
    fields = extract_fields(schema, passages, kiwi)
    assert fields["매출목표"].value == 120_000_000_000
    assert _source(passages, fields["매출목표"]) == "1,200억 원"
    assert fields["영업이익"].value == 9_600_000_000
    assert fields["투자금액"].value == "230억 원"
    assert fields["영업이익률"].value == 8.0


@pytest.mark.parametrize(
    ("written", "won"),
    [("1,500,000원", 1_500_000), ("150만원", 1_500_000), ("3억 5천만원", 350_000_000), ("12억원", 1_200_000_000),
     ("천원", 1_000), ("금 오십만원정", 500_000), ("1.5억 원", 150_000_000)],
)
def test_korean_amount_forms(written, won):
    fields = extract_fields(_props(계약금액={"type": "integer"}), [Passage(1, f"계약금액: {written}")])
    assert fields["계약금액"].value == won


def test_a_job_title_is_not_an_amount():
    # "사원" and "연구원" end in 원 after a Hangul numeral-looking syllable
    text = "대리·사원 | 30,000원\n오세훈 수석연구원"
    fields = extract_fields(_props(금액={"type": "array", "items": {"type": "integer"}}), [Passage(1, text)])
    assert fields["금액"].value == [30000]


def test_table_column_collects_an_array_under_its_header(kiwi, passages_of):
    passages = passages_of("출장비_규정.hwpx")
    fields = extract_fields(_props(숙박비={"type": "array", "items": {"type": "integer"}},
                                   유류비={"type": "integer", "description": "1킬로미터당 유류비"}), passages, kiwi)
    assert fields["숙박비"].value == [150_000, 120_000, 100_000, 80_000]
    assert fields["유류비"].value == 250  # "1킬로미터당 250원의 유류비": the label follows the value


def test_phone_email_and_extension(kiwi, passages_of):
    manual = passages_of("고객지원_매뉴얼.pptx")
    fields = extract_fields(_props(대표번호={"type": "string"}, email={"type": "string", "format": "email"}), manual, kiwi)
    assert fields["대표번호"].value == "1588-4170" and _source(manual, fields["대표번호"]) == "1588-4170"
    assert fields["email"].value == "cs@hanbit-elec.example"
    security = passages_of("보안_지침.hwp")
    fields = extract_fields(_props(신고전화={"type": "string", "description": "신고 연락처"}), security, kiwi)
    assert fields["신고전화"].value == "내선 7700"


def test_organisations_and_people(kiwi, passages_of):
    minutes = passages_of("회의록.md")
    fields = extract_fields(_props(협력사={"type": "string"}, 작성자={"type": "string"},
                                   참석자={"type": "array", "items": {"type": "string"}}), minutes, kiwi)
    assert fields["협력사"].value == "㈜그린필텍"
    assert fields["작성자"].value == "윤태호"
    assert fields["참석자"].value[0] == "정하윤 상무(주재)" and len(fields["참석자"].value) == 5
    reasons: dict[str, str] = {}
    plan = extract_fields(_props(대표이사={"type": "string"}, company_name={"type": "string"}),
                          passages_of("2025_사업계획.pdf"), kiwi, reasons)
    assert plan["대표이사"].value == "박서준"
    # No "회사명" label anywhere: the first organisation named is not taken as the company (null over guess).
    assert plan["company_name"] is None and "라벨 없이" in reasons["company_name"]
    security = extract_fields(_props(보안담당관={"type": "string"}), passages_of("보안_지침.hwp"), kiwi)
    assert security["보안담당관"].value == "김도윤"


def test_label_colon_value_fallback(kiwi, passages_of):
    minutes = passages_of("회의록.md")
    fields = extract_fields(_props(장소={"type": "string"}), minutes, kiwi)
    assert fields["장소"].value == "본사 7층 대회의실(한빛홀)"
    text = "용역 계약서\n계약기간: 2024.1.1 ~ 2024.12.31\n계약금액: 3억 5천만원 (부가세 포함)"
    fields = extract_fields(_props(계약기간={"type": "string"}, contract_amount={"type": "integer"}), [Passage(3, text)])
    assert fields["계약기간"].value == "2024.1.1 ~ 2024.12.31"
    assert text[fields["계약기간"].start:fields["계약기간"].end] == "2024.1.1 ~ 2024.12.31"
    assert fields["contract_amount"].value == 350_000_000


def test_enum_is_picked_only_when_the_text_settles_it(kiwi, passages_of):
    security = passages_of("보안_지침.hwp")
    grades = {"type": "string", "enum": ["극비", "대외비", "사내한정", "일반"]}
    assert extract_fields(_props(등급=grades), security, kiwi)["등급"] is None  # the table lists all four
    memo = [Passage(1, "문서 등급: 대외비\n극비 문서는 별도 보관한다.")]
    assert extract_fields(_props(등급=grades), memo)["등급"].value == "대외비"


def test_unanswerable_fields_stay_none(kiwi, passages_of):
    schema = _props(화성탐사선연료={"type": "string"}, 연차휴가일수={"type": "integer"}, 재택근무허용={"type": "boolean"},
                    주소={"type": "object", "properties": {"도로명": {"type": "string"}}})
    fields = extract_fields(schema, passages_of("취업규칙.docx"), kiwi)
    assert fields == {"화성탐사선연료": None, "연차휴가일수": None, "재택근무허용": None, "주소": None}


def test_boolean_only_when_stated():
    fields = extract_fields(_props(부가세포함={"type": "boolean"}, 선금지급={"type": "boolean"}),
                            [Passage(1, "부가세포함: 예\n선금지급 | 아니오")])
    assert fields["부가세포함"].value is True and fields["선금지급"].value is False


def test_values_validate_against_the_schema_model(kiwi, passages_of):
    class Notice(pydantic.BaseModel):
        점검일: Optional[dt.date] = None
        날짜: Optional[str] = None
        문의처: Optional[str] = None
        발신: Optional[str] = None
        정전시간: Optional[int] = None
        등급: Optional[Literal["긴급", "일반"]] = None
        dates: Optional[list[dt.date]] = None

    passages = passages_of("공지사항_cp949.txt")
    fields = extract_fields(Notice.model_json_schema(), passages, kiwi)
    notice = Notice.model_validate({k: m.value for k, m in fields.items() if m is not None})
    assert notice.점검일 == dt.date(2025, 10, 11)
    assert notice.발신 == "총무팀 시설관리파트"
    assert notice.문의처 == "총무팀 시설관리파트 (내선 2150)"  # "문의: …", a label that shares the field's noun


@pytest.mark.shared_data
def test_recruitment_notice_fields(kiwi, passages_of, shared_data):
    path = shared_data / "docs" / "docs_python_hwpx" / "mpm_recruitment_notice.hwpx"
    passages = passages_of(path)
    schema = _props(기관={"type": "string"}, 공고일={"type": "string", "format": "date"}, 모집인원={"type": "integer"},
                    모집기간={"type": "string"}, 이메일={"type": "string", "format": "email"}, 문의전화={"type": "string"})
    fields = extract_fields(schema, passages, kiwi)
    assert {k: m.value for k, m in fields.items()} == {
        "기관": "인사혁신처", "공고일": "2023-06-19", "모집인원": 70, "모집기간": "2023. 6. 19.(월) ~ 6. 25.(일)",
        "이메일": "openmpm@korea.kr", "문의전화": "044-201-8147",
    }
    assert _source(passages, fields["모집인원"]) == "70"


@pytest.mark.shared_data
def test_press_release_contacts(kiwi, passages_of, shared_data):
    passages = passages_of(shared_data / "docs" / "docs_hwpjs_ohah" / "noori.hwpx")
    schema = _props(담당부서={"type": "string"}, 배포일시={"type": "string", "format": "date"},
                    phones={"type": "array", "items": {"type": "string"}, "description": "전화번호"},
                    기관={"type": "array", "items": {"type": "string"}})
    fields = extract_fields(schema, passages, kiwi)
    assert fields["담당부서"].value == "거대공공연구정책과"
    assert fields["배포일시"].value == "2018-09-03"
    assert fields["phones"].value == ["02-2110-2430", "02-2110-2428"]
    assert {"과학기술정보통신부", "한국항공우주연구원", "경상대학교"} <= set(fields["기관"].value)
