"""PII detection and masking: checksums, context words, business numbers, modes, and P/R per kind."""
from __future__ import annotations

import json
from collections import Counter

import pytest

from ingest.pii import KINDS, Finding, PiiPolicy, find_pii, mask
from tests.pii_cases import generate, score, table


def found(text: str) -> list[tuple[str, str]]:
    return [(f.kind, f.text) for f in find_pii(text)]


def test_valid_rrn_is_masked():
    text = "신청인 홍길동(900101-1234568)은 본 계약의 당사자로서"
    assert mask(text) == "신청인 홍길동([주민등록번호])은 본 계약의 당사자로서"
    assert found("성명 최서연 / 8503152345678 / 서울 거주") == [("rrn", "8503152345678")]


def test_rrn_failing_its_checksum_is_kept():
    assert found("접수 900101-1234569 건") == []
    assert found("참조 211005-3123451 건") == []


def test_labelled_post_2020_rrn_is_masked_despite_its_checksum():
    # issued since October 2020: random last digit, so only the label tells
    assert found("주민등록번호: 211005-3123451") == [("rrn", "211005-3123451")]
    assert found("생년월일 및 주민번호 211005-3123451") == [("rrn", "211005-3123451")]


def test_rrn_needs_a_real_birth_date():
    assert found("주민등록번호: 901301-1234568") == []  # month 13
    assert found("주민등록번호: 900230-1234568") == []  # 30 February


def test_corporate_registration_number_is_kept_even_with_a_valid_checksum():
    assert found("법인등록번호 110111-1234564") == []
    assert found("대표자 주민번호 110111-1234564") == [("rrn", "110111-1234564")]


def test_foreigner_number_uses_its_own_checksum():
    assert found("외국인 근로자 응우옌(920704-5123450)의 체류 기간") == [("foreigner_rn", "920704-5123450")]
    assert found("외국인 근로자 응우옌(920704-5123458)의 체류 기간") == []  # the resident rule's digit
    assert found("외국인등록번호: 030612-7123452") == [("foreigner_rn", "030612-7123452")]


@pytest.mark.parametrize("phone", [
    "010-1234-5678", "010.1234.5678", "010 1234 5678", "01012345678", "011-123-4567", "02-123-4567",
    "02-2100-2530", "(02) 123-4567", "031-803-1326", "064-710-1234", "070-1234-5678", "0505-123-4567",
    "+82 10-1234-5678", "+82-2-123-4567",
])
def test_phone_formats_are_masked(phone):
    assert mask(f"연락처는 {phone}입니다.") == "연락처는 [전화번호]입니다."


def test_fax_numbers_are_phones():
    assert found("TEL 02-123-4567 / FAX 02-123-4568") == [("phone", "02-123-4567"), ("phone", "02-123-4568")]


def test_business_and_short_numbers_are_not_phones():
    for text in ("고객센터 1588-1234", "수신자부담 080-123-4567", "연락처 010-123-456", "기준일 2024-01-15",
                 "우편번호 02104 2024년 개정", "문서번호 302-0123-4567-81"):
        assert [k for k, _ in found(text)] == [], text


def test_account_needs_a_bank_or_account_word_before_it():
    assert found("입금 계좌: 국민은행 123456-01-123456 (예금주: 홍길동)") == [("account", "123456-01-123456")]
    assert found("신한 110-123-456789 예금주 김민수") == [("account", "110-123-456789")]
    assert found("아래 계좌로 입금해 주세요. 352-1234-5678-93") == [("account", "352-1234-5678-93")]
    assert found("새마을금고 9002-1234-5678-9") == [("account", "9002-1234-5678-9")]
    assert found("문서번호 110-123-456789 참조") == []


def test_everyday_words_and_other_numbers_are_not_account_context():
    assert found("우리 회사의 사업자등록번호는 220-81-62517입니다.") == []
    assert found("입금 확인 후 주문번호 2024-0115-334201로 발송") == []
    assert found("입금 금액 1234567890원") == []


def test_phone_after_an_account_word_stays_a_phone():
    assert found("입금 문의 010-1234-5678") == [("phone", "010-1234-5678")]


def test_card_needs_luhn():
    assert found("카드번호 4111-1111-1111-1111 (유효기간 12/27)") == [("card", "4111-1111-1111-1111")]
    assert found("결제 카드: 3782 822463 10005") == [("card", "3782 822463 10005")]
    assert found("카드번호 4111-1111-1111-1112") == []


def test_year_rows_and_order_numbers_are_not_cards():
    assert found("구분 2017 2018 2019 2020") == []
    assert found("주문번호 4111111111111111") == []  # passes Luhn, but the label says otherwise


