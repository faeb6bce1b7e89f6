"""Dense vectors keyed by chunk id: a FAISS IndexIDMap2 over inner-product, exact while small, HNSW past a threshold.

The CPU index is the source of truth (add, remove, save); with faiss-gpu, unfiltered searches
of a flat index run on a GPU copy.
"""
from __future__ import annotations

import logging
import os
import tempfile
import time
from pathlib import Path

import faiss
import numpy as np

from rag.errors import RetrievalError

log = logging.getLogger(__name__)

HNSW_M = 32
EF_SEARCH = 128
# A filter letting through less than this fraction of the index is scanned exactly: HNSW walks
# the graph for neighbours it may not return, and can run out of candidates before finding k.
# Measured crossover on 100k x 384 (2 cores): 1% 0.9 vs 1.8 ms, 5% 3.0 vs 2.9 ms, 20% 11 vs 6.6 ms.
EXACT_BELOW = 0.05
# HNSW cannot delete: removed vectors become tombstones (their id-map entry is set to DEAD, which
# every search's ID selector excludes) and stay in the graph until this fraction triggers a rebuild.
COMPACT_ABOVE = 0.25
DEAD = -1
_ANY_LIVE = (0, np.iinfo(np.int64).max)  # IDSelectorRange over every real chunk id (they are >= 0)


_gpu_resources = None  # one StandardGpuResources per process: each one reserves its own scratch memory


def gpu_available() -> bool:
    """True when this faiss build has GPU support and sees at least one GPU."""
    return hasattr(faiss, "StandardGpuResources") and faiss.get_num_gpus() > 0


def _flat_storage(index: faiss.IndexIDMap2) -> faiss.IndexFlat:
    inner = faiss.downcast_index(index.index)
    return inner if isinstance(inner, faiss.IndexFlat) else faiss.downcast_index(inner.storage)


