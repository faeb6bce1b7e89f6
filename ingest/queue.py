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
from concurrent.futures import ThreadPoolExecutor
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
EMBED_FUNCTION = "ingest.worker.embed_job"
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


def embed_queue_name(settings: Settings) -> str:
    """The queue of embedding jobs: workers take it after the ingest queue (parsing first)."""
    return f"{settings.queue_name}-embed"


def _job_index(settings: Settings) -> str:
    """A sorted set of every ingest job id by submission time: a job is listed from submission until it
    expires, whatever registry RQ has it in at that moment (a killed worker's job moves between them)."""
    return f"korag:jobs:{settings.queue_name}"


def enqueue_embedding(settings: Settings, parent: Job, kb: str, document_id: str) -> str:
    """Queue the embedding of one ingested document (called by the worker that parsed it); its id."""
    from rq import Queue, Retry

    queue = Queue(embed_queue_name(settings), connection=parent.connection, serializer=parent.serializer,
                  default_timeout=settings.job_timeout_s)
    keep = settings.job_keep_days * 86400
    retry = Retry(max=settings.job_retries, interval=[settings.job_retry_backoff_s * 4**i
                                                      for i in range(settings.job_retries)]) if settings.job_retries > 0 else None
    job = queue.enqueue_call(EMBED_FUNCTION, kwargs={"kb": kb, "document_id": document_id, "parent": parent.id},
                             job_id="embed-" + parent.id.removeprefix("ingest-"), retry=retry, result_ttl=keep,
                             failure_ttl=keep, description=f"embed {document_id} in {kb}")
    return job.id


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
                 uploader: Reader | None = None, ocr_engine: str | None = None, embed: bool = True) -> JobSpec:
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
                   parse_readers(readers) if readers is not None else None, user, ocr_engine, embed)


