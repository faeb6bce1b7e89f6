"""The ingest job queue: an upload is checked, staged inside its KB and queued as one job.

`open_queue(settings)` gives a `RedisQueue` (RQ; `korag worker` processes run the jobs) when
KORAG_REDIS_URL is set, else an `InlineQueue` that runs the same job function at submit time.
"""
from __future__ import annotations

import functools
import hashlib
import logging
import os
import sqlite3
import threading
import time
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import replace
from typing import TYPE_CHECKING

from ingest.detect import detect_format
from ingest.errors import (  # noqa: F401  re-exported: the HTTP API maps them to status codes
    CorruptDocument, DocumentTooLarge, EmptyDocument, EncryptedDocument, IngestError, UnsafeName, UnsupportedFormat,
)
from ingest.jobs import IngestRuntime, JobFailed, JobInfo, JobSpec, JobState, job_id
from ingest.limits import check_size
from ingest.pipeline import check_name, upload_source
from rag.acl import Reader, parse_readers
from rag.errors import RetrievalError
from rag.kb import KnowledgeBase
from rag.settings import Settings

if TYPE_CHECKING:
    from redis import Redis
    from rq.job import Job

log = logging.getLogger(__name__)

JOB_FUNCTION = "ingest.worker.ingest_job"  # by name: the API never imports the worker's heavy parts
INCOMING = "incoming"  # <kb>/incoming/<sha256><suffix>: uploads waiting for a worker

_STATES: dict[str, JobState] = {
    "created": "queued", "queued": "queued", "deferred": "queued", "scheduled": "queued",
    "rate_limited": "queued", "ready_to_enqueue": "queued", "started": "running",
    "finished": "done", "failed": "failed", "stopped": "cancelled", "canceled": "cancelled",
}


class JobNotFound(IngestError):
    """No job with that id (finished and failed jobs are forgotten after KORAG_JOB_KEEP_DAYS)."""


class JobNotCancellable(IngestError):
    """The job is already running or over."""


class JobNotRetryable(JobNotCancellable):
    """Only a failed job whose upload is still staged can run again."""


class QueueUnavailable(IngestError):
    """Redis cannot be reached."""


def _unreachable(settings: Settings, err: Exception) -> str:
    return (f"Redis at {settings.redis_url} cannot be reached ({err}); start it, "
            "or unset KORAG_REDIS_URL to ingest inline")


def _reaching_redis(method):
    """Redis failures become `QueueUnavailable` naming the server: a 503 from the API, one line in the CLI."""
    @functools.wraps(method)
    def wrapper(self, *args, **kwargs):
        from redis.exceptions import RedisError

        try:
            return method(self, *args, **kwargs)
        except RedisError as err:
            raise QueueUnavailable("Redis", _unreachable(self.settings, err)) from err
    return wrapper


def check_upload(settings: Settings, data: bytes, name: str) -> str:
    """Check what is cheap to check before queueing (name, size, format); returns the format.

    Raises `UnsafeName`, `DocumentTooLarge`, `UnsupportedFormat`, `EmptyDocument`, `EncryptedDocument`
    or `CorruptDocument`, so a caller can refuse an upload before any job exists.
    """
    check_name(name)
    check_size(name, len(data), settings)
    try:
        return detect_format(data, name)
    except IngestError:
        raise
    except Exception as err:  # noqa: BLE001 - olefile or zipfile on a hostile file: refused by name, never a 500
        raise CorruptDocument(name, f"cannot be read ({type(err).__name__}: {err})") from err


def stage_upload(kb: KnowledgeBase, data: bytes, name: str, source: str | None = None,
                 tags: Iterable[str] = (), readers: Iterable[str] | None = None,
                 uploader: Reader | None = None, ocr_engine: str | None = None) -> JobSpec:
    """Check the upload (`check_upload`) and write its bytes under <kb>/incoming for a worker."""
    check_upload(kb.settings, data, name)
    sha256 = hashlib.sha256(data).hexdigest()
    suffix = os.path.splitext(name)[1].lower()[:10]
    staged = f"{INCOMING}/{sha256}{suffix}"
    target = kb.path / staged
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(f".{target.name}.{os.getpid()}.{threading.get_ident()}.tmp")
        partial.write_bytes(data)
        os.replace(partial, target)  # a worker never reads half a file
    user = uploader.user if uploader is not None and not uploader.admin else None
    return JobSpec(kb.name, staged, name, source or upload_source(name, uploader), sha256, tuple(tags),
                   parse_readers(readers) if readers is not None else None, user, ocr_engine)


