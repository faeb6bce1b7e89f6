"""BM25 over Kiwi content morphemes and noun pairs (bm25s), persisted under <kb>/lexical/.

bm25s indexes are immutable, so the index is rebuilt from kb.sqlite after writes and published
atomically: each build is a new `gen-N` directory and `CURRENT` names the live one.
"""
from __future__ import annotations

import json
import logging
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

import bm25s
import numpy as np

log = logging.getLogger(__name__)

BM25_PARAMS = {"k1": 0.9, "b": 0.75}
# A saved index with other values is rebuilt. New chunk terms need no entry here: re-tokenizing
# is a write to kb.sqlite, so the saved index's generation is behind and it is rebuilt anyway.
FORMAT = {"bm25": BM25_PARAMS}


@dataclass(frozen=True)
class LexicalHit:
    chunk_id: int
    score: float


class LexicalIndex:
    """A BM25 index whose rows are chunk ids."""

    def __init__(self, retriever: bm25s.BM25 | None, chunk_ids: np.ndarray, generation: int) -> None:
        self.retriever = retriever
        self.chunk_ids = chunk_ids
        self.generation = generation
        self._vocab = retriever.vocab_dict if retriever is not None else {}

    @classmethod
    def build(cls, chunk_ids: list[int], terms: list[list[str]], generation: int) -> LexicalIndex:
        if not chunk_ids:
            return cls(None, np.zeros(0, dtype=np.int64), generation)
        # k1=0.9 (Anserini's default) beat bm25s' 1.5 on autorag_ko: nDCG@10 0.942 vs 0.941
        # alone, 0.954 vs 0.947 fused (bench/retrieval.py); short Korean chunks saturate early.
        retriever = bm25s.BM25(**BM25_PARAMS)
        retriever.index(terms, show_progress=False)
        return cls(retriever, np.asarray(chunk_ids, dtype=np.int64), generation)

    def __len__(self) -> int:
        return len(self.chunk_ids)

    def scores(self, query_terms: list[str]) -> np.ndarray:
        """BM25 score of every row (zeros for terms the index has never seen)."""
        terms = [t for t in query_terms if t in self._vocab]
        if self.retriever is None or not terms:
            return np.zeros(len(self.chunk_ids), dtype=np.float32)
        return self.retriever.get_scores(terms)

    def idf(self, terms: list[str]) -> dict[str, float]:
        """BM25's (Lucene) idf of each term over every chunk of the KB; a term no chunk holds gets the highest.

        The extractive answerer weighs a question's words with it (agents/support.py): idf over the few
        retrieved passages alone cannot tell a rare name from a word every passage shares by chance."""
        n = len(self.chunk_ids)
        indptr = self.retriever.scores["indptr"] if self.retriever is not None else None
        out = {}
        for term in terms:
            row = self._vocab.get(term)
            df = int(indptr[row + 1] - indptr[row]) if row is not None and indptr is not None else 0
            out[term] = float(np.log(1 + (n - df + 0.5) / (df + 0.5)))
        return out

    def holds(self, terms: list[str]) -> set[str]:
        """The terms at least one chunk of the KB holds (the others get the highest `idf`)."""
        return {t for t in terms if t in self._vocab}

    def search(self, query_terms: list[str], k: int = 10, mask: np.ndarray | None = None) -> list[LexicalHit]:
        """Top-k chunks for the query's morphemes; `mask` (0/1 per row) restricts candidates."""
        terms = [t for t in query_terms if t in self._vocab]
        if self.retriever is None or not terms or k <= 0:
            return []
        scores = self.retriever.get_scores(terms)
        if mask is not None:
            scores = scores * mask
        k = min(k, len(scores))
        top = np.argpartition(-scores, k - 1)[:k]
        top = top[np.argsort(-scores[top], kind="stable")]
        return [LexicalHit(int(self.chunk_ids[i]), float(scores[i])) for i in top if scores[i] > 0]

    # -- persistence -----------------------------------------------------------------------------
    def save(self, root: Path) -> None:
        """Write as a new generation directory, then switch CURRENT to it (atomic rename).

        Every file is fsynced before the renames, and a failed write (disk full) leaves no staging
        files behind: CURRENT keeps naming the last complete generation.
        """
        root.mkdir(parents=True, exist_ok=True)
        target = root / f"gen-{self.generation}"
        staging = root / f".gen-{self.generation}.{os.getpid()}.tmp"
        pointer = root / f".CURRENT.{os.getpid()}.tmp"
        shutil.rmtree(staging, ignore_errors=True)
        try:
            staging.mkdir()
            np.save(staging / "chunk_ids.npy", self.chunk_ids)
            (staging / "format.json").write_text(json.dumps(FORMAT))
            if self.retriever is not None:
                self.retriever.save(str(staging / "bm25"), show_progress=False)
            _fsync_tree(staging)
            shutil.rmtree(target, ignore_errors=True)
            os.replace(staging, target)
            pointer.write_text(target.name)
            _fsync_tree(pointer)
            os.replace(pointer, root / "CURRENT")
            _fsync_tree(root, files=False)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            pointer.unlink(missing_ok=True)
            raise
        for old in root.glob("gen-*"):
            if old.name != target.name:
                shutil.rmtree(old, ignore_errors=True)

    @classmethod
    def load(cls, root: Path) -> LexicalIndex | None:
        """The live generation, or None when there is none (or it was removed under us)."""
        try:
            name = (root / "CURRENT").read_text().strip()
            path = root / name
            if json.loads((path / "format.json").read_text()) != FORMAT:
                log.info("lexical index under %s was built with other parameters: rebuilding", root)
                return None
            chunk_ids = np.load(path / "chunk_ids.npy")
            retriever = bm25s.BM25.load(str(path / "bm25"), mmap=False) if len(chunk_ids) else None
        except (ValueError, OSError, EOFError, KeyError) as err:  # EOFError: np.load of a truncated file
            log.debug("no usable lexical index under %s: %s", root, err)
            return None
        return cls(retriever, chunk_ids, int(name.removeprefix("gen-")))


def _fsync_tree(path: Path, files: bool = True) -> None:
    """fsync a file, or a directory (with its files, recursively, unless `files` is False)."""
    if files and path.is_dir():
        for child in path.iterdir():
            _fsync_tree(child)
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
