"""Does lowering forms, annexes and notes (chunk kinds, issue 15) help retrieval? Two-fold cross-validation.

    python bench/kind_ranking.py [DATASET_DIR] [--mode lexical|hybrid] [--penalty P ...] [--limit N]

Builds a KB from DATASET_DIR (autorag_ko format; default ../shared/data/autorag_ko) through the real
ingestion path, counts chunk kinds, then scores every penalty on both halves of the questions (even
and odd positions). The penalty picked on one half is reported on the other, so the figure that decides
`Retriever(kind_penalty=…)` (0, off, by default) was not measured on the questions it was chosen with.
"""
from __future__ import annotations

import argparse
import sys
import tempfile
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from agents.evaluate import build_kb, evaluate, load_dataset  # noqa: E402
from rag.retrieve import Retriever, embedder_for  # noqa: E402
from rag.settings import Settings  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("dataset", nargs="?", type=Path, default=REPO.parent / "shared" / "data" / "autorag_ko")
    parser.add_argument("--mode", default="lexical", choices=["lexical", "hybrid"])
    parser.add_argument("--penalty", type=float, action="append", help="repeatable; default 0 0.1 0.2 0.3 0.5 1")
    parser.add_argument("--limit", type=int, default=0, help="only the first N questions")
    args = parser.parse_args()
    penalties = args.penalty or [0.0, 0.1, 0.2, 0.3, 0.5, 1.0]
    corpus, questions = load_dataset(args.dataset)
    questions = questions[:args.limit] if args.limit else questions
    halves = {"A": questions[0::2], "B": questions[1::2]}
    with tempfile.TemporaryDirectory(prefix="korag-kinds-") as home:
        base = Settings()
        settings = Settings(home=Path(home), kb="kinds", embedder=base.embedder if args.mode == "hybrid" else "none",
                            embedder_device=base.embedder_device, allow_downloads=base.allow_downloads)
        kb, seconds = build_kb(corpus, settings)
        kinds = Counter(kb.store.db.execute("SELECT kind FROM chunks").fetchall())
        print(f"{args.dataset.name}: {len(corpus)} entries, built in {seconds:.0f} s; chunk kinds "
              + ", ".join(f"{k[0]} {n}" for k, n in kinds.most_common()), flush=True)
        embedder = embedder_for(settings) if args.mode == "hybrid" else None
        if embedder is not None:
            kb.embed_pending(embedder)
        table: dict[tuple[str, float], float] = {}
        for penalty in penalties:
            retriever = Retriever(kb, embedder, None, kind_penalty=penalty)
            for half, qs in halves.items():
                report = evaluate(qs, lambda q: retriever.search(q, 10, args.mode), f"{half} p={penalty}")  # noqa: B023
                table[(half, penalty)] = report.overall.ndcg10
                print(f"  {half} (n={len(qs)}) penalty {penalty:.2f}: nDCG@10 {report.overall.ndcg10:.4f}  "
                      f"hit@1 {report.overall.hit1:.3f}  MRR@10 {report.overall.mrr10:.4f}", flush=True)
        for tuned, held in (("A", "B"), ("B", "A")):
            best = max(penalties, key=lambda p: (table[(tuned, p)], -p))
            print(f"tuned on {tuned}: penalty {best:.2f} (nDCG@10 {table[(tuned, best)]:.4f} there, tuned set); "
                  f"on {held} (held out): {table[(held, best)]:.4f} vs {table[(held, 0.0)]:.4f} at 0", flush=True)


if __name__ == "__main__":
    main()
