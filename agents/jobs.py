"""Ingest jobs as the edges (CLI, HTTP API, portal) use them: queue uploads, follow, cancel and retry
them, run a worker. ui reaches ingestion only through here and `Assistant` (DESIGN: ui imports agents).

`Jobs(settings)` is Redis when KORAG_REDIS_URL is set (`korag worker`s run the jobs), else inline
(jobs run on a thread of this process, and the KB's background embedder adds their vectors). Its errors are `IngestError`s (agents.errors): a refused upload,
or one of the queue's own below (`JobNotFound`, `JobNotCancellable`, `JobNotRetryable`, `QueueUnavailable`).
"""
from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from ingest.queue import (JobInfo, JobNotCancellable, JobNotFound, JobNotRetryable, JobQueue, JobState,
                          QueueUnavailable, check_upload, open_queue)
from ingest.limits import check_size
from rag.settings import Settings

if TYPE_CHECKING:
    from agents.assistant import Assistant

__all__ = ["check_size", "JobInfo", "JobNotCancellable", "JobNotFound", "JobNotRetryable", "JobState", "Jobs", "QueueUnavailable",
           "run_worker"]


class Jobs:
    """The ingest job queue: one per edge process (it holds the Redis connection pool)."""

    def __init__(self, settings: Settings, queue: JobQueue | None = None) -> None:
        self.settings = settings
        self._queue = queue or open_queue(settings)

    @property
    def kind(self) -> str:
        """'redis' or 'inline'."""
        return self._queue.kind

    def ping(self) -> bool:
        """Does Redis answer (always True inline)?"""
        return self._queue.ping()

    def check(self, data: bytes, name: str) -> str:
        """Refuse an upload before any job exists (name, size, format); returns its format."""
        return check_upload(self.settings, data, name)

    def submit(self, assistant: Assistant, data: bytes, name: str, source: str | None = None,
               tags: Iterable[str] = (), readers: Iterable[str] | None = None,
               ocr_engine: str | None = None, embed: bool = True) -> JobInfo:
        """Queue one upload into the Assistant's KB, sent by the Assistant's user (who sees the job);
        `ocr_engine` reads its scans and images (None: KORAG_OCR_ENGINE).

        Returns at once. The job goes queued → running (stage parsing → searchable → embedding n/m) →
        done | failed; the document is searchable from `searchable` on. `embed=False`: no vectors
        (searchable by keywords; `korag embed` adds them)."""
        return self._queue.submit(assistant.kb, data, name, source=source, tags=tags, readers=readers,
                                  uploader=assistant.reader, ocr_engine=ocr_engine, embed=embed)

    def job(self, job_id: str) -> JobInfo:
        return self._queue.job(job_id)

    def list(self, kb: str | None = None, state: JobState | None = None, limit: int = 200) -> list[JobInfo]:
        """Recent jobs, newest first; `state="failed"` is the dead-letter list."""
        return self._queue.jobs(kb, state, limit)

    def cancel(self, job_id: str) -> JobInfo:
        """Cancel a queued job (JobNotCancellable once it runs)."""
        return self._queue.cancel(job_id)

    def retry(self, job_id: str) -> JobInfo:
        """Queue a failed job again once its cause is fixed (JobNotRetryable otherwise)."""
        return self._queue.retry(job_id)


def run_worker(settings: Settings, burst: bool = False, name: str | None = None) -> bool:
    """`korag worker`: run jobs from Redis until stopped (with `burst`, until the queue is empty)."""
    from ingest.worker import run_worker as work  # RQ and the parsers load only in a worker process

    return work(settings, burst=burst, name=name)
