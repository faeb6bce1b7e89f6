"""Answer quality on an autorag_ko-format set: does the answer cite the gold page, and how close is its
text to the reference answer (character F1)? Used by bench/answers.py and its regression subset."""
from __future__ import annotations

import re
import statistics
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from agents.evaluate import Question
from agents.types import Answer

_MARKER = re.compile(r"\[\d+(?:\s*,\s*\d+)*\]")


def char_f1(prediction: str, reference: str) -> float:
    """F1 over characters (whitespace and [n] markers removed), the usual metric for Korean QA."""
    pred = Counter(re.sub(r"\s", "", _MARKER.sub("", prediction)))
    ref = Counter(re.sub(r"\s", "", reference))
    overlap = sum((pred & ref).values())
    if not overlap:
        return 0.0
    precision, recall = overlap / sum(pred.values()), overlap / sum(ref.values())
    return 2 * precision * recall / (precision + recall)


@dataclass(frozen=True)
class AnswerScores:
    questions: int
    citation_at_1: float  # the first citation is on a gold page
    citation_any: float  # some citation is on a gold page
    grounded: float  # answers that cite something (not "not found")
    char_f1: float  # against the best-matching generation_gt
    latency_p50_ms: float
    latency_p95_ms: float


def gold_of(source_id: str) -> str:
    return source_id.removeprefix("corpus:")


def evaluate_answers(questions: Sequence[Question], ask: Callable[[str], Answer],
                     source_of: Callable[[str], str]) -> tuple[AnswerScores, list[tuple[Question, Answer, float]]]:
    """Ask every question; `source_of(document_id)` gives the corpus id a citation's document came from."""
    rows, seconds = [], []
    first = any_hit = grounded = 0
    for question in questions:
        started = time.perf_counter()
        answer = ask(question.query)
        seconds.append(time.perf_counter() - started)
        cited = [gold_of(source_of(c.document_id)) for c in answer.citations]
        first += bool(cited) and cited[0] in question.gold
        any_hit += any(c in question.gold for c in cited)
        grounded += answer.grounded
        f1 = max((char_f1(answer.text, ref) for ref in question.answers), default=0.0) if answer.grounded else 0.0
        rows.append((question, answer, f1))
    n = len(questions) or 1
    ms = sorted(s * 1000 for s in seconds) or [0.0]
    scores = AnswerScores(len(questions), first / n, any_hit / n, grounded / n,
                          statistics.fmean(f for _, _, f in rows) if rows else 0.0,
                          ms[len(ms) // 2], ms[min(len(ms) - 1, int(len(ms) * 0.95))])
    return scores, rows


def format_scores(label: str, s: AnswerScores) -> str:
    return (f"{label:<12} n={s.questions}  citation@1 {s.citation_at_1:.3f}  citation@any {s.citation_any:.3f}  "
            f"grounded {s.grounded:.3f}  char-F1 {s.char_f1:.3f}  latency p50 {s.latency_p50_ms:.0f} ms "
            f"p95 {s.latency_p95_ms:.0f} ms")
