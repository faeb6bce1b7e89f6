"""`korag worker`: runs ingest jobs from Redis; start as many as the machine (or machines) can feed.

Parsing, splitting and embedding run in parallel across workers; writes to one KB go through the
KB's lock, one document per SQLite transaction, so a worker killed mid-job leaves no partial
document and RQ hands the job to another worker (see `KoragWorker`).
"""
from __future__ import annotations

import logging
import os
import sqlite3
import threading
from collections.abc import Callable

from filelock import FileLock, Timeout

from ingest.errors import IngestError
from ingest.pipeline import Ingestor
from ingest.queue import JobSpec
from ingest.worker_health import WORKER_TTL_S
from ingest.split import KoreanSplitter
from rag.errors import KnowledgeBaseNotFound, RetrievalError
from rag.kb import KnowledgeBase
from rag.settings import Settings

log = logging.getLogger(__name__)

Progress = Callable[[str, int, int], None]  # (stage, done, total)
MAX_EMBED_ROUNDS = 100


class JobFailed(IngestError):
    """The file itself is the problem (unsupported, corrupt, encrypted…): retrying cannot help."""


class IngestRuntime:
    """What a worker keeps between jobs: the settings, one open KB and splitter per KB, the embedder.

    Building Kiwi costs seconds and its memory is large, so a worker builds it once (`warm_up`)
    and every job reuses it; jobs run in the worker's own process for the same reason.
    """

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._kbs: dict[str, tuple[int, KnowledgeBase, KoreanSplitter]] = {}
        self._embedder = None
        self._embedder_loaded = False
        self._lock = threading.Lock()

    def warm_up(self) -> None:
        from rag.morphemes import shared_kiwi

        shared_kiwi(self.settings.kiwi_workers).tokenize("")
        self.embedder()

    def embedder(self):
        with self._lock:
            if not self._embedder_loaded:
                from rag.retrieve import embedder_for

                self._embedder = embedder_for(self.settings)
                self._embedder_loaded = True
            return self._embedder

    def knowledge_base(self, name: str) -> tuple[KnowledgeBase, KoreanSplitter]:
        """The KB, reopened when it was deleted or re-created since the last job."""
        path = self.settings.kb_path(name) / "kb.sqlite"
        try:
            inode = path.stat().st_ino
        except FileNotFoundError:
            raise KnowledgeBaseNotFound(f"knowledge base {name!r} no longer exists") from None
        with self._lock:
            cached = self._kbs.get(name)
            if cached is None or cached[0] != inode:
                if cached is not None:
                    cached[1].close()
                kb = KnowledgeBase.open(self.settings, name)
                splitter = KoreanSplitter(kb.kiwi(), self.settings.chunk_tokens, self.settings.chunk_overlap_sentences)
                cached = self._kbs[name] = (inode, kb, splitter)
            return cached[1], cached[2]

    def run(self, spec: JobSpec, progress: Progress) -> dict:
        """Ingest one staged upload, then embed the KB's new chunks; the file's result as a dict."""
        try:
            kb, splitter = self.knowledge_base(spec.kb)
        except KnowledgeBaseNotFound as err:
            raise JobFailed(spec.name, str(err)) from err
        staged = kb.path / spec.staged
        progress("parsing", 0, 1)
        try:
            data = staged.read_bytes()
        except FileNotFoundError:
            # an earlier attempt stored the document and removed the staged copy, then died
            done = kb.has_content(spec.sha256, kb.reader(spec.user) if spec.user else None)
            if done is None:
                raise JobFailed(spec.name, "the uploaded file is gone from the queue's staging folder; "
                                           "upload it again") from None
            result = {"name": spec.name, "status": "unchanged", "document_id": done.id, "format": done.format,
                      "chunks": done.chunks, "pages": done.pages, "warnings": []}
        else:
            uploader = kb.reader(spec.user) if spec.user else None
            ingestor = Ingestor(kb, self.settings, splitter=splitter, tags=spec.tags, readers=spec.readers,
                                uploader=uploader)
            file = ingestor.ingest_bytes(data, spec.name, spec.source)
            if not file.ok:
                staged.unlink(missing_ok=True)
                raise JobFailed(spec.name, file.error or "failed")
            result = {"name": file.name, "status": file.status, "document_id": file.document_id,
                      "format": file.format, "chunks": file.chunks, "pages": file.pages,
                      "warnings": list(file.warnings)}
        progress("parsing", 1, 1)
        warning = self._embed(kb, progress)
        if warning:
            result["warnings"].append(warning)
        staged.unlink(missing_ok=True)
        log.info("job done: %s (%s) → kb %s, %s", result["document_id"], spec.name, spec.kb, result["status"])
        return result

    def _embed(self, kb: KnowledgeBase, progress: Progress) -> str | None:
        """Fill in vectors for every chunk still without one; returns a warning instead of failing.

        One worker per KB embeds at a time (a lock file beside the KB's write lock): it keeps going
        until nothing is pending, so chunks that other workers store meanwhile are covered too, and
        a worker that waited for the lock finds its chunks already done.
        """
        embedder = self.embedder()
        if embedder is None:
            return None
        try:
            with FileLock(str(kb.path / ".embed.lock"), timeout=self.settings.lock_timeout_s):
                for _ in range(MAX_EMBED_ROUNDS):
                    if not kb.embed_pending(embedder, lambda n, total: progress("embedding", n, total)):
                        break
        except Timeout:
            return "another worker is still embedding this KB; its vectors will follow (or run `korag embed`)"
        except RetrievalError as err:  # e.g. the KB was embedded with another model: lexical search still works
            return f"dense vectors not added: {err}"
        except OSError as err:  # a full disk, an unreadable index: the document is stored and searchable
            log.warning("embedding in kb %s failed: %s", kb.name, err)
            return (f"dense vectors not added ({err}); the document is searchable by keywords — "
                    "run `korag embed` once the problem is fixed")
        return None


