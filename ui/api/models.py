"""The HTTP API's request and response bodies: pydantic at the edge, separate in and out models.

Out models are built from korag's value objects (`DocumentRecord`, `SearchHit`, `JobInfo`) by the
`of` class methods, so the API's JSON never leaks an internal field by accident.
"""
from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, Field

from rag.model import citation_label


class FileErrorOut(BaseModel):
    name: str = Field(description="The uploaded file's name")
    error: str = Field(description="Why it was refused, for a person")


class ErrorOut(BaseModel):
    """Every error response: a machine-readable code and one sentence for a person."""

    error: str = Field(description="e.g. knowledge_base_not_found, unsupported_format, file_too_large")
    detail: str
    files: list[FileErrorOut] = Field(default_factory=list, description="Per-file reasons (uploads)")


class HealthOut(BaseModel):
    status: Literal["ok", "degraded"]
    queue: Literal["redis", "inline"]
    redis: bool | None = Field(description="Redis answers (null when the queue is inline)")
    knowledge_bases: int


class KbIn(BaseModel):
    name: str = Field(min_length=1, max_length=64, description="Letters (한글 included), digits, - _ .",
                      examples=["회사"])


class KbOut(BaseModel):
    name: str
    documents: int
    chunks: int


class KbInfoOut(KbOut):
    vectors: int = Field(description="Chunks with a dense vector")
    pending_embeddings: int = Field(description="Chunks searchable lexically, still waiting for a vector")
    embedding: bool = Field(False, description="An embedder is adding vectors now")
    status: str = Field("", description='For a person: "검색 가능 · 벡터 n/m"')
    embedder: str | None
    disk_bytes: int


class DocumentOut(BaseModel):
    id: str
    name: str
    source: str = Field(description="Where it came from: a path, or upload:<name>")
    format: str
    bytes: int
    pages: int | None
    chunks: int
    version: int
    tags: list[str]
    readers: list[str] = Field(default_factory=list, description="group:<name> / user:<name>; empty: the whole KB")
    pages_needing_ocr: list[int]
    updated_at: float = Field(description="Unix time")
    vectors: int = Field(0, description="Chunks of this document with a dense vector (searchable by keywords from "
                                        "the start; vectors fill in in the background)")
    status: str = Field("", description='For a person: "검색 가능 · 벡터 n/m"')

    @classmethod
    def of(cls, doc, tags: tuple[str, ...], readers: tuple[str, ...] = (), vectors=None) -> DocumentOut:
        return cls(id=doc.id, name=doc.name, source=doc.source, format=doc.format, bytes=doc.bytes, pages=doc.pages,
                   chunks=doc.chunks, version=doc.version, tags=list(tags), readers=list(readers),
                   pages_needing_ocr=list(doc.pages_needing_ocr), updated_at=doc.updated_at,
                   vectors=vectors.done if vectors is not None else 0,
                   status=vectors.label() if vectors is not None else "")


class BlockOut(BaseModel):
    kind: str = Field(description="paragraph, heading, table, form, list, annex, note, label, header, footer")
    page: int | None
    heading_path: list[str]
    text: str
    label: str | None = Field(None, description="kind 'label': the 공문 header field (수신, 제목, 시행, …)")


class DocumentDetailOut(DocumentOut):
    blocks: list[BlockOut] = Field(description="The extracted text in reading order")


class TagsIn(BaseModel):
    tags: list[str] = Field(description="The document's tags; replaces the old ones", examples=[["인사", "규정"]])


class JobOut(BaseModel):
    """An ingest job. `state`: queued → running (`stage` parsing → searchable → embedding) → done | failed |
    cancelled. The document is searchable from `stage=searchable` on; `done`/`total` count its own chunks."""

    id: str
    kb: str
    name: str
    state: Literal["queued", "running", "done", "failed", "cancelled"]
    stage: str | None = Field(description="parsing, searchable (keyword search finds it), embedding; null while queued")
    done: int = Field(description="Progress within the stage: this document's chunks with a vector")
    total: int
    attempts: int
    status: str | None = Field(description="Once done: added, updated or unchanged")
    document_id: str | None
    chunks: int
    pages: int | None
    error: str | None = Field(description="Why it failed, for a person")
    warnings: list[str]
    enqueued_at: float | None
    started_at: float | None
    ended_at: float | None

    @classmethod
    def of(cls, job) -> JobOut:
        return cls(id=job.id, kb=job.kb, name=job.name, state=job.state, stage=job.stage, done=job.done,
                   total=job.total, attempts=job.attempts, status=job.status, document_id=job.document_id,
                   chunks=job.chunks, pages=job.pages, error=job.error, warnings=list(job.warnings),
                   enqueued_at=job.enqueued_at, started_at=job.started_at, ended_at=job.ended_at)


class UploadOut(BaseModel):
    queue: Literal["redis", "inline"] = Field(description="redis: jobs run on workers; inline: on a thread of the API "
                                                           "process (vectors by the KB's background embedder)")
    jobs: list[JobOut]


class FiltersIn(BaseModel):
    """All given conditions must hold; applied inside the indexes, before ranking."""

    documents: list[str] = Field(default_factory=list, description="Document ids or file names")
    tags: list[str] = Field(default_factory=list, description="Any of these tags")
    folder: str | None = Field(None, description="Source path prefix (files ingested from a folder)")
    since: date | None = Field(None, description="Updated on or after (YYYY-MM-DD)")
    until: date | None = Field(None, description="Updated on or before (YYYY-MM-DD)")


class SearchIn(BaseModel):
    query: str = Field(min_length=1, max_length=2000, examples=["출장 숙박비 한도"])
    k: int = Field(5, ge=1, le=100)
    mode: Literal["hybrid", "lexical", "dense"] = "hybrid"
    filters: FiltersIn | None = None


class HitOut(BaseModel):
    rank: int
    score: float
    chunk_id: int
    document_id: str
    document_name: str
    page: int | None
    heading_path: list[str]
    citation: str = Field(description="How to cite it: '규정.hwp › 제12조(대부한도) ① · 3쪽'")
    kind: str = Field("text", description="What the passage is: text, table, form, annex, note, label, …")
    text: str
    start: int = Field(description="Character span in the document's extracted text")
    end: int

    @classmethod
    def of(cls, rank: int, hit) -> HitOut:
        c = hit.chunk
        return cls(rank=rank, score=hit.score, chunk_id=c.id, document_id=hit.document.id,
                   document_name=hit.document.name, page=c.page, heading_path=list(c.heading_path),
                   citation=citation_label(hit.document.name, c.heading_path, c.page), kind=c.kind, text=c.text,
                   start=c.start, end=c.end)


class SearchOut(BaseModel):
    query: str
    mode: str
    hits: list[HitOut]
