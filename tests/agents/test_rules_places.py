"""Extraction rules for the places Korean documents of many authors put a value (holdout3's generic
fixes): deadlines in a sentence, an announced event's list, a 발신명의's head title, a notice's closing
date, parties defined by their own role names — and null where the text does not settle it."""
from __future__ import annotations

from agents.extractive import Passage
from agents.rules import extract_fields

DATE = {"type": ["string", "null"], "format": "date"}
MONEY = {"type": ["integer", "null"]}
TEXT = {"type": ["string", "null"]}


def _props(**properties) -> dict:
    return {"type": "object", "properties": properties}


def _values(schema: dict, *texts: str, kiwi=None) -> dict:
    passages = [Passage(10 + i, text, rank=i) for i, text in enumerate(texts)]
    return {k: (v.value if v else None) for k, v in extract_fields(schema, passages, kiwi).items()}


def test_a_deadline_is_the_date_a_sentence_sets_for_the_act_the_field_names(kiwi):
    text = ("1. 관련: 교육부 학생지원과-1234(2025. 8. 1.)\n"
            "2. 각 학교에서는 점검표를 작성하여 2025. 9. 19.(금)까지 업무포털로 제출하여 주시기 바랍니다.\n"
            "3. 행사는 2025. 10. 2.(목)에 열립니다.")
    got = _values(_props(제출기한=DATE, 회신기한=DATE), text, kiwi=kiwi)
    assert got == {"제출기한": "2025-09-19", "회신기한": None}  # nothing is to be 회신 by a date: no guess
    fields = extract_fields(_props(제출기한=DATE), [Passage(1, text)], kiwi)
    assert "까지 제출" in fields["제출기한"].how  # the result says which sentence set it


def test_an_announced_event_takes_the_date_of_its_list(kiwi):
    text = ("1. 위원 역량강화 교육을 다음과 같이 실시하오니 참석하여 주시기 바랍니다.\n"
            "  가. 일시: 2025. 11. 5.(수) 14:00\n  나. 장소: 구청 대강당\n"
            "2. 명단은 2025. 10. 29.(수)까지 제출하여 주시기 바랍니다.")
    got = _values(_props(교육일=DATE, 체육대회일=DATE), text, kiwi=kiwi)
    assert got == {"교육일": "2025-11-05", "체육대회일": None}


def test_the_sender_is_the_agency_not_its_head_and_a_notice_closes_with_its_date(kiwi):
    notice = ("한국생활안전공단 공고 제2025-212호\n인 사 발 령\n발령일자: '25. 12. 1.\n총 14명\n"
              "문의는 인사팀으로 하시기 바랍니다. 2025. 11. 24.\n한국생활안전공단 이사장")
    got = _values(_props(기관=TEXT, 공고일=DATE, 제목=TEXT, 발령일자=DATE), notice, kiwi=kiwi)
    assert got == {"기관": "한국생활안전공단", "공고일": "2025-11-24", "제목": "인사발령", "발령일자": "2025-12-01"}
    letter = "문서번호 안전-0311\n수 신 각 시·도\n발 신 한국생활안전공단 이사장\n제 목 점검 결과 공유"
    assert _values(_props(발신=TEXT), letter, kiwi=kiwi) == {"발신": "한국생활안전공단"}


def test_parties_defined_by_their_own_role_names_keep_their_whole_names(kiwi):
    text = ("발주기관 서울특별시 마포구(이하 \"발주기관\"이라 한다)와 연구기관 사단법인 도시공감연구소"
            "(이하 \"연구기관\"이라 한다)는 위 연구용역(이하 \"본 용역\"이라 한다)에 관하여 계약을 체결한다.")
    schema = _props(당사자={"type": "array", "items": {"type": "string"}})
    assert _values(schema, text, kiwi=kiwi) == {"당사자": ["서울특별시 마포구", "사단법인 도시공감연구소"]}


def test_a_difference_and_another_fields_label_are_not_the_amount(kiwi):
    text = "내년 사업비는 올해보다 1억 원 늘어난 총 3억 2천만 원이다."
    assert _values(_props(사업비=MONEY), text, kiwi=kiwi) == {"사업비": 320_000_000}
    receipt = "합계 금액: W1,474,000 (부가세 포함)"  # OCR: "합계금액" split, ₩ read as W
    got = _values(_props(합계=MONEY, 공급가액=MONEY), receipt, kiwi=kiwi)
    assert got == {"합계": 1_474_000, "공급가액": None}


def test_a_letterhead_or_genre_line_is_no_title_but_a_contracts_name_is_its_title_line(kiwi):
    assert _values(_props(제목=TEXT), "한국생활안전공단\n1. 귀 기관의 발전을 기원합니다.", kiwi=kiwi) == {"제목": None}
    assert _values(_props(제목=TEXT), "서울 마포구 보도자료\n보도일: 2025. 12. 2.", kiwi=kiwi) == {"제목": None}
    mou = "청년 일자리 창출을 위한 업무협약서\n갑과 을은 다음과 같이 협약을 체결한다."
    assert _values(_props(협약명=TEXT), mou, kiwi=kiwi) == {"협약명": "청년 일자리 창출을 위한 업무협약서"}
    assert _values(_props(계약명=TEXT), "1. 계약건명 : 생활실태 조사 연구용역\n2. 계약금액 : 금사천오백만원정",
                   kiwi=kiwi) == {"계약명": "생활실태 조사 연구용역"}