class JobQueue:
    """Submit uploads and follow their jobs; `RedisQueue` and `InlineQueue` behave alike."""

    kind: str = ""

    def submit(self, kb: KnowledgeBase, data: bytes, name: str, source: str | None = None,
               tags: Iterable[str] = (), readers: Iterable[str] | None = None,
               uploader: Reader | None = None, ocr_engine: str | None = None, embed: bool = True) -> JobInfo:
        """Queue one upload; `readers` restrict who may read it, `uploader` is who sent it (None: operator),
        `ocr_engine` reads its scanned pages and images (None: KORAG_OCR_ENGINE), `embed=False` leaves it
        without vectors (searchable by keywords; `korag embed` adds them)."""
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
    """The embedded default: jobs run in this process, one at a time on a thread of their own, so
    `submit` returns at once; vectors are then filled in by the KB's background embedder."""

    kind = "inline"

    def __init__(self, settings: Settings, keep: int = 1000) -> None:
        self.settings = settings
        self.runtime = IngestRuntime(settings)
        self._jobs: OrderedDict[str, JobInfo] = OrderedDict()
        self._embed: dict[str, bool] = {}  # job id → vectors wanted
        self._keep = keep
        self._lock = threading.Lock()
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="korag-ingest")
        # Building Kiwi holds the GIL for seconds (measured: a 17 s stall of every other thread on a
        # busy 2-core host): build it here, before any request waits on this process, not in a job.
        from rag.morphemes import shared_kiwi

        shared_kiwi(settings.kiwi_workers)

    def submit(self, kb, data, name, source=None, tags=(), readers=None, uploader=None, ocr_engine=None,
               embed=True) -> JobInfo:
        spec = stage_upload(kb, data, name, source, tags, readers, uploader, ocr_engine, embed)
        key = job_id(kb.name, spec.sha256, spec.user)
        with self._lock:
            earlier = self._jobs.get(key)
        if earlier is not None and not earlier.over:
            return earlier
        if earlier is not None and earlier.state == "done" and kb.has_content(spec.sha256, uploader) is not None:
            (kb.path / spec.staged).unlink(missing_ok=True)
            return self.job(key)
        info = JobInfo(key, kb.name, name, "queued", attempts=0, enqueued_at=time.time(), user=spec.user)
        self._put(info)
        self._embed[key] = embed
        self._pool.submit(self._run, spec, info.id)
        return info

    def _run(self, spec: JobSpec, key: str) -> None:
        self._put(replace(self._jobs[key], state="running", attempts=1, started_at=time.time()))

        def progress(stage: str, done: int, total: int) -> None:
            self._put(replace(self._jobs[key], stage=stage, done=done, total=total))

        try:
            result = self.runtime.run(spec, progress)
        except JobFailed as err:
            final = replace(self._jobs[key], state="failed", error=err.reason, ended_at=time.time())
        except (IngestError, RetrievalError, OSError, sqlite3.Error) as err:  # inline: no retries, the caller sees it
            final = replace(self._jobs[key], state="failed", error=str(err), ended_at=time.time())
        except Exception as err:  # noqa: BLE001 — a thread's error would vanish: the job must say failed
            log.exception("inline job %s (%s) failed", key, spec.name)
            final = replace(self._jobs[key], state="failed", error=f"{type(err).__name__}: {err}",
                            ended_at=time.time())
        else:
            final = _with_result(self._jobs[key], result)
            embedding = spec.embed and final.chunks > 0 and self.settings.embedder != "none"
            if embedding:
                from ingest.background import start

                start(self.settings, spec.kb)
            else:
                final = replace(final, state="done", ended_at=time.time())
        self._put(final)

    def _put(self, info: JobInfo) -> None:
        with self._lock:
            self._jobs[info.id] = info
            self._jobs.move_to_end(info.id)
            while len(self._jobs) > self._keep:
                self._jobs.popitem(last=False)

    def _current(self, info: JobInfo) -> JobInfo:
        """A job past `searchable` follows its document's vectors, which the background embedder adds."""
        if info.state != "running" or info.stage not in ("searchable", "embedding") or not info.document_id:
            return info
        from rag.embed_state import state

        try:
            kb = KnowledgeBase.open(self.settings, info.kb)
            done, total = kb.vector_counts([info.document_id]).get(info.document_id, (0, 0))
            embedder = state(kb.path)
        except RetrievalError:  # the KB was deleted meanwhile
            return self._finish(replace(info, state="done", ended_at=time.time()))
        except OSError as err:  # the vector index cannot be read: the document is searchable by keywords
            return self._finish(replace(info, state="done", ended_at=time.time(), warnings=(
                *info.warnings, f"dense vectors not added ({err}); the document is searchable by keywords — "
                                "run `korag embed` once the problem is fixed")))
        if done >= total:
            return self._finish(replace(info, stage="embedding", done=done, total=total, state="done",
                                        ended_at=time.time()))
        if not embedder.running:  # it stopped (killed, or an error): searchable, vectors pending
            why = embedder.error or "the background embedder stopped"
            return self._finish(replace(info, stage="embedding", done=done, total=total, state="done",
                                        ended_at=time.time(), warnings=(*info.warnings,
                                        f"dense vectors not added ({why}): {done}/{total}; the document is "
                                        "searchable by keywords — `korag embed` adds the rest")))
        return replace(info, stage="embedding", done=done, total=total)

    def _finish(self, info: JobInfo) -> JobInfo:
        with self._lock:
            if info.id in self._jobs:
                self._jobs[info.id] = info
        return info

    def job(self, job_id: str) -> JobInfo:
        with self._lock:
            if job_id not in self._jobs:
                raise JobNotFound(job_id, "no such job in this process (inline queue: KORAG_REDIS_URL is unset)")
            info = self._jobs[job_id]
        return self._current(info)

    def jobs(self, kb=None, state=None, limit=200) -> list[JobInfo]:
        with self._lock:
            found = [j for j in reversed(self._jobs.values()) if kb is None or j.kb == kb]
        found = [self._current(j) for j in found]
        return [j for j in found if state is None or j.state == state][:limit]

    def wait(self, timeout_s: float | None = None) -> None:
        """Block until every submitted job is past parsing (tests, `korag ingest --queue` without Redis)."""
        deadline = None if timeout_s is None else time.monotonic() + timeout_s
        while any(j.state in ("queued", "running") and j.stage in (None, "parsing") for j in self.jobs()):
            if deadline is not None and time.monotonic() > deadline:
                return
            time.sleep(0.05)

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

    def submit(self, kb, data, name, source=None, tags=(), readers=None, uploader=None, ocr_engine=None,
               embed=True) -> JobInfo:
        from redis.exceptions import RedisError
        from rq import Retry
        from rq.exceptions import DuplicateJobError

        spec = stage_upload(kb, data, name, source, tags, readers, uploader, ocr_engine, embed)
        key = job_id(kb.name, spec.sha256, spec.user)
        try:
            existing = self._fetch(key)
            if existing is not None:
                info = self._info(existing)
                # done once: a job still waiting, running, or done with its document still in the KB
                if not info.over or (info.state == "done" and kb.has_content(spec.sha256, uploader) is not None):
                    return info
                existing.delete()
                self._embed_job(existing, delete=True)
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
            self.connection.zadd(_job_index(self.settings), {key: time.time()})
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
        index = _job_index(self.settings)
        # the index lists every job from submission on; RQ's registries add jobs queued by older korags
        ids: list[str] = [i.decode() if isinstance(i, bytes) else i
                          for i in self.connection.zrevrange(index, 0, max(limit * 5, 1000))]
        ids += q.get_job_ids()
        for reg in (q.scheduled_job_registry, q.deferred_job_registry, q.started_job_registry,
                    q.finished_job_registry, q.failed_job_registry, q.canceled_job_registry):
            ids += reg.get_job_ids()
        ids = list(dict.fromkeys(ids))
        fetched = Job.fetch_many(ids, connection=self.connection, serializer=q.serializer)
        gone = [i for i, j in zip(ids, fetched) if j is None]
        if gone:  # expired after KORAG_JOB_KEEP_DAYS (or deleted): drop them from the index
            self.connection.zrem(index, *gone)
        jobs = [j for j in fetched if j is not None]
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
        info = JobInfo(job.id, meta.get("kb", ""), meta.get("name", ""), state,
                       meta.get("stage") if state != "queued" else None,
                       meta.get("done", 0), meta.get("total", 0), attempts=meta.get("attempts", 0),
                       enqueued_at=stamp(job.enqueued_at), started_at=stamp(job.started_at),
                       ended_at=stamp(job.ended_at), user=meta.get("user"))
        if state == "done":
            info = _with_result(info, job.return_value() or {})
            return self._embedding(job, info)
        if state == "failed":
            return replace(info, error=meta.get("error") or _failure_reason(job))
        return info

    def _embed_job(self, job: Job, delete: bool = False) -> Job | None:
        """The embedding job the worker queued after `job` made its document searchable, if any."""
        embed_id = job.get_meta(refresh=False).get("embed_job")
        found = self._fetch(embed_id) if embed_id else None
        if found is not None and delete:
            found.delete()
        return found

    def _embedding(self, job: Job, info: JobInfo) -> JobInfo:
        """An ingest job whose document is searchable runs on until its embedding job is over."""
        meta = job.get_meta(refresh=False)
        if "embed_job" not in meta:
            return info
        embed = self._embed_job(job)
        status = _STATES.get(embed.get_status(refresh=True).value, "queued") if embed is not None else "done"
        if status in ("queued", "running"):
            # done/total count this document's chunks only (the embedding job writes them on this job)
            if status == "running" and meta.get("stage") == "embedding":
                return replace(info, state="running", stage="embedding", ended_at=None)
            done = 0 if status == "running" else info.done
            return replace(info, state="running", stage="embedding" if status == "running" else "searchable",
                           done=done, ended_at=None)
        warning = meta.get("embed_warning")
        if status == "failed":
            warning = (f"dense vectors not added ({_failure_reason(embed)}); the document is searchable by "
                       "keywords — `korag embed` adds them")
        ended = embed.ended_at.timestamp() if embed is not None and embed.ended_at else info.ended_at
        return replace(info, ended_at=ended, warnings=(*info.warnings, warning) if warning else info.warnings)


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