def test_email_is_masked_and_its_digits_are_not_a_phone():
    assert found("문의는 kim01012345678@naver.com로 보내 주세요.") == [("email", "kim01012345678@naver.com")]
    assert found("서버 admin@localhost 또는 트위터 @korag_official") == []


def test_passport_needs_passport_context():
    assert found("여권번호: M12345678") == [("passport", "M12345678")]
    assert found("Passport No. M123A4567") == [("passport", "M123A4567")]
    assert found("모델명 M12345678 재고 있음") == []


def test_address_keeps_city_and_district_and_masks_the_rest():
    assert mask("본사 주소: 서울특별시 강남구 테헤란로 152, 101동 1203호입니다.") == "본사 주소: 서울특별시 강남구 [주소]입니다."
    assert mask("경기도 성남시 분당구 판교로256번길 25") == "경기도 성남시 분당구 [주소]"
    assert mask("서울 종로구 청운동 123-45번지") == "서울 종로구 [주소]"
    assert mask("세종특별자치시 도움6로 42(어진동)") == "세종특별자치시 [주소](어진동)"


def test_not_every_road_or_district_is_an_address():
    for text in ("서울특별시 강남구에 위치한 지점", "경기도 성남시 분당구 판교로256번길 일대", "제3조 제2항에 따른다.",
                 "2024년 강남구 인구 53만 명"):
        assert found(text) == [], text


def test_masking_keeps_everything_else_identical():
    text = ("■ 담당: 홍길동 과장\t(010-9688-0087)\n"
            "메일 hong@hanbit.co.kr · 환불 계좌 신한 110-123-456789\r\n"
            "주민번호 900101-1234568 — 이상입니다.\u00a0끝")
    assert mask(text) == ("■ 담당: 홍길동 과장\t([전화번호])\n"
                          "메일 [이메일] · 환불 계좌 신한 [계좌번호]\r\n"
                          "주민번호 [주민등록번호] — 이상입니다.\u00a0끝")


def test_findings_are_sorted_and_point_into_the_text():
    text = "주민번호 900101-1234568, 연락처 010-1234-5678, 이메일 a.b@daum.net"
    findings = find_pii(text)
    assert [f.kind for f in findings] == ["rrn", "phone", "email"]
    assert all(text[f.start:f.end] == f.text for f in findings)


def test_flag_leaves_the_text_and_counts_per_kind():
    text = "TEL 02-123-4567 / FAX 02-123-4568, hong@naver.com"
    assert PiiPolicy("flag").apply(text) == (text, {"phone": 2, "email": 1})


def test_keep_does_nothing():
    text = "연락처는 010-1234-5678입니다."
    assert PiiPolicy("keep").apply(text) == (text, {})


def test_policy_masks_only_its_kinds():
    text = "연락처 010-1234-5678, 메일 hong@naver.com"
    masked, counts = PiiPolicy("mask", frozenset({"email"})).apply(text)
    assert (masked, counts) == ("연락처 010-1234-5678, 메일 [이메일]", {"email": 1})


def test_unknown_kind_or_mode_is_refused():
    with pytest.raises(ValueError, match="ssn"):
        find_pii("x", kinds=["ssn"])
    with pytest.raises(ValueError, match="redact"):
        PiiPolicy("redact")  # type: ignore[arg-type]


def test_mask_refuses_findings_from_another_text():
    with pytest.raises(ValueError):
        mask("연락처 없음", [Finding("phone", 4, 17, "010-1234-5678")])


@pytest.mark.shared_data
def test_real_korean_pages_yield_only_their_contact_lines(shared_data):
    # 720 pages of reports and slides: real phones, e-mails and two addresses, and many
    # near misses (year rows, 대표번호 1668-1280, zip codes, prices) that must stay
    lines = (shared_data / "autorag_ko" / "corpus.jsonl").read_text(encoding="utf-8").splitlines()
    text = "\n\n".join(json.loads(line)["contents"] for line in lines)
    findings = find_pii(text)
    assert Counter(f.kind for f in findings) == {"phone": 43, "email": 23, "address": 2}
    texts = {f.text for f in findings}
    assert {"02-2100-2530", "010-9688-0087", "hychoi@nhndata.com", "빛가람로 601"} <= texts
    assert not any("1668" in t for t in texts)


def test_precision_and_recall_per_kind_on_the_generated_set():
    cases = generate(seed=7, per_kind=60)
    for kind in KINDS:
        assert sum(c.positive for c in cases if c.group == kind) >= 50
        assert sum(not c.positive for c in cases if c.group == kind) >= 50
    tallies = score(cases, find_pii)
    print("\n" + table(tallies))
    assert tallies["all"].precision >= 0.98 and tallies["all"].recall >= 0.95
    for kind in KINDS:
        assert tallies[kind].precision >= 0.9 and tallies[kind].recall >= 0.9, kind
