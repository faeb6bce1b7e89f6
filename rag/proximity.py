"""Term proximity: among the best candidates, a chunk whose question words sit close together ranks higher.

BM25 and the dense vector score a chunk as a bag: a page that mentions a question's names in three
different paragraphs ties with the page whose one sentence says what was asked. A question is mostly
answered by one sentence that holds most of its words, so the candidates are re-scored with the
idf-weighted share of the question's words found inside one window of `window` consecutive content
morphemes of the chunk (about a sentence), added to the fused score in units of the candidates'
spread. Pure arithmetic over the terms kb.sqlite already stores: no model, no re-tokenizing.
Chosen on the korquad_dev tune half (bench/proximity.py), reported on its report half and on autorag_ko
(docs/benchmarks.md, "Term proximity").
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace

import numpy as np

from rag.kb import SearchHit
from rag.morphemes import same_word


def window_share(query: Sequence[str], weights: Mapping[str, float], terms: Sequence[str], window: int) -> float:
    """The largest idf-weighted share of `query`'s terms that `window` consecutive `terms` hold together."""
    total = sum(weights.get(t, 0.0) for t in query)
    if total <= 0 or window < 1:
        return 0.0
    wanted = set(query)
    # noun pairs ("시중_은행") follow the content morphemes in a chunk's stored terms: not positions
    words = [t for t in terms if "_" not in t]
    events = [(i, q) for i, t in enumerate(words) for q in _matches(t, wanted)]
    best = 0.0
    counts: dict[str, int] = {}
    held = 0.0
    left = 0
    for position, term in events:
        counts[term] = counts.get(term, 0) + 1
        if counts[term] == 1:
            held += weights.get(term, 0.0)
        while position - events[left][0] >= window:
            old = events[left][1]
            counts[old] -= 1
            if not counts[old]:
                held -= weights.get(old, 0.0)
            left += 1
        best = max(best, held)
    return min(best / total, 1.0)


def _matches(term: str, wanted: set[str]) -> list[str]:
    """The query terms a chunk term stands for: itself, or one it contains or is contained by
    (`rag.morphemes.same_word`) — Kiwi keeps "고려대학교" whole where the question says "대학교"."""
    if term in wanted:
        return [term]
    return [q for q in wanted if same_word(q, term)]


def proximity_rerank(hits: list[SearchHit], query: Sequence[str], weights: Mapping[str, float], *,
                     weight: float, window: int, top: int) -> list[SearchHit]:
    """The first `top` hits re-ordered by score + `weight` × (score spread) × window share, which becomes their
    score (what the answerer reads the retriever's confidence from); the rest after, below them.

    In units of the candidates' spread, so BM25 scores and fused z-scores alike."""
    if weight <= 0 or len(hits) < 2 or not query:
        return hits
    head, tail = hits[:top], hits[top:]
    scores = np.asarray([h.score for h in head], dtype=np.float64)
    spread = float(scores.max() - scores.min()) or 1.0
    shares = np.asarray([window_share(query, weights, h.chunk.morphemes, window) for h in head])
    adjusted = scores + weight * spread * shares
    order = sorted(range(len(head)), key=lambda i: (-adjusted[i], i))
    return [replace(head[i], score=float(adjusted[i])) for i in order] + tail
