"""The dense half of a knowledge base: <kb>/vectors.faiss, filled in after parsing.

On CPU, embedding costs ~100× more than Kiwi + BM25, so a document is searchable lexically as
soon as it is stored and its vectors are added later (`embed_pending`), in batches that are
each saved, so an interrupted run loses at most one batch. The embedder's name and dimension
are stored in kb.sqlite: opening the KB with another embedder is an error, never silent garbage.
"""
from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable
from pathlib import Path

import numpy as np

from rag.embed import Embedder
from rag.errors import RetrievalError
from rag.vectors import VectorIndex

log = logging.getLogger(__name__)


class EmbedderMismatch(RetrievalError):
    """The KB's vectors were made by another embedder than the one configured."""


class DenseStore:
    """Loads, extends and prunes a KB's vector index; readers reload when the file changes."""

    def __init__(self, path: Path, hnsw_threshold: int = 200_000) -> None:
        self.path = path
        self.hnsw_threshold = hnsw_threshold
        self._index: VectorIndex | None = None
        self._stamp: tuple[int, int] | None = None
        self._lock = threading.Lock()

    def _file_stamp(self) -> tuple[int, int] | None:
        try:
            stat = self.path.stat()
        except FileNotFoundError:
            return None
        return stat.st_mtime_ns, stat.st_size

    def index(self) -> VectorIndex | None:
        """The saved index, reloaded only when the file was replaced."""
        with self._lock:
            stamp = self._file_stamp()
            if stamp is None:
                self._index, self._stamp = None, None
            elif stamp != self._stamp:
                self._index = VectorIndex.load(self.path, hnsw_threshold=self.hnsw_threshold)
                self._stamp = stamp
            return self._index

    def index_for_update(self) -> VectorIndex | None:
        """A private copy of the saved index for a writer to change, then `save`.

        Searches in this process keep using the published index meanwhile (FAISS indexes must not
        be searched while they change), and a save that fails (disk full) publishes nothing.
        """
        current = self.index()
        return current.copy() if current is not None else None

    def save(self, index: VectorIndex) -> None:
        index.save(self.path)
        with self._lock:
            self._index, self._stamp = index, self._file_stamp()

    def drop(self) -> None:
        with self._lock:
            self.path.unlink(missing_ok=True)
            self._index, self._stamp = None, None


def check_embedder(meta: dict[str, str], embedder: Embedder) -> None:
    """Raise EmbedderMismatch when the KB was embedded with another model."""
    name, dim = meta.get("embedder"), meta.get("embedder_dim")
    if name and (name != embedder.name or int(dim or 0) != embedder.dim):
        raise EmbedderMismatch(
            f"this knowledge base was embedded with {name} ({dim} dims), not {embedder.name} ({embedder.dim}); "
            "set KORAG_EMBEDDER back, or re-embed it with `korag kb reembed`")


def embed_in_batches(texts_by_id: list[tuple[int, str]], embedder: Embedder, batch: int,
                     commit: Callable[[np.ndarray, np.ndarray], None],
                     on_progress: Callable[[int, int], None] | None = None) -> int:
    """Embed (chunk id, text) pairs batch by batch, handing each batch to `commit`."""
    done = 0
    for start in range(0, len(texts_by_id), batch):
        part = texts_by_id[start:start + batch]
        vectors = embedder.embed_passages([text for _, text in part])
        commit(np.asarray([i for i, _ in part], dtype=np.int64), vectors)
        done += len(part)
        if on_progress is not None:
            on_progress(done, len(texts_by_id))
    log.info("embedded %d chunks with %s (pid %d)", done, embedder.name, os.getpid())
    return done
