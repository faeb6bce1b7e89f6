"""Answer quality on an autorag_ko-format set (corpus.jsonl + qa.jsonl): is the gold answer in the
answer, does it cite the gold passage, does it refuse when the passage is gone? Used by
`korag eval answers`, bench/answers.py and their regression subsets."""
from __future__ import annotations

import random
import re
import statistics
import time
import zlib
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass

from agents.evaluate import Question, build_kb
from agents.types import Answer
from rag.filters import Filters
from rag.kb import KnowledgeBase
from rag.settings import Settings

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


# --- gold-in-answer, citation@1, refusals and false answers (issue 16) ---

@dataclass(frozen=True)
class AnswerReport:
    """What `korag eval answers` prints: rates over answerable questions, and over unanswerable ones."""

    mode: str
    questions: int
    gold_in_answer: float  # a gold string (spaces removed) inside the answer text (markers removed)
    citation_at_1: float  # the first citation is on the gold passage
    refusal_rate: float  # answerable questions answered "not found"
    char_f1: float
    answer_chars_median: float  # of the answers given (not refusals), markers removed
    answer_chars_p90: float
    latency_p50_ms: float
    latency_p95_ms: float
    unanswerable: int  # questions asked again with their gold passage excluded
    false_answer_rate: float  # of those, answered anyway

    def as_dict(self) -> dict:
        return asdict(self)


def visible_text(text: str) -> str:
    """The answer as a reader sees its words: [n] markers removed."""
    return _MARKER.sub("", text).strip()


def gold_in(text: str, golds: Sequence[str]) -> bool:
    """A gold answer string, spaces removed, inside the answer's text with markers and spaces removed."""
    flat = re.sub(r"\s", "", visible_text(text))
    return any(g and re.sub(r"\s", "", g) in flat for g in golds)


def unanswerable_sample(questions: Sequence[Question], n: int, seed: int = 16) -> list[Question]:
    """A fixed sample of `n` questions to ask again without their gold passage."""
    n = min(n, len(questions))
    return random.Random(seed).sample(list(questions), n) if n else []


def article_of(doc_id: str) -> str:
    """KorQuAD passage ids are "<article>#<n>"; other sets' ids are their own article."""
    return doc_id.split("#", 1)[0]


def split_by_article(questions: Sequence[Question], half: str) -> list[Question]:
    """'tune' or 'report': the questions whose gold article hashes into that half (crc32 parity), so no
    article's passages are tuned on and reported on; 'all': every question."""
    if half == "all":
        return list(questions)
    want = 0 if half == "tune" else 1
    return [q for q in questions if zlib.crc32(article_of(min(q.gold)).encode()) % 2 == want]


