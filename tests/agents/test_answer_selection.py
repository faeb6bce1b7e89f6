"""Extractive answer selection (issue 16): the asked kind, antecedents, two-part questions, forms below
body text, no separator residue, the sentence's article, and questions about the document itself."""
from __future__ import annotations

from agents.asked import asked, refers_back, states
from agents.document_fields import asked_field, find_field
from agents.extractive import answer_sentences
from agents.sentences import Passage, block_kind, is_residue, sentence_article
from rag.model import Chunk


def test_the_question_word_decides_the_kind(kiwi):
    assert asked("연차휴가는 며칠인가요?").kind == "days"
    assert asked("몇 월 며칠에 태어났나?").kind == "when" and not asked("몇 월 며칠에 태어났나?").two_parts
    assert asked("비밀번호는 얼마나 자주 바꿔야 하나요?").kind == "often"
    assert asked("숙박비 한도는 얼마인가요?").kind == "amount"
    assert asked("위원은 몇 명인가?").kind == "count"
    assert asked("평양축전에 파견된 인물은?").kind == "who"
    assert asked("본사는 어디에 있나요?").kind == "where"
    assert asked("왜 연기되었나요?").kind == "why"
    assert asked("숙박비와 일비는 각각 얼마인가요?").two_parts
    assert not asked("숙박비는 얼마인가요?").two_parts


def test_a_sentence_states_the_kind_only_beyond_the_question(kiwi):
    def says(question: str, text: str) -> bool:
        return states(asked(question).kind, text, list(kiwi.tokenize(text)), question, set())

    assert says("나치 독일이 항복한 연도는?", "독일은 1945년 5월에 항복하였다.")
    assert not says("나치 독일이 항복한 연도는?", "이탈리아는 9월 8일에 항복하였다.")  # a date, not a year
    assert not says("1989년에 지명수배된 날은?", "그는 1989년에 수배되었다.")  # the question's own date
    assert says("쇼와 천황은 몇 대 천황인가?", "제124대 천황이다.")
    assert not says("쇼와 천황은 몇 대 천황인가?", "1945년 11월 내각이 출범했다.")  # a figure, not the counter
    assert says("숙박비 한도는 얼마인가?", "숙박비는 1박 7만 원을 한도로 한다.")
    assert not says("숙박비 한도는 얼마인가?", "숙박비는 실비로 정산한다.")
    # money is read by ingest/numbers.py: "70,000원" restates the question's "7만 원", "8만 원" answers it
    assert not says("숙박비 7만 원은 얼마까지 늘릴 수 있나?", "숙박비 70,000원은 실비로 정산한다.")
    assert says("숙박비 7만 원은 얼마까지 늘릴 수 있나?", "숙박비는 8만 원까지 늘릴 수 있다.")
    assert says("면적은 얼마인가?", "면적은 약 250만 제곱킬로미터이다.")  # a quantity with its unit
    assert not says("한도는 얼마인가?", "제3조에 따른다.")  # an article number is not an amount


def test_a_sentence_that_refers_back_brings_the_one_before(kiwi):
    assert refers_back(list(kiwi.tokenize("이는 국내 최초의 사례이다.")))
    assert refers_back(list(kiwi.tokenize("이 경우 숙박비는 지급하지 않는다.")))
    assert not refers_back(list(kiwi.tokenize("이명박 대통령은 서울에서 태어났다.")))
    text = ("회사는 재택근무를 하는 사원을 지원한다. 이 경우 통신비는 직원 1인당 월 3만 원을 급여와 함께 지급한다. "
            "사무용품은 총무팀에서 받는다.")
    [best] = answer_sentences("직원 통신비는 얼마를 지급하나?", [Passage(1, text)], kiwi, max_sentences=1)
    assert best.text.startswith("회사는 재택근무") and "월 3만 원" in best.text  # one span: antecedent + answer


def test_a_question_asking_two_things_gets_both(kiwi):
    text = ("국내 출장의 숙박비는 1박 7만 원을 한도로 한다. 회의실 예약은 전날까지 한다. 출장 식비는 1일 3만 원으로 한다. "
            "법인카드는 재무팀이 관리한다.")
    answers = answer_sentences("출장 숙박비와 식비는 각각 얼마인가?", [Passage(1, text)], kiwi, max_sentences=2,
                               keep_margin=0.0)
    said = " ".join(a.text for a in answers)
    assert "7만 원" in said and "3만 원" in said


def test_body_text_wins_over_a_form_that_repeats_its_words(kiwi):
    body = Passage(1, "출장 숙박비는 1박 7만 원을 한도로 한다.", rank=1, kind="text")
    form = Passage(2, "출장 숙박비 신청서: 출장 숙박비 금액 ____ 원 (1박 기준)", rank=0, kind="form")
    [best, *_] = answer_sentences("출장 숙박비는 1박에 얼마인가?", [form, body], kiwi)
    assert best.chunk_id == 1
    chunk = Chunk(text="x", morphemes=(), page=None, heading_path=(), ordinal=0, start=0, end=1, kind="table")
    assert block_kind(chunk) == "table"


def test_separator_residue_is_never_quoted(kiwi):
    assert is_residue("| | | |") and is_residue("----------") and is_residue("········")
    assert not is_residue("직급 | 일비 | 숙박비")
    text = "숙박비 한도 | | | |\n숙박비 한도는 1박 7만 원이다."
    answers = answer_sentences("숙박비 한도는 얼마인가?", [Passage(1, text)], kiwi, max_sentences=3)
    assert answers and all("| |" not in a.text for a in answers)


