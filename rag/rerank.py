"""An optional cross-encoder reranker over the fused top-k (sentence-transformers CrossEncoder).

Configured by model path or name (`KORAG_RERANKER`), e.g. a Korean reranker such as
dragonkue/bge-reranker-v2-m3-ko on a GPU. Off by default: on CPU a cross-encoder over 20
passages costs seconds per query.
"""
from __future__ import annotations

import dataclasses
from collections.abc import Sequence

from rag.embed import EmbedderUnavailable
from rag.kb import SearchHit


class CrossEncoderReranker:
    """Re-scores (query, passage) pairs jointly; returns hits best first with the new scores."""

    def __init__(self, model: str, device: str | None = None, batch_size: int = 16, allow_download: bool = False) -> None:
        try:  # optional extra: korag[gpu]
            import torch
            from sentence_transformers import CrossEncoder
        except ImportError as err:
            raise EmbedderUnavailable(f"reranker {model} needs sentence-transformers and torch: pip install 'korag[gpu]'") \
                from err
        self.device = device or ("cuda" if torch.cuda.is_available() else "cpu")
        try:
            self._model = CrossEncoder(model, device=self.device, local_files_only=not allow_download)
        except OSError as err:
            raise EmbedderUnavailable(f"cannot load reranker {model!r}: {err}") from err
        self.name = model
        self.batch_size = batch_size

    def rerank(self, query: str, hits: Sequence[SearchHit]) -> list[SearchHit]:
        if not hits:
            return []
        scores = self._model.predict([(query, h.chunk.text) for h in hits], batch_size=self.batch_size,
                                     show_progress_bar=False)
        order = sorted(range(len(hits)), key=lambda i: -float(scores[i]))
        return [dataclasses.replace(hits[i], score=float(scores[i])) for i in order]
