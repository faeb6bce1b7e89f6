"""One ingest job: what it carries (`JobSpec`), how a person sees it (`JobInfo`), and how it runs
(`IngestRuntime`), shared by the queue that submits jobs and the worker that runs them.

The inline queue runs `IngestRuntime` itself, so neither the queue nor the worker imports the other.
"""
from __future__ import annotations

import hashlib
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

from filelock import Timeout

from ingest.errors import IngestError
from ingest.pipeline import Ingestor
from ingest.split import KoreanSplitter
from rag.embed_state import embed_lock
from rag.errors import KnowledgeBaseBusy, KnowledgeBaseNotFound, RetrievalError
from rag.kb import KnowledgeBase
from rag.kb_cache import KbCache
from rag.settings import Settings

log = logging.getLogger(__name__)

JobState = Literal["queued", "running", "done", "failed", "cancelled"]
# What a running job is doing: parsing (read, parse, split, store), then searchable (stored: keyword
# search finds it), then embedding (its own chunks' vectors, n of m), then the job is done.
Stage = Literal["parsing", "searchable", "embedding"]
Progress = Callable[[str, int, int], None]  # (stage, done, total)


@dataclass(frozen=True)
class JobSpec:
    """What a worker needs to ingest one staged upload."""

    kb: str
    staged: str  # relative to the KB directory, so workers may mount KORAG_HOME anywhere
    name: str
    source: str
    sha256: str
    tags: tuple[str, ...] = ()
    readers: tuple[str, ...] | None = None  # who may read the document (None: the whole KB)
    user: str | None = None  # who uploaded it (None: the operator or an admin)
    ocr_engine: str | None = None  # auto | tesseract | scene | varco for this file (None: KORAG_OCR_ENGINE)
    embed: bool = True  # False (`--no-embed`): searchable by keywords only, until `korag embed`

    def as_dict(self) -> dict:
        return {"kb": self.kb, "staged": self.staged, "name": self.name, "source": self.source,
                "sha256": self.sha256, "tags": list(self.tags),
                "readers": list(self.readers) if self.readers is not None else None, "user": self.user,
                "ocr_engine": self.ocr_engine, "embed": self.embed}

    @classmethod
    def from_dict(cls, d: dict) -> JobSpec:
        readers = d.get("readers")
        return cls(d["kb"], d["staged"], d["name"], d["source"], d["sha256"], tuple(d.get("tags") or ()),
                   tuple(readers) if readers is not None else None, d.get("user"), d.get("ocr_engine"),
                   bool(d.get("embed", True)))


@dataclass(frozen=True)
class JobInfo:
    """One ingest job as a person sees it: state, stage and progress, then the file's result."""

    id: str
    kb: str
    name: str
    state: JobState
    stage: str | None = None  # parsing → searchable → embedding (see `Stage`); None while queued
    done: int = 0  # progress within the stage: chunks of this job's document embedded
    total: int = 0
    attempts: int = 0
    status: str | None = None  # the file's result once done: added, updated, unchanged
    document_id: str | None = None
    chunks: int = 0
    pages: int | None = None
    error: str | None = None
    warnings: tuple[str, ...] = field(default_factory=tuple)
    enqueued_at: float | None = None
    started_at: float | None = None
    ended_at: float | None = None
    user: str | None = None  # who uploaded it: a non-admin sees only their own jobs

    @property
    def over(self) -> bool:
        return self.state in ("done", "failed", "cancelled")


def job_id(kb: str, sha256: str, user: str | None = None) -> str:
    """Idempotency key: the same bytes submitted to the same KB (by the same non-admin user) are one job."""
    owner = f"\0{user}" if user else ""
    return "ingest-" + hashlib.sha256(f"{kb}\0{sha256}{owner}".encode()).hexdigest()[:32]


class JobFailed(IngestError):
    """The file itself is the problem (unsupported, corrupt, encrypted…): retrying cannot help."""


class IngestRuntime:
    """What a worker keeps between jobs: the settings, one open KB and splitter per KB, the embedder.

    Building Kiwi costs seconds and its memory is large, so a worker builds it once (`warm_up`)
    and every job reuses it; jobs run in the worker's own process for the same reason.
    """

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._kbs: KbCache[tuple[KnowledgeBase, KoreanSplitter]] = KbCache(
            settings, self._open_kb, close=lambda opened: opened[0].close())
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
        return self._kbs.get(name)

    def _open_kb(self, name: str) -> tuple[KnowledgeBase, KoreanSplitter]:
        kb = KnowledgeBase.open(self.settings, name)
        return kb, KoreanSplitter(kb.kiwi(), self.settings.chunk_tokens, self.settings.chunk_overlap_sentences)

    def run(self, spec: JobSpec, progress: Progress) -> dict:
        """Ingest one staged upload until it is searchable; the file's result as a dict.

        Embedding is a step of its own (`embed`): a worker queues it behind the next uploads' parsing,
        and inline the KB's background embedder does it, so no document waits for another's vectors.
        """
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
                                uploader=uploader, ocr_engine=spec.ocr_engine)
            file = ingestor.ingest_bytes(data, spec.name, spec.source)
            if not file.ok:
                staged.unlink(missing_ok=True)
                raise JobFailed(spec.name, file.error or "failed")
            result = {"name": file.name, "status": file.status, "document_id": file.document_id,
                      "format": file.format, "chunks": file.chunks, "pages": file.pages,
                      "warnings": list(file.warnings)}
        kb.refresh_lexical()  # searchable means searchable now, not after the next throttled refresh
        progress("searchable", result["chunks"], result["chunks"])
        staged.unlink(missing_ok=True)
        log.info("searchable: %s (%s) → kb %s, %s", result["document_id"], spec.name, spec.kb, result["status"])
        return result

    def embed(self, kb_name: str, document_id: str, progress: Progress) -> str | None:
        """Fill in the vectors of one document's chunks (those still without one); a warning instead of failing.

        Progress counts this document's chunks only: n of m, m its chunk count, so a job never reports
        another upload's chunks. Each batch is saved, so a retry after a crash resumes.
        """
        embedder = self.embedder()
        if embedder is None:
            return None
        kb, _ = self.knowledge_base(kb_name)
        # one embedder per KB at a time (workers, the background embedder, `korag embed`): the cores
        # are shared anyway, and every surface reads the lock as "embedding now"
        lock = embed_lock(kb.path)
        try:
            lock.acquire(timeout=self.settings.lock_timeout_s)
        except Timeout as err:  # transient: the job is retried later
            raise KnowledgeBaseBusy(f"another process is embedding knowledge base {kb_name!r}") from err
        try:
            done, total = kb.vector_counts([document_id]).get(document_id, (0, 0))
            progress("embedding", done, total)
            ids = kb.store.chunk_ids_by_document([document_id]).get(document_id)
            if ids is not None and ids.size:
                kb.embed_pending(embedder, lambda n, _: progress("embedding", done + n, total), only=ids)
        except RetrievalError as err:  # e.g. the KB was embedded with another model: lexical search still works
            return f"dense vectors not added: {err}"
        except OSError as err:  # a full disk, an unreadable index: the document is stored and searchable
            log.warning("embedding %s in kb %s failed: %s", document_id, kb_name, err)
            return (f"dense vectors not added ({err}); the document is searchable by keywords — "
                    "run `korag embed` once the problem is fixed")
        finally:
            lock.release()
        return None
