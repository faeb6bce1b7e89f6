"""Retrieval quality on an autorag_ko-format set: hit@1/5/10, MRR@10, nDCG@10, per domain.

    python bench/retrieval.py [DATASET_DIR] [--mode lexical ...] [--limit N]

DATASET_DIR defaults to ../shared/data/autorag_ko. Builds a KB from corpus.jsonl through the real
ingestion path in a temp KORAG_HOME, asks every question of qa.jsonl, prints the metrics, the
index build time and query latency p50/p95. Same as `korag eval retrieval DATASET_DIR`.
"""
from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from agents.evaluate import load_dataset, run_benchmark  # noqa: E402
from rag.settings import Settings  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("dataset", nargs="?", type=Path, default=REPO.parent / "shared" / "data" / "autorag_ko")
    parser.add_argument("--mode", action="append", choices=["lexical", "dense", "hybrid", "hybrid+rerank"],
                        help="repeatable; default: lexical, dense, hybrid (+ hybrid+rerank with KORAG_RERANKER)")
    parser.add_argument("--lexical-weight", type=float, action="append",
                        help="hybrid fusion weight(s) of BM25 to try (repeatable; default: the setting)")
    parser.add_argument("--limit", type=int, default=0, help="only the first N questions")
    args = parser.parse_args()
    corpus, questions = load_dataset(args.dataset)
    if args.limit:
        questions = questions[:args.limit]
    with tempfile.TemporaryDirectory(prefix="korag-eval-") as home:
        base = Settings()
        settings = Settings(home=Path(home), kb="eval", embedder=base.embedder, reranker=base.reranker,
                            embedder_device=base.embedder_device, allow_downloads=base.allow_downloads)
        for line in run_benchmark(corpus, questions, settings, args.mode, args.lexical_weight):
            print(line, flush=True)


if __name__ == "__main__":
    main()