# -- RQ glue -----------------------------------------------------------------------------------
# RQ calls jobs by dotted name, so the worker's runtime is module state, set once by `run_worker`
# (a worker is one process with one settings object: the edge reads it, as for the CLI).
_runtime: IngestRuntime | None = None


def ingest_job(spec: dict) -> dict:
    """The RQ job: ingest one staged upload. Bad files fail at once; other errors are retried."""
    from rq import get_current_job

    global _runtime
    if _runtime is None:  # a plain `rq worker` rather than `korag worker`
        _runtime = IngestRuntime(Settings())
    job = get_current_job()
    if job is not None:  # counted here, so an attempt that a killed worker never finished counts too
        job.meta["attempts"] = job.meta.get("attempts", 0) + 1
        job.save_meta()

    def progress(stage: str, done: int, total: int) -> None:
        if job is not None:
            job.meta.update(stage=stage, done=done, total=total)
            job.save_meta()

    try:
        return _runtime.run(JobSpec.from_dict(spec), progress)
    except JobFailed as err:
        if job is not None:
            job.retries_left = 0  # read by the worker's failure handling: no retry for a bad file
            job.meta["error"] = err.reason
            job.save_meta()
        raise
    except (RetrievalError, sqlite3.Error, OSError) as err:  # KB busy, database locked, disk, NFS: retried
        log.warning("transient failure ingesting %s: %s", spec.get("name"), err)
        raise


def _worker_class():
    from rq import SimpleWorker
    from rq.worker.base import BaseWorker

    class KoragWorker(SimpleWorker):
        """RQ's SimpleWorker (jobs run in this process, with the warm Kiwi) plus heartbeats during jobs.

        RQ's forking worker sends heartbeats while its child runs; SimpleWorker does not, so it sets
        a job's expiry to the whole job timeout and a killed worker's job would wait an hour for
        recovery. A heartbeat thread keeps the expiry at ~90 s: when this process dies, another
        worker's maintenance retries the job within a few minutes.
        """

        def get_heartbeat_ttl(self, job, working_time: float = 0.0) -> int:
            return BaseWorker.get_heartbeat_ttl(self, job, working_time)

        def execute_job(self, job, queue):
            from rq.worker.base import WorkerStatus

            execution = self.prepare_execution(job)
            stop = threading.Event()

            def beat() -> None:
                while not stop.wait(self.job_monitoring_interval):
                    try:
                        self.maintain_heartbeats(job, execution)
                    except Exception:  # a missed beat is logged; the next one may get through
                        log.warning("heartbeat for job %s failed", job.id, exc_info=True)

            thread = threading.Thread(target=beat, name=f"heartbeat-{job.id}", daemon=True)
            thread.start()
            try:
                self.perform_job(job, queue, execution)
            finally:
                stop.set()
                thread.join()
            self.set_state(WorkerStatus.IDLE)

    return KoragWorker


def run_worker(settings: Settings, burst: bool = False, name: str | None = None,
               heartbeat_s: int = 30) -> bool:
    """Process jobs until stopped (or, with `burst`, until the queue is empty); True if any ran."""
    from redis import Redis
    from rq import Queue
    from rq.serializers import JSONSerializer

    global _runtime
    if not settings.redis_url:
        raise QueueSettingMissing("worker", "KORAG_REDIS_URL is not set: without Redis, ingestion runs inline")
    _runtime = IngestRuntime(settings)
    _runtime.warm_up()
    connection = Redis.from_url(settings.redis_url)
    queue = Queue(settings.queue_name, connection=connection, serializer=JSONSerializer)
    worker = _worker_class()([queue], connection=connection, serializer=JSONSerializer, name=name,
                             job_monitoring_interval=heartbeat_s,
                             worker_ttl=WORKER_TTL_S,  # idle heartbeats every 45 s, not 405: ingest/worker_health.py
                             maintenance_interval=60)  # RQ's 10 min default delays recovering a dead worker's job
    log.info("worker %s (pid %d) on queue %s at %s", worker.name, os.getpid(), settings.queue_name, settings.redis_url)
    return worker.work(burst=burst, with_scheduler=True, logging_level=logging.getLevelName(log.getEffectiveLevel()))


class QueueSettingMissing(IngestError):
    """A worker was started without KORAG_REDIS_URL."""
