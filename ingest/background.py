"""The background embedder (no Redis): one process per KB fills in dense vectors after ingestion returns.

`start(settings, kb)` spawns `python -m ingest.background` in a session of its own, so it outlives the
CLI or the request that started it. A lock file (<kb>/.embed.lock) keeps it single: a second one
exits at once. It embeds until nothing is pending, then exits. Each batch is saved as it is done
(`KnowledgeBase.embed_pending`), so after a crash or a kill the next start resumes from what was saved.
With Redis, workers embed their own jobs' chunks (ingest/worker.py); this covers everything else.
"""
from __future__ import annotations

import logging
import os
import subprocess
import sys
import threading
import time

from filelock import Timeout

from rag.embed_state import embed_lock, running, write_state
from rag.settings import Settings

log = logging.getLogger(__name__)

LOG = "embed.log"


def start(settings: Settings, kb: str) -> bool:
    """Start the KB's background embedder unless one runs or dense vectors are off; True if started.

    The settings go to the child on its standard input (they may hold keys: not on a command line,
    not on disk). A child that finds the lock taken exits, so a race between two starters is harmless.
    """
    if settings.embedder == "none":
        return False
    path = settings.kb_path(kb)
    if running(path):
        return False
    with (path / LOG).open("ab") as out:
        child = subprocess.Popen(
            [sys.executable, "-m", "ingest.background", kb], stdin=subprocess.PIPE, stdout=out,
            stderr=subprocess.STDOUT, start_new_session=True,  # its own session: Ctrl-C and the CLI exiting spare it
            env={**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)})
    write_state(path, 0, 0, pid=child.pid, starting=True)  # `running` until it takes the lock (or exits)
    child.stdin.write(settings.model_dump_json().encode("utf-8"))
    child.stdin.close()
    # reap it when it exits, so a long-lived parent (the API, the portal) collects no zombies
    threading.Thread(target=child.wait, name=f"embedder-{kb}", daemon=True).start()
    log.info("started the background embedder of kb %s (pid %d)", kb, child.pid)
    return True


def run(settings: Settings, kb: str) -> int:
    """Embed the KB's pending chunks until none are left; returns how many were embedded."""
    from rag.kb import KnowledgeBase
    from rag.errors import RetrievalError
    from rag.retrieve import embedder_for

    knowledge = KnowledgeBase.open(settings, kb)
    lock = embed_lock(knowledge.path)
    embedder = None
    embedded = 0
    while True:
        try:
            lock.acquire(timeout=0)
        except Timeout:  # another embedder holds the KB: it keeps going until nothing is pending
            return embedded
        try:
            write_state(knowledge.path, 0, 0)  # no longer "starting": the lock says it runs
            embedder = embedder or embedder_for(settings)
            if embedder is None:
                return embedded
            pending = knowledge.pending_embeddings().size
            while pending:
                write_state(knowledge.path, 0, pending)
                done = knowledge.embed_pending(
                    embedder, lambda n, total: write_state(knowledge.path, n, total))
                embedded += done
                if done == 0:  # nothing left that can be embedded (chunks deleted meanwhile): do not spin
                    break
                pending = knowledge.pending_embeddings().size
        except (RetrievalError, OSError) as err:  # a mismatched embedder, a full disk: say so, stop
            log.warning("background embedding of kb %s stopped: %s", kb, err)
            write_state(knowledge.path, 0, 0, str(err))
            return embedded
        finally:
            lock.release()
        # Chunks stored after our last look and before the release were left to us by their writer
        # (it saw the lock held): look once more before exiting.
        if not knowledge.pending_embeddings().size:
            write_state(knowledge.path, 0, 0)
            return embedded


def main() -> None:
    """`python -m ingest.background KB`, settings as JSON on standard input (see `start`)."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    kb = sys.argv[1]
    settings = Settings.model_validate_json(sys.stdin.read())
    try:
        os.nice(10)  # behind searches and parsing on a busy machine: vectors are the part nobody waits for
    except OSError:
        pass
    started = time.perf_counter()
    done = run(settings, kb)
    log.info("background embedder of kb %s: %d chunks in %.1f s", kb, done, time.perf_counter() - started)


if __name__ == "__main__":
    main()
