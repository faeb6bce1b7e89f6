"""Retrieval evaluation on a set in the autorag_ko format (corpus.jsonl + qa.jsonl).

Each corpus entry becomes one document, ingested through the real pipeline; every question is
asked; passages are mapped back to corpus ids and scored with binary relevance, the way the
MTEB AutoRAGRetrieval reference scores are: hit@k (= recall@k with one gold page), MRR@10, nDCG@10.
"""
from __future__ import annotations

import json
import math
import statistics
import time
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ingest.pipeline import Ingestor
from rag.kb import KnowledgeBase, SearchHit
from rag.retrieve import Fusion, Retriever, embedder_for, reranker_for
from rag.settings import Settings


@dataclass(frozen=True)
class Question:
    qid: str
    query: str
    gold: frozenset[str]
    domain: str
    answers: tuple[str, ...] = ()  # generation_gt: reference answers


@dataclass(frozen=True)
class Scores:
    """Mean metrics over a set of questions."""

    questions: int
    hit1: float
    hit5: float
    hit10: float
    mrr10: float
    ndcg10: float


@dataclass(frozen=True)
class ModeReport:
    mode: str
    overall: Scores
    per_domain: dict[str, Scores]
    latency_p50_ms: float
    latency_p95_ms: float
    misses: tuple[str, ...] = field(default_factory=tuple)  # qids with no gold in the top 10


def load_dataset(folder: Path) -> tuple[list[tuple[str, str]], list[Question]]:
    corpus = [(row["doc_id"], row["contents"]) for row in _jsonl(folder / "corpus.jsonl")]
    questions = []
    for row in _jsonl(folder / "qa.jsonl"):
        gold = frozenset(doc for group in row["retrieval_gt"] for doc in group)
        domain = row["qid"].split("_", 1)[1] if "_" in row["qid"] else "all"
        questions.append(Question(row["qid"], row["query"], gold, domain, tuple(row.get("generation_gt") or ())))
    return corpus, questions


def neighbourhood(corpus: Sequence[tuple[str, str]], questions: Sequence[Question],
                  radius: int) -> list[tuple[str, str]]:
    """The questions' gold pages with `radius` neighbouring pages each side (same PDFs: hard distractors)."""
    position = {doc_id: i for i, (doc_id, _) in enumerate(corpus)}
    keep: set[int] = set()
    for question in questions:
        for gold in question.gold:
            keep.update(range(max(0, position[gold] - radius), position[gold] + radius + 1))
    return [corpus[i] for i in sorted(keep)]


def _jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def build_kb(corpus: Sequence[tuple[str, str]], settings: Settings, name: str = "eval") -> tuple[KnowledgeBase, float]:
    """A KB with one document per corpus entry (source `corpus:<id>`); returns it and build seconds."""
    kb = KnowledgeBase.open(settings, name, create=True)
    started = time.perf_counter()
    items = [(text.encode("utf-8"), f"page-{i:05}.txt", f"corpus:{doc_id}") for i, (doc_id, text) in enumerate(corpus)]
    results = Ingestor(kb, settings).ingest_many(items)
    failed = [r for r in results if not r.ok and "empty" not in (r.error or "")]
    if failed:
        raise RuntimeError(f"{len(failed)} corpus entries failed to ingest, e.g. {failed[0].error}")
    return kb, time.perf_counter() - started


def ranked_sources(hits: Sequence[SearchHit]) -> list[str]:
    """Corpus ids in rank order, each once (several chunks of one page count as one)."""
    seen: list[str] = []
    for hit in hits:
        source = hit.document.source.removeprefix("corpus:")
        if source not in seen:
            seen.append(source)
    return seen


def score(ranked: Sequence[str], gold: frozenset[str]) -> tuple[float, float, float, float, float]:
    top = list(ranked[:10])
    first = next((i for i, doc in enumerate(top) if doc in gold), None)
    dcg = sum(1 / math.log2(i + 2) for i, doc in enumerate(top) if doc in gold)
    ideal = sum(1 / math.log2(i + 2) for i in range(min(len(gold), 10)))
    return (float(first is not None and first < 1), float(first is not None and first < 5),
            float(first is not None), 1 / (first + 1) if first is not None else 0.0, dcg / ideal if ideal else 0.0)


def _mean(rows: list[tuple[float, ...]]) -> Scores:
    n = len(rows)
    cols = list(zip(*rows)) if rows else [[0.0]] * 5
    return Scores(n, *(sum(c) / max(n, 1) for c in cols))


def evaluate(questions: Sequence[Question], search: Callable[[str], list[SearchHit]], mode: str) -> ModeReport:
    rows, by_domain, latencies, misses = [], defaultdict(list), [], []
    for question in questions:
        started = time.perf_counter()
        hits = search(question.query)
        latencies.append((time.perf_counter() - started) * 1000)
        row = score(ranked_sources(hits), question.gold)
        rows.append(row)
        by_domain[question.domain].append(row)
        if not row[2]:
            misses.append(question.qid)
    quantiles = statistics.quantiles(latencies, n=20) if len(latencies) > 1 else latencies * 19
    return ModeReport(mode, _mean(rows), {d: _mean(r) for d, r in sorted(by_domain.items())},
                      statistics.median(latencies), quantiles[18], tuple(misses))


def format_report(report: ModeReport) -> str:
    def line(label: str, s: Scores) -> str:
        return (f"{label:<14} n={s.questions:<4} hit@1 {s.hit1:.3f}  hit@5 {s.hit5:.3f}  hit@10 {s.hit10:.3f}  "
                f"MRR@10 {s.mrr10:.3f}  nDCG@10 {s.ndcg10:.3f}")

    lines = [f"[{report.mode}]  latency p50 {report.latency_p50_ms:.1f} ms  p95 {report.latency_p95_ms:.1f} ms",
             line("overall", report.overall)]
    lines += [line(f"  {domain}", s) for domain, s in report.per_domain.items()]
    return "\n".join(lines)


def run_benchmark(corpus: Sequence[tuple[str, str]], questions: Sequence[Question], settings: Settings,
                  modes: list[str] | None = None, weights: list[float] | None = None) -> Iterator[str]:
    """Build, embed, evaluate; yields report lines as they are ready."""
    kb, build_s = build_kb(corpus, settings)
    yield (f"corpus {len(corpus)} entries → {kb.store.counts()['chunks']} chunks; searchable (parse, split, BM25) "
           f"in {build_s:.1f} s; {len(questions)} questions")
    embedder, reranker = embedder_for(settings), reranker_for(settings)
    modes = modes or ["lexical"] + (["dense", "hybrid"] if embedder else []) + (["hybrid+rerank"] if reranker else [])
    if embedder is not None and set(modes) - {"lexical"}:
        started = time.perf_counter()
        embedded = kb.embed_pending(embedder)
        yield f"embedded {embedded} chunks with {embedder.name} in {time.perf_counter() - started:.1f} s"
    for mode in modes:
        for weight in (weights or [settings.lexical_weight]) if mode.startswith("hybrid") else [None]:
            fusion = Fusion(weight if weight is not None else settings.lexical_weight, settings.fusion_candidates,
                            settings.fusion)
            retriever = Retriever(kb, embedder, reranker if mode == "hybrid+rerank" else None, fusion,
                                  settings.rerank_top)
            label = mode if weight is None else f"{mode} w={weight:.2f}"
            report = evaluate(questions, lambda q: retriever.search(q, 10, mode.split("+")[0]), label)  # noqa: B023
            yield format_report(report)
