"""Contract tests for rag.vectors.VectorIndex: one suite run against flat, HNSW and GPU configurations."""
from __future__ import annotations

import numpy as np
import pytest

from rag.errors import RetrievalError
from rag.vectors import VectorIndex, gpu_available

DIM = 64
N = 1000


def unit_vectors(rng: np.random.Generator, n: int, dim: int = DIM) -> np.ndarray:
    x = rng.standard_normal((n, dim)).astype(np.float32)
    return x / np.linalg.norm(x, axis=1, keepdims=True)


def chunk_ids(rng: np.random.Generator, n: int) -> np.ndarray:
    """Arbitrary, sparse int64 chunk ids (not 0..n-1)."""
    return rng.choice(2**62, size=n, replace=False).astype(np.int64) + 1_000


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(20240611)


class VectorIndexContract:
    """What every VectorIndex configuration must do (haystack-style DocumentStoreBaseTests)."""

    exact = True  # approximate configurations are held to a recall floor instead of exact top-k

    def make(self) -> VectorIndex:
        raise NotImplementedError

    def reload(self, path) -> VectorIndex:
        raise NotImplementedError

    @pytest.fixture
    def filled(self, rng):
        index = self.make()
        ids, vectors = chunk_ids(rng, N), unit_vectors(rng, N)
        index.add(ids[:400], vectors[:400])  # two batches: adds accumulate
        index.add(ids[400:], vectors[400:])
        return index, ids, vectors

    def test_own_vector_is_found_first(self, filled):
        index, ids, vectors = filled
        assert len(index) == N
        for i in range(0, N, 50):
            hits = index.search(vectors[i], 5)
            assert hits[0][0] == ids[i]
            assert hits[0][1] == pytest.approx(1.0, abs=1e-5)

    def test_scores_are_inner_products_best_first(self, filled, rng):
        index, ids, vectors = filled
        query = unit_vectors(rng, 1)[0]
        hits = index.search(query, 10)
        assert len(hits) == 10
        by_id = dict(zip(ids.tolist(), vectors @ query))
        scores = [score for _, score in hits]
        assert scores == sorted(scores, reverse=True)
        for chunk_id, score in hits:
            assert score == pytest.approx(float(by_id[chunk_id]), abs=1e-5)
        truth = ids[np.argsort(-(vectors @ query))[:10]]
        found = {chunk_id for chunk_id, _ in hits}
        assert len(found & set(truth.tolist())) >= (10 if self.exact else 8)

    def test_removed_id_is_unfindable(self, filled):
        index, ids, vectors = filled
        gone = ids[:10]
        assert index.remove(gone) == 10
        assert index.remove(gone) == 0
        assert len(index) == N - 10
        assert not np.isin(gone, index.ids()).any()
        for i in range(10):
            assert ids[i] not in {chunk_id for chunk_id, _ in index.search(vectors[i], 20)}
        assert index.search(vectors[10], 1)[0][0] == ids[10]

    def test_add_replaces_an_existing_id(self, filled, rng):
        index, ids, vectors = filled
        fresh = unit_vectors(rng, 1)
        index.add(ids[:1], fresh)
        assert len(index) == N
        assert index.search(fresh[0], 1)[0] == (ids[0], pytest.approx(1.0, abs=1e-5))
        old_hits = dict(index.search(vectors[0], 50))
        assert old_hits.get(int(ids[0]), -1.0) < 0.9  # the old vector is gone with its id

    def test_removed_id_can_come_back(self, filled):
        index, ids, vectors = filled
        index.remove(ids[:5])
        index.add(ids[:5], vectors[:5])
        assert len(index) == N
        assert index.search(vectors[3], 1)[0][0] == ids[3]

    def test_save_load_round_trips_ids_and_scores(self, filled, rng, tmp_path):
        index, ids, vectors = filled
        index.remove(ids[:7])
        path = tmp_path / "kb" / "vectors.faiss"
        index.save(path)
        index.save(path)  # overwriting is the normal case
        assert [p.name for p in path.parent.iterdir()] == ["vectors.faiss"]  # no temp file left
        loaded = self.reload(path)
        assert loaded.kind == index.kind
        np.testing.assert_array_equal(loaded.ids(), np.sort(ids[7:]))
        for query in unit_vectors(rng, 5):
            before, after = index.search(query, 10), loaded.search(query, 10)
            assert [i for i, _ in after] == [i for i, _ in before]
            np.testing.assert_allclose([s for _, s in after], [s for _, s in before], atol=1e-6)

    def test_filtered_search_returns_only_allowed(self, filled, rng):
        index, ids, vectors = filled
        allowed = rng.choice(ids, size=N // 2, replace=False)
        query = unit_vectors(rng, 1)[0]
        hits = index.search(query, 10, allowed=allowed)
        assert len(hits) == 10
        assert set(i for i, _ in hits) <= set(allowed.tolist())

    @pytest.mark.parametrize("kept", [N // 20, N // 50])  # 95% and 98% excluded (HNSW: graph walk, exact scan)
    def test_filtered_search_returns_k_when_95_percent_excluded(self, filled, rng, kept):
        index, ids, vectors = filled
        keep = rng.choice(N, size=kept, replace=False)
        allowed = ids[keep]
        for query in unit_vectors(rng, 5):
            hits = index.search(query, 10, allowed=allowed)
            assert len(hits) == 10
            assert set(i for i, _ in hits) <= set(allowed.tolist())
            best = allowed[np.argmax(vectors[keep] @ query)]
            assert hits[0][0] == best

    def test_filter_smaller_than_k_returns_what_exists(self, filled):
        index, ids, vectors = filled
        allowed = np.array([ids[1], ids[2], 42, 43], dtype=np.int64)  # 42, 43 are not in the index
        hits = index.search(vectors[1], 10, allowed=allowed)
        assert [i for i, _ in hits] == [ids[1], ids[2]]
        assert index.search(vectors[1], 10, allowed=np.array([], dtype=np.int64)) == []
        assert index.search(vectors[1], 10, allowed=np.array([42], dtype=np.int64)) == []

    def test_ids_are_chunk_ids(self, rng):
        index = self.make()
        odd_ids = np.array([7, 10**12, 2**62, 123_456_789], dtype=np.int64)
        vectors = unit_vectors(rng, 4)
        index.add(odd_ids, vectors)
        np.testing.assert_array_equal(index.ids(), np.sort(odd_ids))
        for chunk_id, vector in zip(odd_ids, vectors):
            assert index.search(vector, 1)[0][0] == chunk_id

    def test_empty_index_search_returns_nothing(self, rng):
        index = self.make()
        query = unit_vectors(rng, 1)[0]
        assert len(index) == 0
        assert index.search(query, 5) == []
        assert index.search(query, 5, allowed=np.array([1, 2], dtype=np.int64)) == []
        index.add(np.array([5], dtype=np.int64), query[None, :])
        index.remove([5])
        assert index.search(query, 5) == []

    def test_rejects_bad_input(self, rng):
        index = self.make()
        with pytest.raises(ValueError):
            index.add(np.array([1], dtype=np.int64), unit_vectors(rng, 1, DIM + 1))
        with pytest.raises(ValueError):
            index.add(np.array([-3], dtype=np.int64), unit_vectors(rng, 1))
        with pytest.raises(ValueError):
            index.add(np.array([1, 1], dtype=np.int64), unit_vectors(rng, 2))
        with pytest.raises(ValueError):
            index.search(unit_vectors(rng, 1, DIM + 1)[0], 3)


class TestFlatIndex(VectorIndexContract):
    def make(self) -> VectorIndex:
        return VectorIndex(DIM, use_gpu=False)

    def reload(self, path) -> VectorIndex:
        return VectorIndex.load(path, use_gpu=False)

    def test_stays_flat_below_threshold(self, filled):
        assert filled[0].kind == "flat"


class TestHNSWIndex(VectorIndexContract):
    exact = False

    def make(self) -> VectorIndex:
        return VectorIndex(DIM, hnsw_threshold=50, use_gpu=False)

    def reload(self, path) -> VectorIndex:
        return VectorIndex.load(path, hnsw_threshold=50, use_gpu=False)

    def test_switches_to_hnsw_past_threshold_and_keeps_vectors(self, rng):
        index = self.make()
        ids, vectors = chunk_ids(rng, 80), unit_vectors(rng, 80)
        index.add(ids[:50], vectors[:50])
        assert index.kind == "flat"
        index.add(ids[50:], vectors[50:])
        assert index.kind == "hnsw"
        assert len(index) == 80
        for i in (0, 25, 49, 79):
            assert index.search(vectors[i], 1)[0] == (ids[i], pytest.approx(1.0, abs=1e-5))

    def test_tombstones_survive_save_and_compaction_goes_back_to_flat(self, filled, tmp_path):
        index, ids, vectors = filled
        index.remove(ids[:100])  # 10% tombstones: stays HNSW, no rebuild
        assert index.kind == "hnsw"
        index.save(tmp_path / "v.faiss")
        loaded = self.reload(tmp_path / "v.faiss")
        assert len(loaded) == N - 100
        assert ids[0] not in {i for i, _ in loaded.search(vectors[0], 20)}
        loaded.remove(ids[100:960])  # 40 live vectors, below the threshold of 50
        assert loaded.kind == "flat"
        np.testing.assert_array_equal(loaded.ids(), np.sort(ids[960:]))
        assert loaded.search(vectors[970], 1)[0][0] == ids[970]


@pytest.mark.gpu
class TestGPUIndex(VectorIndexContract):
    @pytest.fixture(autouse=True)
    def _needs_gpu(self):
        if not gpu_available():
            pytest.skip("faiss sees no GPU (faiss-cpu build or no CUDA device)")

    def make(self) -> VectorIndex:
        return VectorIndex(DIM, use_gpu=True)

    def reload(self, path) -> VectorIndex:
        return VectorIndex.load(path, use_gpu=True)

    def test_unfiltered_search_runs_on_the_gpu_copy(self, filled):
        index, ids, vectors = filled
        assert index.search(vectors[0], 1)[0][0] == ids[0]
        assert index._gpu_index is not None
        index.remove(ids[:1])  # a write drops the copy; the next search re-copies it
        assert ids[0] not in {i for i, _ in index.search(vectors[0], 5)}


def test_use_gpu_true_without_a_gpu_is_an_error():
    if gpu_available():
        pytest.skip("this machine has a GPU")
    with pytest.raises(RetrievalError, match="no GPU"):
        VectorIndex(DIM, use_gpu=True)


def test_load_rejects_a_missing_or_foreign_file(tmp_path):
    with pytest.raises(FileNotFoundError):
        VectorIndex.load(tmp_path / "absent.faiss")
    (tmp_path / "junk.faiss").write_bytes(b"not a faiss index")
    with pytest.raises(RetrievalError):
        VectorIndex.load(tmp_path / "junk.faiss")