class JobQueue:
    """Submit uploads and follow their jobs; `RedisQueue` and `InlineQueue` behave alike."""

    kind: str = ""

    def submit(self, kb: KnowledgeBase, data: bytes, name: str, source: str | None = None,
               tags: Iterable[str] = (), readers: Iterable[str] | None = None,
               uploader: Reader | None = None, ocr_engine: str | None = None) -> JobInfo:
        """Queue one upload; `readers` restrict who may read it, `uploader` is who sent it (None: operator),
        `ocr_engine` reads its scanned pages and images (None: KORAG_OCR_ENGINE)."""
        raise NotImplementedError

    def job(self, job_id: str) -> JobInfo:
        raise NotImplementedError

    def jobs(self, kb: str | None = None, state: JobState | None = None, limit: int = 200) -> list[JobInfo]:
        raise NotImplementedError

    def cancel(self, job_id: str) -> JobInfo:
        raise NotImplementedError

    def retry(self, job_id: str) -> JobInfo:
        """Queue a failed job again (after its cause — a full disk, a busy KB — is fixed)."""
        raise NotImplementedError

    def ping(self) -> bool:
        return True


class InlineQueue(JobQueue):
    """The embedded default: a job runs in the submitting process, before `submit` returns."""

    kind = "inline"

    def __init__(self, settings: Settings, keep: int = 1000) -> None:
        self.runtime = IngestRuntime(settings)
        self._jobs: OrderedDict[str, JobInfo] = OrderedDict()
        self._keep = keep
        self._lock = threading.Lock()

    def submit(self, kb, data, name, source=None, tags=(), readers=None, uploader=None, ocr_engine=None) -> JobInfo:
        spec = stage_upload(kb, data, name, source, tags, readers, uploader, ocr_engine)
        key = job_id(kb.name, spec.sha256, spec.user)
        with self._lock:
            earlier = self._jobs.get(key)
        if earlier is not None and earlier.state == "done" and kb.has_content(spec.sha256, uploader) is not None:
            (kb.path / spec.staged).unlink(missing_ok=True)
            return earlier
        info = JobInfo(key, kb.name, name, "running", attempts=1, enqueued_at=time.time(), started_at=time.time(),
                       user=spec.user)
        self._put(info)

        def progress(stage: str, done: int, total: int) -> None:
            self._put(replace(self._jobs.get(info.id, info), stage=stage, done=done, total=total))

        try:
            result = self.runtime.run(spec, progress)
        except JobFailed as err:
            final = replace(self._jobs[info.id], state="failed", error=err.reason, ended_at=time.time())
        except (IngestError, RetrievalError, OSError, sqlite3.Error) as err:  # inline: no retries, the caller sees it
            final = replace(self._jobs[info.id], state="failed", error=str(err), ended_at=time.time())
        else:
            final = _with_result(replace(self._jobs[info.id], state="done", ended_at=time.time()), result)
        self._put(final)
        return final

    def _put(self, info: JobInfo) -> None:
        with self._lock:
            self._jobs[info.id] = info
            self._jobs.move_to_end(info.id)
            while len(self._jobs) > self._keep:
                self._jobs.popitem(last=False)

    def job(self, job_id: str) -> JobInfo:
        with self._lock:
            if job_id not in self._jobs:
                raise JobNotFound(job_id, "no such job in this process (inline queue: KORAG_REDIS_URL is unset)")
            return self._jobs[job_id]

    def jobs(self, kb=None, state=None, limit=200) -> list[JobInfo]:
        with self._lock:
            found = [j for j in reversed(self._jobs.values())
                     if (kb is None or j.kb == kb) and (state is None or j.state == state)]
        return found[:limit]

    def cancel(self, job_id: str) -> JobInfo:
        info = self.job(job_id)
        raise JobNotCancellable(job_id, f"the job is {info.state}: inline jobs run as they are submitted")

    def retry(self, job_id: str) -> JobInfo:
        self.job(job_id)
        raise JobNotRetryable(job_id, "inline jobs are not kept to run again: upload the file again")


