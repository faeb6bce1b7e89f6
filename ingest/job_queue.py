"""What every ingest job queue shares: checking and staging an upload, the `JobQueue` interface, its errors.

`ingest.queue` holds the Redis queue and `open_queue`; `ingest.inline_queue` the in-process default.
"""
from __future__ import annotations

import hashlib
import os
import threading
from collections.abc import Iterable
from dataclasses import replace

from ingest.detect import detect_format
from ingest.errors import CorruptDocument, IngestError
from ingest.jobs import JobInfo, JobSpec, JobState
from ingest.limits import check_size
from ingest.pipeline import check_name, upload_source
from rag.acl import Reader, parse_readers
from rag.kb import KnowledgeBase
from rag.settings import Settings

INCOMING = "incoming"  # <kb>/incoming/<sha256><suffix>: uploads waiting for a worker


class JobNotFound(IngestError):
    """No job with that id (finished and failed jobs are forgotten after KORAG_JOB_KEEP_DAYS)."""


class JobNotCancellable(IngestError):
    """The job is already running or over."""


class JobNotRetryable(JobNotCancellable):
    """Only a failed job whose upload is still staged can run again."""


class QueueUnavailable(IngestError):
    """Redis cannot be reached."""


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



def with_result(info: JobInfo, result: dict) -> JobInfo:
    """`info` with what the job function returned (status, document, chunks, pages, warnings)."""
    return replace(info, status=result.get("status"), document_id=result.get("document_id"),
                   chunks=result.get("chunks", 0), pages=result.get("pages"),
                   warnings=tuple(result.get("warnings") or ()))
