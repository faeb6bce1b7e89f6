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

from ingest.errors import IngestError
from ingest.jobs import IngestRuntime, JobFailed, JobSpec
from ingest.worker_health import WORKER_TTL_S
from rag.errors import RetrievalError
from rag.settings import Settings

log = logging.getLogger(__name__)


# -- RQ glue -----------------------------------------------------------------------------------
# RQ calls jobs by dotted name, so the worker's runtime is module state, set once by `run_worker`
# (a worker is one process with one settings object: the edge reads it, as for the CLI).
_runtime: IngestRuntime | None = None


def _runtime_now() -> IngestRuntime:
    global _runtime
    if _runtime is None:  # a plain `rq worker` rather than `korag worker`
        _runtime = IngestRuntime(Settings())
    return _runtime


def ingest_job(spec: dict) -> dict:
    """The RQ job: ingest one staged upload until searchable, then queue its embedding behind the
    next uploads' parsing. Bad files fail at once; other errors are retried."""
    from rq import get_current_job

    runtime = _runtime_now()
    job = get_current_job()
    if job is not None:  # counted here, so an attempt that a killed worker never finished counts too
        job.meta["attempts"] = job.meta.get("attempts", 0) + 1
        job.save_meta()

    def progress(stage: str, done: int, total: int) -> None:
        if job is not None:
            job.meta.update(stage=stage, done=done, total=total)
            job.save_meta()

    job_spec = JobSpec.from_dict(spec)
    try:
        result = runtime.run(job_spec, progress)
    except JobFailed as err:
        if job is not None:
            job.retries_left = 0  # read by the worker's failure handling: no retry for a bad file
            job.meta["error"] = err.reason
            job.save_meta()
        raise
    except (RetrievalError, sqlite3.Error, OSError) as err:  # KB busy, database locked, disk, NFS: retried
        log.warning("transient failure ingesting %s: %s", spec.get("name"), err)
        raise
    if job is not None and job_spec.embed and result["chunks"] and runtime.settings.embedder != "none":
        from ingest.queue import enqueue_embedding  # the queue module owns every enqueue

        job.meta["embed_job"] = enqueue_embedding(runtime.settings, job, job_spec.kb, result["document_id"])
        job.save_meta()
    return result


def embed_job(kb: str, document_id: str, parent: str) -> dict:
    """The RQ job that fills in one document's vectors; its progress shows on the ingest job `parent`."""
    from rq import get_current_job
    from rq.exceptions import NoSuchJobError
    from rq.job import Job

    runtime = _runtime_now()
    current = get_current_job()
    try:
        owner = Job.fetch(parent, connection=current.connection, serializer=current.serializer) if current else None
    except NoSuchJobError:  # the ingest job expired: embed anyway, report nowhere
        owner = None

    def progress(stage: str, done: int, total: int) -> None:
        if owner is not None:
            owner.meta.update(stage=stage, done=done, total=total)
            owner.save_meta()

    warning = runtime.embed(kb, document_id, progress)
    if owner is not None and warning:
        owner.meta["embed_warning"] = warning
        owner.save_meta()
    return {"document_id": document_id, "warning": warning}


def _die_with(parent: int) -> None:
    """Ask Linux to SIGTERM this process when `parent` dies (prctl PR_SET_PDEATHSIG)."""
    import ctypes
    import signal

    try:
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # 1 = PR_SET_PDEATHSIG
    except (OSError, AttributeError):  # not Linux: the worker's own shutdown still stops it
        return
    if os.getppid() != parent:  # the worker died before the request took effect
        os.kill(os.getpid(), signal.SIGTERM)


def _scheduler_class():
    from rq.scheduler import RQScheduler

    class KoragScheduler(RQScheduler):
        """RQ's scheduler (it moves retries whose back-off is over back to the queue), forked by the worker.

        RQ forks it as a child that outlives a worker killed with SIGKILL: an orphan that keeps
        its Redis lock and a connection. It now asks the kernel for SIGTERM when the worker dies,
        which it handles as RQ's own shutdown (release the lock, exit).
        """

        def start(self):
            self._parent_pid = os.getpid()
            return super().start()

        def work(self):
            _die_with(self._parent_pid)
            return super().work()

    return KoragScheduler


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

        def _start_scheduler(self, burst=False, logging_level="INFO", date_format=None, log_format=None):
            # RQ's own, with a scheduler that dies with this worker (see KoragScheduler)
            from rq.defaults import DEFAULT_LOGGING_DATE_FORMAT, DEFAULT_LOGGING_FORMAT

            self.scheduler = _scheduler_class()(
                self.queues, connection=self.connection,
                logging_level=logging_level if logging_level is not None else self.log.level,
                date_format=date_format or DEFAULT_LOGGING_DATE_FORMAT, log_format=log_format or DEFAULT_LOGGING_FORMAT,
                serializer=self.serializer)
            self.scheduler.acquire_locks()
            if self.scheduler.acquired_locks:
                if burst:
                    try:
                        self.scheduler.register_birth()
                        self.scheduler.enqueue_scheduled_jobs()
                    finally:
                        self.scheduler.release_locks()
                        self.scheduler.register_death()
                else:
                    self.scheduler.start()

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
    from ingest.queue import embed_queue_name

    connection = Redis.from_url(settings.redis_url)
    # parsing first: a worker takes the next upload before any embedding, so every upload is
    # searchable as early as possible and vectors follow
    queues = [Queue(name, connection=connection, serializer=JSONSerializer)
              for name in (settings.queue_name, embed_queue_name(settings))]
    worker = _worker_class()(queues, connection=connection, serializer=JSONSerializer, name=name,
                             job_monitoring_interval=heartbeat_s,
                             worker_ttl=WORKER_TTL_S,  # idle heartbeats every 45 s, not 405: ingest/worker_health.py
                             maintenance_interval=60)  # RQ's 10 min default delays recovering a dead worker's job
    log.info("worker %s (pid %d) on queue %s at %s", worker.name, os.getpid(), settings.queue_name, settings.redis_url)
    return worker.work(burst=burst, with_scheduler=True, logging_level=logging.getLevelName(log.getEffectiveLevel()))


class QueueSettingMissing(IngestError):
    """A worker was started without KORAG_REDIS_URL."""
