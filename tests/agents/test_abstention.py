"""Abstention (issue 16, part 4): the first sentence answers only when it, its passage and its margin over
other passages support the question; a refusal names the closest passages as 관련 문서."""
from __future__ import annotations

import dataclasses
import math

from agents.extractive import answer_sentences
from agents.sentences import Passage
from agents.support import Support, answers, without_absent
from agents.weights import WEIGHTS
from rag.lexical import LexicalIndex

# Sentences written for this test (no shared-set text): the passage a question was written from, and two
# sibling passages of the same story that share its names but tell of other events.
GOLD = "1945년 4월 히틀러가 자살한 뒤, 독일은 5월 8일 연합군에 무조건 항복하였다. 이로써 유럽에서의 전쟁이 끝났다."
SIBLING = ("1943년 7월 무솔리니 정권이 무너진 이탈리아는 9월 8일 연합군에 항복하였다. "
           "같은 해 독일군은 쿠르스크 전투에서 소련군에 크게 패하였다.")
OTHER = "독일 공군은 1940년 영국 본토 항공전에서 제공권을 얻지 못하였다. 독일은 이후 소련 침공으로 방향을 돌렸다."
QUESTION = "독일이 연합군에 무조건 항복한 날은?"


def _passages(*texts: str) -> list[Passage]:
    return [Passage(i, t, rank=i) for i, t in enumerate(texts)]


def test_the_question_is_answered_from_its_passage_and_refused_without_it(kiwi):
    [first, *_] = answer_sentences(QUESTION, _passages(GOLD, SIBLING, OTHER), kiwi)
    assert "5월 8일" in first.text and "독일" in first.text
    assert answers(first.evidence)
    # The gold passage deleted: Italy's surrender covers "연합군", "항복" and a date, and is still refused.
    assert answer_sentences(QUESTION, _passages(SIBLING, OTHER), kiwi) == []
    [open_gate, *_] = answer_sentences(QUESTION, _passages(SIBLING, OTHER), kiwi, gate=lambda s: True)
    assert "이탈리아" in open_gate.text and not answers(open_gate.evidence)


def test_the_gate_is_the_weighted_sum_of_coverage_passage_and_margin():
    support = Support(coverage=0.6, kb_coverage=0.6, passage_coverage=0.6, terms=4, stated=True, asked="when",
                      margin=0.3)
    w = WEIGHTS
    score = w.answer_gate_coverage * 0.6 + w.answer_gate_passage * 0.6 + w.answer_gate_margin * 0.3
    assert answers(support) == (score >= 1.0)
    # No rival passage comes near (a large margin) rescues a sentence its passage barely supports less often
    # than full coverage does: each of the three moves the decision on its own.
    assert not answers(dataclasses.replace(support, coverage=0.3, passage_coverage=0.3, margin=0.0))
    assert answers(dataclasses.replace(support, coverage=1.0, passage_coverage=1.0, margin=0.0))
    assert not answers(dataclasses.replace(support, margin=-0.5))
    shut = dataclasses.replace(WEIGHTS, answer_gate_coverage=0.0, answer_gate_passage=0.0, answer_gate_margin=0.0)
    assert not answers(dataclasses.replace(support, coverage=1.0, passage_coverage=1.0), shut)
    assert answers(dataclasses.replace(support, margin=-0.5), dataclasses.replace(WEIGHTS, answer_abstention=False))


def test_bm25_idf_is_over_the_whole_index():
    index = LexicalIndex.build([1, 2, 3, 4], [["독일", "항복"], ["독일", "전쟁"], ["독일", "이탈리아"], ["소련"]], 1)
    idf = index.idf(["독일", "항복", "없는말"])
    assert math.isclose(idf["항복"], math.log(1 + (4 - 1 + 0.5) / (1 + 0.5)))
    assert math.isclose(idf["독일"], math.log(1 + (4 - 3 + 0.5) / (3 + 0.5)))
    assert idf["독일"] < idf["항복"] < idf["없는말"]  # a word no chunk holds weighs the most


def test_a_refusal_names_the_closest_passages(extractive_assistant):
    result = extractive_assistant.ask("보안 지침을 어기면 벌금은 얼마인가요?")
    assert not result.grounded and result.citations == []
    assert result.related and result.related[0].document == "보안_지침.hwp"
    assert result.text.startswith("문서에서 질문에 대한 답을 찾지 못했습니다. 관련 문서: 보안_지침.hwp")
    assert all(s.citation in result.text for s in result.related)
    streamed = list(extractive_assistant.stream("보안 지침을 어기면 벌금은 얼마인가요?"))
    assert "".join(streamed[:-1]) == streamed[-1].text == result.text


def test_a_word_no_document_uses_is_left_out_only_when_the_sentence_states_what_is_asked(kiwi):
    # Written for this test: a regulation that says 상한 where the user says 한도, and names no fine.
    rule = "제3조(숙박비) 부장의 숙박비는 1박 120,000원을 상한으로 한다."
    other = "제9조(보안) 임직원은 보안 지침을 지켜야 하며, 위반한 자는 징계한다."
    index = LexicalIndex.build([0, 1], [list(_terms(kiwi, rule)), list(_terms(kiwi, other))], 1)
    passages = _passages(rule, other)
    [first, *_] = answer_sentences("부장 숙박비 한도는 얼마인가요?", passages, kiwi, idf=index.idf, known=index.holds)
    assert "120,000원" in first.text and first.evidence.stated
    # "벌금" is in no chunk and the best sentence states no amount: the word still counts, and it is refused.
    assert answer_sentences("보안 지침을 어기면 벌금은 얼마인가요?", passages, kiwi, idf=index.idf, known=index.holds) == []
    [guess, *_] = answer_sentences("보안 지침을 어기면 벌금은 얼마인가요?", passages, kiwi, idf=index.idf,
                                   known=index.holds, gate=lambda s: True)
    assert "징계" in guess.text and not guess.evidence.stated and not answers(guess.evidence)
    weights = {"보안": 1.0, "벌금": 2.0}
    assert without_absent(weights, {"벌금"}, stated=False, rule="ignored") == {"보안": 1.0, "벌금": 0.0}
    assert without_absent(weights, {"벌금"}, stated=False, rule="stated") == weights
    assert without_absent(weights, {"벌금"}, stated=True, rule="stated")["벌금"] == 0.0
    assert without_absent(weights, {"벌금"}, stated=True, rule="highest") == weights


def _terms(kiwi, text: str) -> list[str]:
    from rag.morphemes import content_terms
    return content_terms(kiwi.tokenize(text))