def _quantile(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def evaluate_answer_quality(
    mode: str,
    questions: Sequence[Question],
    ask: Callable[[str, frozenset[str]], Answer],
    source_of: Callable[[str], str],
    unanswerable: Sequence[Question] = (),
) -> tuple[AnswerReport, list[tuple[Question, Answer, bool]]]:
    """Ask every question (`ask(query, excluded corpus ids)`), then each of `unanswerable` with its gold
    passages excluded from the search; returns the report and (question, answer, excluded?) rows."""
    rows: list[tuple[Question, Answer, bool]] = []
    seconds, golds, firsts, refused, f1s, lengths = [], 0, 0, 0, [], []
    for question in questions:
        started = time.perf_counter()
        result = ask(question.query, frozenset())
        seconds.append(time.perf_counter() - started)
        rows.append((question, result, False))
        cited = [gold_of(source_of(c.document_id)) for c in result.citations]
        firsts += bool(cited) and cited[0] in question.gold
        if not result.grounded:
            refused += 1
            f1s.append(0.0)
            continue
        golds += gold_in(result.text, question.answers)
        f1s.append(max((char_f1(result.text, ref) for ref in question.answers), default=0.0))
        lengths.append(len(visible_text(result.text)))
    false = 0
    for question in unanswerable:
        result = ask(question.query, question.gold)
        rows.append((question, result, True))
        false += result.grounded
    n = len(questions) or 1
    ms = [s * 1000 for s in seconds]
    report = AnswerReport(mode, len(questions), golds / n, firsts / n, refused / n,
                          statistics.fmean(f1s) if f1s else 0.0,
                          statistics.median(lengths) if lengths else 0.0, _quantile(lengths, 0.9),
                          statistics.median(ms) if ms else 0.0, _quantile(ms, 0.95),
                          len(unanswerable), false / (len(unanswerable) or 1))
    return report, rows


def format_report(report: AnswerReport) -> str:
    r = report
    return "\n".join([
        f"[{r.mode}]  latency p50 {r.latency_p50_ms:.0f} ms  p95 {r.latency_p95_ms:.0f} ms",
        f"answerable     n={r.questions:<5} gold-in-answer {r.gold_in_answer:.3f}  citation@1 {r.citation_at_1:.3f}  "
        f"refused {r.refusal_rate:.3f}  char-F1 {r.char_f1:.3f}",
        f"               answer length median {r.answer_chars_median:.0f}  p90 {r.answer_chars_p90:.0f} characters",
        f"unanswerable   n={r.unanswerable:<5} false answers {r.false_answer_rate:.3f}  "
        f"(gold passage removed from the search)",
    ])


def excluding(kb: KnowledgeBase, sources: dict[str, str]) -> Callable[[frozenset[str]], Filters | None]:
    """Filters that leave out the given corpus ids: the KB as if those passages had been deleted (BM25's
    idf still counts them; every ranking and the answer only see the rest)."""
    by_corpus: dict[str, list[str]] = {}
    for doc_id, src in sources.items():
        by_corpus.setdefault(gold_of(src), []).append(doc_id)

    def filters(excluded: frozenset[str]) -> Filters | None:
        if not excluded:
            return None
        gone = {d for c in excluded for d in by_corpus.get(c, ())}
        return Filters(documents=tuple(sorted(set(sources) - gone)))

    return filters


def run_answer_benchmark(corpus: Sequence[tuple[str, str]], questions: Sequence[Question], settings: Settings,
                         mode: str = "extractive", unanswerable: int = 0, kb: KnowledgeBase | None = None,
                         ) -> Iterator[str | AnswerReport]:
    """Build (unless `kb` is given) and embed a KB, answer; yields progress lines, then the report."""
    from agents.llm import llm_for
    from agents.tasks import Workspace, answer
    from rag.retrieve import Retriever, embedder_for

    if kb is None:
        kb, build_s = build_kb(corpus, settings)
        yield f"corpus {len(corpus)} entries → searchable in {build_s:.1f} s; {len(questions)} questions"
    embedder = embedder_for(settings)
    if embedder is not None:
        started = time.perf_counter()
        embedded = kb.embed_pending(embedder)
        if embedded:
            yield f"embedded {embedded} chunks with {embedder.name} in {time.perf_counter() - started:.1f} s"
    llm = llm_for(settings) if mode == "llm" else None
    if mode == "llm" and llm is None:
        raise ValueError("--mode llm needs KORAG_LLM_BASE_URL and KORAG_LLM_MODEL")
    ws = Workspace(kb, Retriever(kb, embedder), settings, llm)
    sources = {d.id: d.source for d in kb.documents()}
    without = excluding(kb, sources)
    answer(ws, questions[0].query if questions else "")  # warm up (Kiwi, indexes) before timing
    report, _ = evaluate_answer_quality(
        mode, questions, lambda q, gone: answer(ws, q, filters=without(gone)), sources.__getitem__,
        unanswerable_sample(questions, unanswerable))
    yield report


# --- document-level questions (issue 16, part 5): tests/data/document_questions.json ---

def document_questions(path) -> list[dict]:
    """The labelled document-level questions: file, question, field (제목/작성일/기관/문서번호), gold strings."""
    import json
    from pathlib import Path

    return json.loads(Path(path).read_text(encoding="utf-8"))["questions"]


def evaluate_document_questions(items: Sequence[dict], ask: Callable[[str, str], Answer],
                                ) -> tuple[dict[str, tuple[int, int]], list[tuple[dict, Answer, bool]]]:
    """Ask each question with its document chosen (`ask(question, file)`); per field (right, asked), and rows.
    Right: grounded, and a gold string (spaces removed) inside the answer's text."""
    per_field: dict[str, list[int]] = {}
    rows = []
    for item in items:
        result = ask(item["question"], item["file"])
        right = result.grounded and gold_in(result.text, item["gold"])
        counts = per_field.setdefault(item["field"], [0, 0])
        counts[0] += right
        counts[1] += 1
        rows.append((item, result, right))
    return {field: (r, n) for field, (r, n) in per_field.items()}, rows