class RedisQueue(JobQueue):
    """Jobs in Redis via RQ; any number of `korag worker` processes, on any machines, run them."""

    kind = "redis"

    def __init__(self, settings: Settings, connection: Redis | None = None) -> None:
        from redis import Redis
        from rq import Queue
        from rq.serializers import JSONSerializer

        self.settings = settings
        # JSON, not pickle: nothing read from Redis can run code in a worker
        # a host that drops packets must not hang an API request: connecting gives up after 5 s
        self.connection = connection or Redis.from_url(settings.redis_url or "redis://localhost:6379/0",
                                                       socket_connect_timeout=5)
        self.queue = Queue(settings.queue_name, connection=self.connection, serializer=JSONSerializer,
                           default_timeout=settings.job_timeout_s)

    def ping(self) -> bool:
        from redis.exceptions import RedisError

        try:
            return bool(self.connection.ping())
        except RedisError:
            return False

    def submit(self, kb, data, name, source=None, tags=(), readers=None, uploader=None, ocr_engine=None) -> JobInfo:
        from redis.exceptions import RedisError
        from rq import Retry
        from rq.exceptions import DuplicateJobError

        spec = stage_upload(kb, data, name, source, tags, readers, uploader, ocr_engine)
        key = job_id(kb.name, spec.sha256, spec.user)
        try:
            existing = self._fetch(key)
            if existing is not None:
                info = self._info(existing)
                # done once: a job still waiting, running, or done with its document still in the KB
                if not info.over or (info.state == "done" and kb.has_content(spec.sha256, uploader) is not None):
                    return info
                existing.delete()
            backoff = self.settings.job_retry_backoff_s
            retry = None
            if self.settings.job_retries > 0:
                retry = Retry(max=self.settings.job_retries,
                              interval=[backoff * 4**i for i in range(self.settings.job_retries)])
            keep = self.settings.job_keep_days * 86400
            try:
                job = self.queue.enqueue_call(JOB_FUNCTION, kwargs={"spec": spec.as_dict()}, job_id=key,
                                              unique=True, retry=retry, result_ttl=keep, failure_ttl=keep,
                                              meta={"kb": kb.name, "name": name, "user": spec.user}, description=f"ingest {name} → {kb.name}")
            except DuplicateJobError:  # another client submitted the same bytes a moment ago
                job = self._fetch(key)
                if job is None:
                    raise QueueUnavailable(name, "the job vanished while it was being submitted; retry") from None
            log.info("queued %s (%s) for kb %s", key, name, kb.name)
            return self._info(job)
        except RedisError as err:
            raise QueueUnavailable(name, _unreachable(self.settings, err)) from err

    def _fetch(self, key: str) -> Job | None:
        from rq.exceptions import NoSuchJobError
        from rq.job import Job

        try:
            return Job.fetch(key, connection=self.connection, serializer=self.queue.serializer)
        except NoSuchJobError:
            return None

    def job(self, job_id: str) -> JobInfo:
        from redis.exceptions import RedisError

        try:
            return self._found(job_id)[1]
        except RedisError as err:
            raise QueueUnavailable(job_id, _unreachable(self.settings, err)) from err

    def _found(self, job_id: str, state: JobState | None = None,
               refusal: type[JobNotCancellable] = JobNotCancellable, doing: str = "") -> tuple[Job, JobInfo]:
        """The job and how it stands: `JobNotFound` when Redis no longer has it, and `refusal` when
        `state` is given and the job is in another (only `state` jobs can be `doing`)."""
        job = self._fetch(job_id)
        if job is None:
            raise JobNotFound(job_id, f"no such job (finished jobs are kept {self.settings.job_keep_days} days)")
        info = self._info(job)
        if state is not None and info.state != state:
            raise refusal(job_id, f"the job is {info.state}; only {state} jobs can be {doing}")
        return job, info

    @_reaching_redis
    def jobs(self, kb=None, state=None, limit=200) -> list[JobInfo]:
        from rq.job import Job

        q = self.queue
        ids: list[str] = []
        registries = {"queued": [q.scheduled_job_registry, q.deferred_job_registry],
                      "running": [q.started_job_registry], "done": [q.finished_job_registry],
                      "failed": [q.failed_job_registry], "cancelled": [q.canceled_job_registry]}
        for name, regs in registries.items():
            if state is not None and name != state:
                continue
            if name == "queued":
                ids += q.get_job_ids()
            for reg in regs:
                ids += reg.get_job_ids()
        jobs = [j for j in Job.fetch_many(list(dict.fromkeys(ids)), connection=self.connection,
                                          serializer=q.serializer) if j is not None]
        found = [self._info(j) for j in jobs if kb is None or j.meta.get("kb") == kb]
        found = [j for j in found if state is None or j.state == state]
        found.sort(key=lambda j: j.enqueued_at or 0, reverse=True)
        return found[:limit]

    def failed(self, kb: str | None = None) -> list[JobInfo]:
        """The dead-letter list: jobs that failed for good (bad file, or retries used up)."""
        return self.jobs(kb, "failed")

    @_reaching_redis
    def cancel(self, job_id: str) -> JobInfo:
        job, _ = self._found(job_id, "queued", JobNotCancellable, "cancelled")
        job.cancel()
        spec = JobSpec.from_dict(job.kwargs["spec"])
        staged = self.settings.kb_path(spec.kb) / spec.staged
        staged.unlink(missing_ok=True)
        return self._info(job)

    @_reaching_redis
    def retry(self, job_id: str) -> JobInfo:
        job, info = self._found(job_id, "failed", JobNotRetryable, "retried")
        spec = JobSpec.from_dict(job.kwargs["spec"])
        if not (self.settings.kb_path(spec.kb) / spec.staged).exists():
            # a file that could not be read is unstaged at once: running it again cannot help
            raise JobNotRetryable(job_id, f"{info.name}: {info.error or 'failed'} — the upload is gone; "
                                          "fix the file and upload it again")
        for key in ("error", "stage", "done", "total"):
            job.meta.pop(key, None)
        job.save_meta()
        self.queue.failed_job_registry.requeue(job)
        log.info("requeued %s (%s)", job_id, info.name)
        return self._info(job)

    def _info(self, job: Job) -> JobInfo:
        status = job.get_status(refresh=True).value
        meta = job.get_meta(refresh=False)
        state = _STATES.get(status, "queued")
        stamp = lambda d: d.timestamp() if d else None  # noqa: E731
        info = JobInfo(job.id, meta.get("kb", ""), meta.get("name", ""), state, meta.get("stage"),
                       meta.get("done", 0), meta.get("total", 0), attempts=meta.get("attempts", 0),
                       enqueued_at=stamp(job.enqueued_at), started_at=stamp(job.started_at),
                       ended_at=stamp(job.ended_at), user=meta.get("user"))
        if state == "done":
            return _with_result(info, job.return_value() or {})
        if state == "failed":
            return replace(info, error=meta.get("error") or _failure_reason(job))
        return info


def _with_result(info: JobInfo, result: dict) -> JobInfo:
    return replace(info, status=result.get("status"), document_id=result.get("document_id"),
                   chunks=result.get("chunks", 0), pages=result.get("pages"),
                   warnings=tuple(result.get("warnings") or ()))


def _failure_reason(job: Job) -> str:
    """One line from RQ's record of the failure (a traceback, or the abandoned-job note)."""
    text = (job.exc_info or "").strip()
    if "AbandonedJobError" in text:
        return "the worker stopped mid-job (killed or crashed) and the retries are used up"
    last = text.splitlines()[-1] if text else "failed (no reason recorded)"
    return last[:500]


def open_queue(settings: Settings) -> JobQueue:
    """Redis when KORAG_REDIS_URL is set, otherwise inline (the embedded default)."""
    return RedisQueue(settings) if settings.redis_url else InlineQueue(settings)
