"""The embedded default queue (KORAG_REDIS_URL unset): jobs run in this process, one at a time on a thread.

The same job function as a `korag worker` runs (`IngestRuntime`); vectors are then filled in by the
KB's background embedder (ingest/background.py), and a job follows them until they are all in.
"""
from __future__ import annotations

import logging
import sqlite3
import threading
import time
from collections import OrderedDict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace

from ingest.errors import IngestError
from ingest.job_queue import JobNotCancellable, JobNotFound, JobNotRetryable, JobQueue, stage_upload, with_result
from ingest.jobs import IngestRuntime, JobFailed, JobInfo, JobSpec, job_id
from rag.errors import RetrievalError
from rag.kb import KnowledgeBase
from rag.settings import Settings

log = logging.getLogger(__name__)


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
            final = with_result(self._jobs[key], result)
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
