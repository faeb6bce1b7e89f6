"""A batch ingested in a process whose files cannot grow past a size, as on a full disk.

    python -m tests.hostile.full_disk HOME FOLDER MAX_FILE_BYTES

RLIMIT_FSIZE (SIGXFSZ ignored) makes every write past the limit fail with EFBIG in SQLite and the
file store alike, with no root and no tmpfs; it is set after the KB exists and Kiwi is warm, so only
the batch's own writes meet it. One JSON line per file result on stdout.
"""
from __future__ import annotations

import json
import resource
import signal
import sys
from pathlib import Path


def main(home: str, folder: str, limit: int) -> None:
    from ingest.pipeline import Ingestor
    from rag.kb import KnowledgeBase
    from rag.settings import Settings

    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    settings = Settings(home=Path(home), kb="batch", embedder="none")
    kb = KnowledgeBase.open(settings, create=True)
    ingestor = Ingestor(kb, settings)
    ingestor.splitter.kiwi.tokenize("")  # warm before the limit: Kiwi writes nothing, but be sure
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, resource.getrlimit(resource.RLIMIT_FSIZE)[1]))
    for result in ingestor.ingest_paths([folder]):
        print(json.dumps({"name": result.name, "status": result.status, "error": result.error},
                         ensure_ascii=False), flush=True)
    try:
        kb.close()
    except Exception as err:  # noqa: BLE001 - a checkpoint under the limit may fail; the next open recovers
        print(f"close: {err}", file=sys.stderr)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], int(sys.argv[3]))