class VectorIndex:
    """Chunk id → vector, searched by inner product (cosine for L2-normalised vectors).

    Not thread-safe: searching while another thread adds or removes returns wrong ids (measured:
    filtered searches leaked excluded ids, or raised IndexError), so writers change a `copy()` and
    publish it (`DenseStore.index_for_update`, then `save`).
    """

    def __init__(self, dim: int, hnsw_threshold: int = 200_000, use_gpu: bool | str = "auto") -> None:
        if use_gpu not in (True, False, "auto"):
            raise ValueError(f"use_gpu must be True, False or 'auto', got {use_gpu!r}")
        if use_gpu is True and not gpu_available():
            raise RetrievalError("use_gpu=True but faiss sees no GPU: install faiss-gpu-cu12 or use 'auto'")
        self.dim = int(dim)
        self.hnsw_threshold = int(hnsw_threshold)
        self._use_gpu = use_gpu is True or (use_gpu == "auto" and gpu_available())
        self._gpu_index = None
        self._set_index(self._new_index(hnsw=False))

    # ---- state -------------------------------------------------------------------------------

    def _new_index(self, hnsw: bool) -> faiss.IndexIDMap2:
        if hnsw:
            inner = faiss.IndexHNSWFlat(self.dim, HNSW_M, faiss.METRIC_INNER_PRODUCT)
            inner.hnsw.efSearch = EF_SEARCH
        else:
            inner = faiss.IndexFlatIP(self.dim)
        return faiss.IndexIDMap2(inner)

    def _set_index(self, index: faiss.IndexIDMap2) -> None:
        self._index = index
        self._refresh()

    def _refresh(self) -> None:
        """Re-read the id map after a change; drop the stale GPU copy."""
        self._pos_ids = faiss.vector_to_array(self._index.id_map).astype(np.int64, copy=False)  # position → chunk id
        live = self._pos_ids[self._pos_ids != DEAD]
        self._sorted_ids = np.sort(live)
        self._dead = self._pos_ids.size - live.size
        self._gpu_index = None

    @property
    def kind(self) -> str:
        """"flat" (exact) or "hnsw" (approximate)."""
        return "hnsw" if isinstance(faiss.downcast_index(self._index.index), faiss.IndexHNSW) else "flat"

    def __len__(self) -> int:
        return int(self._sorted_ids.size)

    def ids(self) -> np.ndarray:
        """The chunk ids in the index, ascending."""
        return self._sorted_ids.copy()

    def _present(self, ids: np.ndarray) -> np.ndarray:
        """The subset of `ids` (unique, ascending) that is in the index."""
        ids = np.unique(np.asarray(ids, dtype=np.int64).ravel())
        if ids.size == 0 or self._sorted_ids.size == 0:
            return ids[:0]
        at = np.minimum(np.searchsorted(self._sorted_ids, ids), self._sorted_ids.size - 1)
        return ids[self._sorted_ids[at] == ids]

    # ---- writes ------------------------------------------------------------------------------

    def copy(self) -> VectorIndex:
        """An independent copy (vectors, ids, tombstones): change it while readers search this one."""
        twin = VectorIndex(self.dim, hnsw_threshold=self.hnsw_threshold, use_gpu=self._use_gpu)
        twin._set_index(faiss.clone_index(self._index))
        return twin

    def add(self, ids: np.ndarray, vectors: np.ndarray) -> None:
        """Add vectors under chunk ids; an id already present is replaced."""
        ids = np.asarray(ids, dtype=np.int64).ravel()
        vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        if vectors.ndim != 2 or vectors.shape[1] != self.dim:
            raise ValueError(f"vectors must have shape (n, {self.dim}), got {vectors.shape}")
        if vectors.shape[0] != ids.size:
            raise ValueError(f"{ids.size} ids for {vectors.shape[0]} vectors")
        if ids.size == 0:
            return
        if ids.min() < 0:
            raise ValueError("chunk ids must be >= 0")
        if np.unique(ids).size != ids.size:
            raise ValueError("duplicate chunk ids in one add")
        self.remove(ids)
        self._index.add_with_ids(vectors, ids)
        self._refresh()
        if self.kind == "flat" and len(self) > self.hnsw_threshold:
            self._rebuild()

    def remove(self, ids) -> int:
        """Remove chunk ids (absent ones are ignored); returns how many were removed."""
        present = self._present(ids)
        if present.size == 0:
            return 0
        if self.kind == "flat":
            removed = int(self._index.remove_ids(faiss.IDSelectorBatch(present)))
            self._refresh()
            return removed
        positions = np.flatnonzero(np.isin(self._pos_ids, present))
        self._pos_ids[positions] = DEAD
        faiss.copy_array_to_vector(self._pos_ids, self._index.id_map)
        self._index.construct_rev_map()
        self._refresh()
        if self._dead > COMPACT_ABOVE * self._pos_ids.size:
            self._rebuild()
        return int(positions.size)

    def _rebuild(self) -> None:
        """Rebuild from the stored vectors without tombstones: HNSW past the threshold, flat below.

        Cost: one HNSW construction over all live vectors (measured 28 s for 100k x 384 on 2 cores,
        so about a minute at the default threshold); it happens on crossing the threshold and when
        tombstones pass COMPACT_ABOVE, never on an ordinary remove.
        """
        started = time.perf_counter()
        n = self._pos_ids.size
        stored = faiss.rev_swig_ptr(_flat_storage(self._index).get_xb(), n * self.dim).reshape(n, self.dim)
        live = self._pos_ids != DEAD
        vectors = np.ascontiguousarray(stored[live])  # a copy: `stored` dies with the old index
        ids = self._pos_ids[live]
        index = self._new_index(hnsw=ids.size > self.hnsw_threshold)
        index.add_with_ids(vectors, ids)
        self._set_index(index)
        log.info("vector index rebuilt as %s: %d vectors, %d tombstones dropped, %.1f s",
                 self.kind, ids.size, n - ids.size, time.perf_counter() - started)

    # ---- search ------------------------------------------------------------------------------

    def search(self, query: np.ndarray, k: int, allowed: np.ndarray | None = None) -> list[tuple[int, float]]:
        """The k nearest chunk ids with inner-product scores, best first.

        `allowed` restricts the search to those chunk ids, inside FAISS (an ID selector), so k hits
        come back whenever k allowed ids are in the index.
        """
        q = np.ascontiguousarray(query, dtype=np.float32).reshape(1, -1)
        if q.shape[1] != self.dim:
            raise ValueError(f"query has dimension {q.shape[1]}, index has {self.dim}")
        if allowed is not None:
            allowed = self._present(allowed)
            sel = faiss.IDSelectorBatch(allowed) if allowed.size else None
            k = min(k, allowed.size)
        else:
            sel = faiss.IDSelectorRange(*_ANY_LIVE) if self._dead else None
            k = min(k, len(self))
        if k <= 0:
            return []
        if self.kind == "hnsw":
            scores, labels = self._search_hnsw(q, k, sel, allowed)
        elif sel is None and self._use_gpu:
            scores, labels = self._search_gpu(q, k)
        else:
            params = faiss.SearchParameters(sel=sel) if sel is not None else None
            scores, labels = self._index.search(q, k, params=params)
        return [(int(i), float(s)) for s, i in zip(scores[0], labels[0]) if i != -1]

    def _search_hnsw(self, q, k, sel, allowed):
        if allowed is not None and allowed.size < EXACT_BELOW * len(self):
            return self._search_exact(q, k, sel)
        params = faiss.SearchParametersHNSW(sel=sel, efSearch=max(EF_SEARCH, k))
        scores, labels = self._index.search(q, k, params=params)
        if np.count_nonzero(labels[0] != -1) < k:  # the graph walk ran out of candidates that pass the filter
            return self._search_exact(q, k, sel)
        return scores, labels

    def _search_exact(self, q, k, sel):
        """Brute force over the HNSW index's flat storage, with the filter translated to positions."""
        translated = faiss.IDSelectorTranslated(self._index.id_map, sel) if sel is not None else None
        params = faiss.SearchParameters(sel=translated) if translated is not None else None
        scores, positions = _flat_storage(self._index).search(q, k, params=params)
        labels = np.where(positions >= 0, self._pos_ids[np.maximum(positions, 0)], -1)
        return scores, labels

    def _search_gpu(self, q, k):
        # Only unfiltered searches come here: GPU flat indexes silently ignore IDSelectors
        # (https://github.com/facebookresearch/faiss/issues/3924), so filtered ones stay on CPU.
        global _gpu_resources
        if self._gpu_index is None:  # dropped by every write; re-copied on the next search
            if _gpu_resources is None:
                _gpu_resources = faiss.StandardGpuResources()
            self._gpu_index = faiss.index_cpu_to_gpu(_gpu_resources, 0, self._index)
        return self._gpu_index.search(q, k)

    # ---- disk --------------------------------------------------------------------------------

    def save(self, path: Path) -> None:
        """Write the index atomically: a temp file in the same directory, fsync, then os.replace."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        os.close(fd)
        try:
            try:
                faiss.write_index(self._index, tmp)
            except RuntimeError as err:  # FAISS reports a failed write (disk full) as a RuntimeError
                raise OSError(f"could not write the vector index {path}: {err}") from err
            with open(tmp, "rb") as written:
                os.fsync(written.fileno())
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    @classmethod
    def load(cls, path: Path, hnsw_threshold: int = 200_000, use_gpu: bool | str = "auto") -> VectorIndex:
        """Read an index written by `save` (tombstones included)."""
        path = Path(path)
        if not path.is_file():
            raise FileNotFoundError(f"no vector index at {path}")
        try:
            index = faiss.read_index(str(path))
        except RuntimeError as err:
            raise RetrievalError(f"{path} is not a readable FAISS index: {err}") from err
        inner = faiss.downcast_index(index.index) if isinstance(index, faiss.IndexIDMap2) else None
        if inner is None or inner.metric_type != faiss.METRIC_INNER_PRODUCT:
            raise RetrievalError(f"{path} is not a korag vector index (IndexIDMap2 over inner product)")
        if isinstance(inner, faiss.IndexHNSW):
            inner.hnsw.efSearch = EF_SEARCH
        vi = cls(index.d, hnsw_threshold=hnsw_threshold, use_gpu=use_gpu)
        vi._set_index(index)
        return vi
