"""Uploads from the portal into a knowledge base: inline in this process (the embedded default), or
queued to `korag worker`s when KORAG_REDIS_URL is set. Each file reports its status as it goes:
대기 → 분석 중 → 검색 가능 → 벡터 n/m; vectors are never waited for.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from agents import Assistant
from agents.errors import DocumentTooLarge, IngestError
from agents.jobs import JobInfo, Jobs, check_size
from rag.errors import RetrievalError
from rag.settings import Settings

State = Literal["queued", "parsing", "searchable", "embedding", "done", "failed"]
STATE_LABELS: dict[str, str] = {"queued": "대기 중", "parsing": "분석 중", "ocr": "OCR", "searchable": "검색 가능",
                                "embedding": "검색 가능", "done": "완료", "failed": "실패", "running": "처리 중",
                                "cancelled": "취소됨"}
RESULT_LABELS = {"added": "추가됨", "updated": "새 버전으로 바뀜", "unchanged": "이미 있음 (변경 없음)"}


@dataclass(frozen=True)
class Upload:
    """One uploaded file's name and bytes."""

    name: str
    data: bytes


@dataclass(frozen=True)
class UploadStatus:
    """Where one file is: its state, a Korean line for people, and progress from 0 to 1."""

    name: str
    state: State
    message: str
    progress: float = 0.0
    document_id: str | None = None
    job_id: str | None = None

    @property
    def over(self) -> bool:
        return self.state in ("done", "failed")


OnStatus = Callable[[int, UploadStatus], None]


def refusal(settings: Settings, allowed: list[str], upload: Upload) -> str | None:
    """Why the portal will not take a file (type or size), before any work is done; None when it will."""
    suffix = upload.name.rsplit(".", 1)[-1].lower() if "." in upload.name else ""
    if allowed and suffix not in allowed:
        return f"허용되지 않은 파일 형식입니다 (.{suffix or '?'}). 허용: {', '.join(allowed)} (KORAG_PORTAL_UPLOAD_TYPES)"
    try:
        check_size(upload.name, len(upload.data), settings)
    except DocumentTooLarge:
        return f"파일이 {settings.max_file_mb} MB 제한보다 큽니다 (KORAG_MAX_FILE_MB)"
    if not upload.data:
        return "빈 파일입니다"
    return None


def ingest_inline(assistant: Assistant, uploads: list[Upload], allowed: list[str],
                  on_status: OnStatus, readers: tuple[str, ...] | None = None,
                  ocr_engine: str | None = None) -> list[UploadStatus]:
    """Parse, split and store each file (searchable at once), then leave the vectors to the KB's background
    embedder: nobody waits for them. One failed file never stops the batch."""
    statuses = [UploadStatus(u.name, "queued", STATE_LABELS["queued"]) for u in uploads]

    def put(i: int, status: UploadStatus) -> None:
        statuses[i] = status
        on_status(i, status)

    for i, status in enumerate(statuses):
        on_status(i, status)
    for i, upload in enumerate(uploads):
        reason = refusal(assistant.settings, allowed, upload)
        if reason:
            put(i, UploadStatus(upload.name, "failed", reason, 1.0))
            continue
        put(i, UploadStatus(upload.name, "parsing", "분석 중 (텍스트 추출, OCR, 문장 분리)", 0.2))
        try:
            result = assistant.ingest_bytes(upload.data, upload.name, readers=readers, ocr_engine=ocr_engine,
                                            embed=False)
        except (RetrievalError, OSError) as err:  # e.g. the KB is busy: this file fails, the batch goes on
            put(i, UploadStatus(upload.name, "failed", str(err), 1.0))
            continue
        if not result.ok:
            put(i, UploadStatus(upload.name, "failed", result.error or "실패", 1.0))
            continue
        put(i, UploadStatus(upload.name, "searchable", _summary(result), 0.6, result.document_id))
    _embed(assistant, statuses, put)
    return statuses


def _summary(result) -> str:
    parts = [RESULT_LABELS.get(result.status, result.status), f"{result.chunks}개 청크"]
    if result.pages:
        parts.append(f"{result.pages}쪽")
    if result.ocr_pages:
        parts.append(f"OCR {len(result.ocr_pages)}쪽")
    if result.pages_needing_ocr:
        parts.append(f"OCR 필요 {len(result.pages_needing_ocr)}쪽")
    parts += list(result.warnings)
    return " · ".join(parts)


def _embed(assistant: Assistant, statuses: list[UploadStatus], put: OnStatus) -> None:
    """Start the background embedder for the batch; each file is done (searchable) with its 벡터 n/m."""
    stored = [i for i, s in enumerate(statuses) if s.state == "searchable"]
    if not stored:
        return
    assistant.embed_in_background()
    vectors = assistant.document_vectors([statuses[i].document_id for i in stored])
    for i in stored:
        status = statuses[i]
        shown = vectors.get(status.document_id)
        put(i, UploadStatus(status.name, "done", f"{shown.label() if shown else '검색 가능'} · {status.message}",
                            1.0, status.document_id))


def submit_queued(queue: Jobs, assistant: Assistant, uploads: list[Upload], allowed: list[str],
                  readers: tuple[str, ...] | None = None, ocr_engine: str | None = None) -> list[UploadStatus]:
    """One job per file for the workers; refused files fail here, at once, with the reason."""
    statuses = []
    for upload in uploads:
        reason = refusal(assistant.settings, allowed, upload)
        if reason:
            statuses.append(UploadStatus(upload.name, "failed", reason, 1.0))
            continue
        try:
            job = queue.submit(assistant, upload.data, upload.name, readers=readers, ocr_engine=ocr_engine)
        except IngestError as err:
            statuses.append(UploadStatus(upload.name, "failed", err.reason, 1.0))
            continue
        statuses.append(job_status(job))
    return statuses


def job_status(job: JobInfo) -> UploadStatus:
    """A queued job as the same status line inline ingestion shows."""
    if job.state == "done":
        parts = [RESULT_LABELS.get(job.status or "", job.status or "완료"), f"{job.chunks}개 청크", *job.warnings]
        return UploadStatus(job.name, "done", " · ".join(parts), 1.0, job.document_id, job.id)
    if job.state in ("failed", "cancelled"):
        return UploadStatus(job.name, "failed", job.error or STATE_LABELS[job.state], 1.0, None, job.id)
    if job.state == "queued":
        return UploadStatus(job.name, "queued", "대기 중 (작업자를 기다립니다)", 0.0, None, job.id)
    stage = job.stage or "parsing"
    if stage == "parsing":  # 대기 → 분석 중 → 검색 가능 → 벡터 n/m
        return UploadStatus(job.name, "parsing", "분석 중 (텍스트 추출, OCR, 문장 분리)", 0.2, None, job.id)
    if stage == "searchable":
        return UploadStatus(job.name, "searchable", "검색 가능 · 벡터 대기 (지금 질문할 수 있습니다)", 0.6,
                            job.document_id, job.id)
    share = job.done / job.total if job.total else 0.0
    return UploadStatus(job.name, "embedding", f"검색 가능 · 벡터 {job.done}/{job.total}", 0.6 + 0.4 * share,
                        job.document_id, job.id)
