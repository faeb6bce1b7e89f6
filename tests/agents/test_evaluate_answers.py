"""`korag eval answers`: gold-in-answer, citation@1, refusals, false answers on unanswerable questions."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from agents.evaluate import Question
from agents.evaluate_answers import evaluate_answer_quality, gold_in, split_by_article
from agents.types import Answer, Source

REPO = Path(__file__).resolve().parents[2]

CORPUS = {
    "출장#0": "국내 출장 숙박비는 1박 7만원을 한도로 한다. 일비는 하루 2만원을 지급한다.",
    "보안#0": "업무용 비밀번호는 90일마다 변경해야 한다. 비밀번호는 10자 이상으로 정한다.",
    "연차#0": "1년간 80퍼센트 이상 출근한 근로자에게는 15일의 유급휴가를 준다.",
    "복지#0": "직원 자녀의 대학 학자금은 학기당 300만원까지 지원한다.",
}
QA = [
    ("q1", "국내 출장 숙박비 한도는 얼마인가?", "7만원", "출장#0"),
    ("q2", "비밀번호는 며칠마다 변경해야 하나?", "90일", "보안#0"),
    ("q3", "80퍼센트 이상 출근한 근로자의 유급휴가는 며칠인가?", "15일", "연차#0"),
    ("q4", "대학 학자금은 학기당 얼마까지 지원하나?", "300만원", "복지#0"),
]


def test_gold_in_answer_ignores_spaces_and_markers():
    assert gold_in("숙박비는 1박 7 만원을 한도로 한다. [1]", ["7만원"])
    assert gold_in("출근 [1] 15일", ["15일"])
    assert not gold_in("숙박비 한도는 문서에 없습니다.", ["7만원"])
    assert not gold_in("자세한 내용은 [15]일", ["15일"])  # a citation number is not the answer


def test_split_by_article_keeps_every_article_on_one_side():
    questions = [Question(f"q{i}", "?", frozenset({f"art{i % 7}#{i % 3}"}), "all") for i in range(40)]
    tune, report = split_by_article(questions, "tune"), split_by_article(questions, "report")
    assert len(tune) + len(report) == 40 and tune and report
    articles = lambda qs: {min(q.gold).split("#")[0] for q in qs}  # noqa: E731
    assert not articles(tune) & articles(report)


def test_rates_count_refusals_and_false_answers():
    def cite(doc: str) -> Source:
        return Source(n=1, chunk_id=1, document_id=doc, document=doc, start=0, end=1, quote="")

    questions = [Question("a", "A?", frozenset({"A#0"}), "all", ("사과",)),
                 Question("b", "B?", frozenset({"B#0"}), "all", ("배",))]

    def ask(query: str, excluded: frozenset[str]) -> Answer:
        if query == "A?":  # answered right, and answered again (falsely) without its passage
            return Answer(question=query, text="사과 [1]", citations=[cite("A#0")], grounded=True, mode="extractive")
        return Answer(question=query, text="못 찾았습니다", grounded=False, mode="extractive")

    report, rows = evaluate_answer_quality("x", questions, ask, lambda d: f"corpus:{d}", questions)
    assert (report.gold_in_answer, report.citation_at_1, report.refusal_rate) == (0.5, 0.5, 0.5)
    assert (report.unanswerable, report.false_answer_rate) == (2, 0.5)
    assert report.answer_chars_median == 2  # "사과", marker removed
    assert [excluded for _, _, excluded in rows] == [False, False, True, True]


def test_korag_eval_answers_prints_and_writes_the_figures(tmp_path):
    data = tmp_path / "set"
    data.mkdir()
    (data / "corpus.jsonl").write_text("".join(
        json.dumps({"doc_id": d, "contents": t}, ensure_ascii=False) + "\n" for d, t in CORPUS.items()), encoding="utf-8")
    (data / "qa.jsonl").write_text("".join(
        json.dumps({"qid": q, "query": text, "generation_gt": [gold], "retrieval_gt": [[doc]]}, ensure_ascii=False) + "\n"
        for q, text, gold, doc in QA), encoding="utf-8")
    env = {**os.environ, "KORAG_HOME": str(tmp_path / "home"), "KORAG_EMBEDDER": "none"}
    out = tmp_path / "report.json"
    done = subprocess.run([sys.executable, "-m", "ui.cli", "eval", "answers", str(data), "--unanswerable", "4",
                           "--json", str(out)], cwd=REPO, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert "gold-in-answer" in done.stdout and "false answers" in done.stdout
    report = json.loads(out.read_text())
    assert report["questions"] == 4 and report["unanswerable"] == 4
    assert report["gold_in_answer"] == 1.0 and report["citation_at_1"] == 1.0 and report["refusal_rate"] == 0.0
    # with its passage gone no other passage speaks of the question: every answer is a refusal
    assert report["false_answer_rate"] == 0.0
    assert report["answer_chars_median"] <= 60