def test_the_citation_names_the_sentence_s_own_article():
    text = "제11조(출장) 출장은 사전에 승인받는다.\n제12조(대부한도) 대부 한도는 연봉의 50%로 한다."
    assert sentence_article(text, text.index("대부 한도")) == "제12조(대부한도)"
    assert sentence_article(text, text.index("출장은")) == "제11조(출장)"
    assert sentence_article("대부 한도는 연봉의 50%이다.", 3) is None


def test_document_level_questions_read_the_header():
    assert asked_field("이 문서의 제목은?") == "제목"
    assert asked_field("공문 문서번호가 뭐야?") == "문서번호"
    assert asked_field("이 문서의 작성일은 언제인가요?") == "작성일"
    assert asked_field("숙박비 한도는 얼마인가요?") is None
    blocks = ["한국산업진흥원", "문서번호: 산진-2024-0317", "시행일자: 2024. 3. 17.", "제목: 하반기 교육 계획 안내",
              "1. 관련: 인사팀-112"]
    found = find_field("문서번호", None, blocks)
    assert found.value == "산진-2024-0317"
    assert "\n".join(blocks)[found.start:found.end] == "산진-2024-0317"
    assert find_field("작성일", None, blocks).value == "2024. 3. 17."
    assert find_field("제목", "무시되는 제목", blocks).value == "하반기 교육 계획 안내"
    assert find_field("제목", "보고서 제목", ["본문만 있는 문서"]).value == "보고서 제목"
    assert find_field("기관", None, ["본문만 있는 문서"]) is None


def test_days_often_and_figures_inside_names(kiwi):
    def says(question: str, text: str) -> bool:
        return states(asked(question).kind, text, list(kiwi.tokenize(text)), question, set())

    # 며칠 wants a figure with 일: "1월" is a month, not a number of days
    assert says("연차휴가는 며칠인가요?", "회사는 1년간 80퍼센트 이상 출근한 직원에게 15일의 유급휴가를 준다.")
    assert not says("연차휴가는 며칠인가요?", "사용하지 못한 연차휴가는 다음 해 1월 급여 지급일에 정산한다.")
    # 얼마나 자주 wants a period, not any quantity
    assert says("비밀번호는 얼마나 자주 바꿔야 하나요?", "비밀번호는 90일마다 변경하여야 한다.")
    assert says("점검은 얼마나 자주 하나요?", "설비 점검은 분기별로 실시한다.")
    assert not says("비밀번호는 얼마나 자주 바꿔야 하나요?", "비밀번호는 12자 이상으로 설정한다.")
    # a figure inside a name is not an amount or a count; a label can carry the unit of money
    assert not says("투자비 예산은 얼마인가요?", "부서명: 연구개발2팀 · 비고: 신설")
    assert not says("직원은 몇 명인가?", "연구개발2팀이 맡는다.")
    assert says("투자비 예산은 얼마인가요?", "부서명: 생산관리팀 · 투자비(백만 원): 2300")


def test_a_neighbour_that_states_what_is_asked_completes_the_answer(kiwi):
    text = ("본사 사옥 전기설비 정기 점검 및 정전 안내\n수변전 설비 정기 점검으로 본사 사옥 전체가 정전됩니다.\n"
            "2025년 10월 11일(토) 오전 8시부터 오후 2시까지 (약 6시간)\n점검 당일 출근이 필요한 직원은 총무팀에 신청하여 "
            "주시기 바랍니다.")
    answers = answer_sentences("본사 정전 점검은 언제 하나요?", [Passage(1, text)], kiwi)
    said = " ".join(a.text for a in answers)
    assert "정전됩니다" in said and "10월 11일" in said


def test_the_retrieval_score_is_scaled_over_the_passages_whatever_its_scale():
    from agents.extractive import _retrieval_share

    bm25 = _retrieval_share([Passage(1, "a", score=9.0), Passage(2, "b", score=3.0), Passage(3, "c", score=6.0)])
    zscores = _retrieval_share([Passage(1, "a", score=1.5), Passage(2, "b", score=-0.5), Passage(3, "c", score=0.5)])
    assert list(bm25) == list(zscores) == [1.0, 0.0, 0.5]
    assert list(_retrieval_share([Passage(1, "a", score=0.0)])) == [1.0]


def test_two_parts_with_days_and_a_word_only_in_an_article_title(kiwi):
    assert asked("출장 정산은 며칠 안에 하고 선지급은 얼마까지 되나요?").two_parts
    assert not asked("몇 월 며칠에 태어났나?").two_parts  # one date
    text = ("제6조(정산)\n출장자는 돌아온 날부터 7일 이내에 정산서를 제출하여야 한다.\n제7조(선지급)\n"
            "① 출장비는 예상액의 80퍼센트 범위에서 미리 지급할 수 있다.")
    answers = answer_sentences("출장 정산은 며칠 안에 하고 선지급은 얼마까지 되나요?", [Passage(1, text)], kiwi,
                               gate=lambda s: True)
    said = " ".join(a.text for a in answers)
    assert "7일 이내" in said and "80퍼센트" in said  # 선지급 is said by ①'s article title
