"""The ingest job queue: an upload is checked, staged inside its KB and queued as one job.

`open_queue(settings)` gives a `RedisQueue` (RQ; `korag worker` processes run the jobs) when
KORAG_REDIS_URL is set, else an `InlineQueue` (ingest/inline_queue.py) that runs the same job function
in-process. What both share (the `JobQueue` interface, its errors, staging an upload) is in
ingest/job_queue.py; every name is importable from here.
"""
from __future__ import annotations

import functools
import logging
import time
from dataclasses import replace
from typing import TYPE_CHECKING

from ingest.errors import (  # noqa: F401  re-exported: the HTTP API maps them to status codes
    CorruptDocument, DocumentTooLarge, EmptyDocument, EncryptedDocument, IngestError, UnsafeName, UnsupportedFormat,
)
from ingest.inline_queue import InlineQueue
from ingest.job_queue import (  # noqa: F401  re-exported: callers import the queue's names from here
    INCOMING, JobNotCancellable, JobNotFound, JobNotRetryable, JobQueue, QueueUnavailable, check_upload, stage_upload,
    with_result,
)
from ingest.jobs import JobInfo, JobSpec, JobState, job_id  # noqa: F401  (JobSpec, job_id: re-exported)
from rag.settings import Settings

if TYPE_CHECKING:
    from redis import Redis
    from rq.job import Job

log = logging.getLogger(__name__)

JOB_FUNCTION = "ingest.worker.ingest_job"  # by name: the API never imports the worker's heavy parts
EMBED_FUNCTION = "ingest.worker.embed_job"

_STATES: dict[str, JobState] = {
    "created": "queued", "queued": "queued", "deferred": "queued", "scheduled": "queued",
    "rate_limited": "queued", "ready_to_enqueue": "queued", "started": "running",
    "finished": "done", "failed": "failed", "stopped": "cancelled", "canceled": "cancelled",
}


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
            info = with_result(info, job.return_value() or {})
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
