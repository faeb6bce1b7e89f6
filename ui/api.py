"""`korag api`: the HTTP API (FastAPI) over knowledge bases, documents, ingest jobs and search.

OpenAPI at /openapi.json (docs at /docs). Every error is an `ErrorOut` JSON body with a status a
client can act on: 401 key, 404 unknown KB/document/job, 409 conflict, 413 too large, 415 format, 422 input.
"""
from __future__ import annotations

import asyncio
import hashlib
import hmac
import secrets
import threading

from fastapi import APIRouter, Depends, FastAPI, File, Form, Request, Response, Security, UploadFile
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, StreamingResponse
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer
from starlette.exceptions import HTTPException as StarletteHTTPException

from agents import Assistant
from agents.assistant import jobs
from rag.dense import EmbedderMismatch
from rag.embed import EmbedderUnavailable
from rag.errors import (DocumentNotFound, InvalidName, KnowledgeBaseBusy, KnowledgeBaseNotFound,
                        RetrievalError)
from rag.filters import Filters
from rag.kb import KnowledgeBase
from rag.settings import Settings
from ui.api_answers import answer_routes
from ui.api_models import (BlockOut, DocumentDetailOut, DocumentOut, ErrorOut, FileErrorOut, HealthOut, HitOut,
                           JobOut, KbIn, KbInfoOut, KbOut, SearchIn, SearchOut, TagsIn, UploadOut)

# status and machine-readable code per error class; the first match in the class's MRO wins
_ERRORS: list[tuple[type[Exception], int, str]] = [
    (KnowledgeBaseNotFound, 404, "knowledge_base_not_found"),
    (DocumentNotFound, 404, "document_not_found"),
    (jobs.JobNotFound, 404, "job_not_found"),
    (InvalidName, 422, "invalid_name"),
    (KnowledgeBaseBusy, 503, "knowledge_base_busy"),
    (EmbedderUnavailable, 503, "embedder_unavailable"),
    (EmbedderMismatch, 409, "embedder_mismatch"),
    (jobs.JobNotCancellable, 409, "job_not_cancellable"),
    (jobs.QueueUnavailable, 503, "queue_unavailable"),
    (jobs.DocumentTooLarge, 413, "file_too_large"),
    (jobs.UnsupportedFormat, 415, "unsupported_format"),
    (jobs.EncryptedDocument, 422, "encrypted_document"),
    (jobs.CorruptDocument, 422, "corrupt_document"),
    (jobs.EmptyDocument, 422, "empty_document"),
    (jobs.UnsafeName, 422, "unsafe_file_name"),
    (jobs.IngestError, 422, "cannot_ingest"),
    (RetrievalError, 409, "knowledge_base_error"),
]
_RESPONSES = {s: {"model": ErrorOut} for s in (401, 404, 409, 413, 415, 422, 503)}
SSE_POLL_S = 0.5


class ApiError(Exception):
    """An error the API raises itself, with its status and code."""

    def __init__(self, status: int, code: str, detail: str, files: list[FileErrorOut] | None = None) -> None:
        super().__init__(detail)
        self.status, self.code, self.detail, self.files = status, code, detail, files or []


class ApiKeysMissing(ValueError):
    """KORAG_API_AUTH is on but no key digests are configured."""


def key_digest(key: str) -> str:
    """What KORAG_API_KEYS holds for a key: its SHA-256, hex (keys are random, so no salt is needed)."""
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def new_key() -> tuple[str, str]:
    """A fresh API key and its digest."""
    key = "korag-" + secrets.token_urlsafe(32)
    return key, key_digest(key)


def _error(err: Exception) -> tuple[int, str]:
    for cls, status, code in _ERRORS:
        if isinstance(err, cls):
            return status, code
    return 500, "internal_error"


def _json(status: int, code: str, detail: str, files: list[FileErrorOut] | None = None,
          headers: dict | None = None) -> JSONResponse:
    body = ErrorOut(error=code, detail=detail, files=files or [])
    return JSONResponse(body.model_dump(), status_code=status, headers=headers)


class _Service:
    """What the routes share: settings, the job queue, one Assistant per KB (its Kiwi and indexes warm)."""

    def __init__(self, settings: Settings, queue: jobs.JobQueue) -> None:
        self.settings = settings
        self.queue = queue
        self._assistants: dict[str, tuple[int, Assistant]] = {}
        self._lock = threading.Lock()

    def assistant(self, name: str) -> Assistant:
        """The KB's Assistant; reopened when the KB was deleted and created again by another process."""
        KnowledgeBase.open(self.settings, name)  # validates the name, 404s an unknown KB
        try:
            inode = (self.settings.kb_path(name) / "kb.sqlite").stat().st_ino
        except FileNotFoundError:
            raise KnowledgeBaseNotFound(f"no knowledge base {name!r}") from None
        with self._lock:
            cached = self._assistants.get(name)
            if cached is None or cached[0] != inode:
                cached = self._assistants[name] = (inode, Assistant(name, self.settings, create=False))
            return cached[1]

    def any_assistant(self) -> Assistant:
        """An Assistant for work that needs no particular KB (OCR): the default KB's, created if missing."""
        with self._lock:
            cached = self._assistants.get("\0ocr")
            if cached is None:
                cached = self._assistants["\0ocr"] = (0, Assistant(self.settings.kb, self.settings, create=True))
            return cached[1]

    def forget(self, name: str) -> None:
        with self._lock:
            self._assistants.pop(name, None)


def create_app(settings: Settings | None = None, queue: jobs.JobQueue | None = None) -> FastAPI:
    """The API over `settings` (read from KORAG_* when None) and a job queue (`open_queue` when None)."""
    settings = settings or Settings()
    digests = [d.strip().lower() for d in settings.api_keys.split(",") if d.strip()]
    if settings.api_auth and not digests:
        raise ApiKeysMissing("KORAG_API_AUTH is on but KORAG_API_KEYS is empty: add a key digest "
                             "(`korag api --new-key` makes one) or set KORAG_API_AUTH=false for local use")
    service = _Service(settings, queue or jobs.open_queue(settings))
    app = FastAPI(title="korag", version="0.1.0", description="한국어 문서 RAG: knowledge bases, documents, "
                  "ingest jobs and search over Korean documents (HWP, HWPX, PDF, DOCX, PPTX, XLSX, …).")
    app.state.service = service

    bearer = HTTPBearer(auto_error=False, description="Authorization: Bearer <API key>")
    header = APIKeyHeader(name="X-API-Key", auto_error=False, description="X-API-Key: <API key>")

    def require_key(credentials: HTTPAuthorizationCredentials | None = Security(bearer),
                    key: str | None = Security(header)) -> None:
        if not settings.api_auth:
            return
        given = key or (credentials.credentials if credentials else None)
        if not given:
            raise ApiError(401, "api_key_missing", "send the API key as `Authorization: Bearer <key>` or `X-API-Key`")
        digest = key_digest(given)
        if not any(hmac.compare_digest(digest, d) for d in digests):
            raise ApiError(401, "api_key_invalid", "the API key is not one of KORAG_API_KEYS")

    @app.exception_handler(ApiError)
    async def _api_error(_: Request, err: ApiError) -> JSONResponse:
        headers = {"WWW-Authenticate": "Bearer"} if err.status == 401 else None
        return _json(err.status, err.code, err.detail, err.files, headers)

    @app.exception_handler(RetrievalError)
    @app.exception_handler(jobs.IngestError)
    async def _domain_error(_: Request, err: Exception) -> JSONResponse:
        status, code = _error(err)
        headers = {"Retry-After": "10"} if status == 503 else None
        detail = err.reason if isinstance(err, jobs.IngestError) else str(err)
        if isinstance(err, KnowledgeBaseNotFound):  # the KB layer's message points at the CLI and a server path
            detail = "no such knowledge base; create it with POST /v1/kbs"
        return _json(status, code, detail, headers=headers)

    @app.exception_handler(RequestValidationError)
    async def _invalid(_: Request, err: RequestValidationError) -> JSONResponse:
        parts = ["{}: {}".format(".".join(str(p) for p in e.get("loc", ())), e.get("msg", "")) for e in err.errors()]
        return _json(422, "invalid_request", "; ".join(parts) or "invalid request")

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, err: StarletteHTTPException) -> JSONResponse:
        return _json(err.status_code, "not_found" if err.status_code == 404 else "http_error", str(err.detail))

    @app.middleware("http")
    async def _limit_size(request: Request, call_next):
        # refuse an oversized body before it is read; each file is held to KORAG_MAX_FILE_MB later
        length = request.headers.get("content-length")
        if length and length.isdigit() and int(length) > settings.api_max_request_mb * 2**20:
            return _json(413, "request_too_large", f"the request is over {settings.api_max_request_mb} MiB "
                                                   "(KORAG_API_MAX_REQUEST_MB); send fewer files per request")
        return await call_next(request)

    @app.get("/health", response_model=HealthOut, tags=["health"])
    def health() -> HealthOut:
        """Liveness for load balancers and compose (no key needed); `degraded` when Redis is unreachable."""
        redis = service.queue.ping() if service.queue.kind == "redis" else None
        return HealthOut(status="degraded" if redis is False else "ok", queue=service.queue.kind, redis=redis,
                         knowledge_bases=len(KnowledgeBase.names(settings)))

    v1 = APIRouter(prefix="/v1", dependencies=[Depends(require_key)], responses=_RESPONSES)
    _knowledge_base_routes(v1, service)
    _document_routes(v1, service)
    _job_routes(v1, service)
    _search_routes(v1, service)
    # ask / summarize / extract and the OpenAI-compatible chat (ui/api_answers.py): on `v1`, so they share
    # the API-key check and the error mapping above
    answer_routes(v1, service, ApiError)
    app.include_router(v1)
    return app


def _knowledge_base_routes(v1: APIRouter, service: _Service) -> None:
    settings = service.settings

    def info(knowledge: KnowledgeBase) -> KbOut:
        c = knowledge.store.counts()
        return KbOut(name=knowledge.name, documents=c["documents"], chunks=c["chunks"])

    @v1.get("/kbs", response_model=list[KbOut], tags=["knowledge bases"])
    def list_kbs() -> list[KbOut]:
        """Every knowledge base under KORAG_HOME with its size."""
        found = []
        for name in KnowledgeBase.names(settings):  # a plain open: no Assistant (LLM client, history) per KB
            knowledge = KnowledgeBase.open(settings, name)
            found.append(info(knowledge))
            knowledge.close()
        return found

    @v1.post("/kbs", response_model=KbOut, status_code=201, tags=["knowledge bases"])
    def create_kb(body: KbIn) -> KbOut:
        """Create an empty knowledge base (409 if it exists)."""
        if (settings.kb_path(body.name) / "kb.sqlite").exists():
            raise ApiError(409, "knowledge_base_exists", f"knowledge base {body.name!r} already exists")
        knowledge = KnowledgeBase.open(settings, body.name, create=True)
        created = info(knowledge)
        knowledge.close()
        return created

    @v1.get("/kbs/{kb}", response_model=KbInfoOut, tags=["knowledge bases"])
    def kb_info(kb: str) -> KbInfoOut:
        """Sizes, dense vectors and how many chunks still wait for one."""
        knowledge = service.assistant(kb).kb
        base = info(knowledge)
        index = knowledge.dense.index()
        size = sum(p.stat().st_size for p in knowledge.path.rglob("*") if p.is_file())
        return KbInfoOut(**base.model_dump(), vectors=len(index) if index is not None else 0,
                         pending_embeddings=len(knowledge.pending_embeddings()),
                         embedder=knowledge.store.meta_all().get("embedder"), disk_bytes=size)

    @v1.delete("/kbs/{kb}", status_code=204, tags=["knowledge bases"])
    def delete_kb(kb: str) -> Response:
        """Delete a knowledge base and everything in it."""
        KnowledgeBase.delete(settings, kb)
        service.forget(kb)
        return Response(status_code=204)


def _document_routes(v1: APIRouter, service: _Service) -> None:
    settings = service.settings

    def out(knowledge: KnowledgeBase, doc) -> DocumentOut:
        return DocumentOut.of(doc, knowledge.store.tags(doc.id))

    @v1.get("/kbs/{kb}/documents", response_model=list[DocumentOut], tags=["documents"])
    def list_documents(kb: str) -> list[DocumentOut]:
        knowledge = service.assistant(kb).kb
        return [out(knowledge, d) for d in knowledge.documents()]

    @v1.post("/kbs/{kb}/documents", response_model=UploadOut, status_code=202, tags=["documents"],
             responses={201: {"model": UploadOut, "description": "Ingested inline (no Redis configured)"}})
    def upload(kb: str, response: Response,
               files: list[UploadFile] = File(description="One or more documents (multipart/form-data)"),
               tags: list[str] = Form(default=[], description="Tags for every uploaded document")) -> UploadOut:
        """Upload documents: one ingest job each. With Redis the jobs run on workers (202; follow
        GET /v1/jobs/{id}); without, they run before the response (201). Files that are too large,
        not a supported format or unreadable are refused before any job exists, each named."""
        knowledge = service.assistant(kb).kb
        limit = settings.max_file_mb * 2**20
        accepted, refused = [], []
        for upload in files:
            name = upload.filename or ""
            try:
                if upload.size is not None and upload.size > limit:
                    raise jobs.DocumentTooLarge(name, f"{upload.size // 2**20} MiB is over the {settings.max_file_mb}"
                                                      " MiB limit (KORAG_MAX_FILE_MB)")
                data = upload.file.read()
                jobs.check_upload(settings, data, name)
                accepted.append((data, name))
            except jobs.IngestError as err:
                refused.append((err, FileErrorOut(name=name, error=err.reason)))
        if refused:
            status, code = max((_error(err) for err, _ in refused), key=lambda sc: (sc[0] == 413, sc[0] == 415))
            names = ", ".join(f.name for _, f in refused)
            raise ApiError(status, code, f"refused: {names}; nothing was queued", [f for _, f in refused])
        infos = [service.queue.submit(knowledge, data, name, tags=tags) for data, name in accepted]
        response.status_code = 201 if service.queue.kind == "inline" else 202
        return UploadOut(queue=service.queue.kind, jobs=[JobOut.of(i) for i in infos])

    @v1.get("/kbs/{kb}/documents/{doc}", response_model=DocumentDetailOut, tags=["documents"])
    def show_document(kb: str, doc: str) -> DocumentDetailOut:
        """A document (by id, id prefix or file name) with its extracted text blocks."""
        knowledge = service.assistant(kb).kb
        record = knowledge.document(doc)
        blocks = [BlockOut(kind=b.kind, page=b.page, heading_path=list(b.heading_path), text=b.text)
                  for b in knowledge.store.blocks(record.id)]
        return DocumentDetailOut(**out(knowledge, record).model_dump(), blocks=blocks)

    @v1.put("/kbs/{kb}/documents/{doc}/tags", response_model=DocumentOut, tags=["documents"])
    def tag_document(kb: str, doc: str, body: TagsIn) -> DocumentOut:
        """Replace a document's tags (search filters use them)."""
        knowledge = service.assistant(kb).kb
        record = knowledge.document(doc)
        with knowledge.writing():
            knowledge.store.set_tags(record.id, [t.strip() for t in body.tags if t.strip()])
        return out(knowledge, knowledge.document(record.id))

    @v1.delete("/kbs/{kb}/documents/{doc}", response_model=DocumentOut, tags=["documents"])
    def delete_document(kb: str, doc: str) -> DocumentOut:
        """Delete a document: its chunks, index entries and stored original; returns what was deleted."""
        knowledge = service.assistant(kb).kb
        tags = knowledge.store.tags(knowledge.document(doc).id)
        return DocumentOut.of(knowledge.delete_document(doc), tags)


def _job_routes(v1: APIRouter, service: _Service) -> None:
    @v1.get("/jobs", response_model=list[JobOut], tags=["jobs"])
    def list_jobs(kb: str | None = None, state: str | None = None, limit: int = 200) -> list[JobOut]:
        """Recent jobs, newest first; `state=failed` is the dead-letter list."""
        if state not in (None, "queued", "running", "done", "failed", "cancelled"):
            raise ApiError(422, "invalid_request", "state must be queued, running, done, failed or cancelled")
        return [JobOut.of(j) for j in service.queue.jobs(kb, state, max(1, min(limit, 1000)))]  # type: ignore[arg-type]

    @v1.get("/jobs/{job_id}", response_model=JobOut, tags=["jobs"])
    def job(job_id: str) -> JobOut:
        return JobOut.of(service.queue.job(job_id))

    @v1.delete("/jobs/{job_id}", response_model=JobOut, tags=["jobs"])
    def cancel(job_id: str) -> JobOut:
        """Cancel a queued job (409 once it runs)."""
        return JobOut.of(service.queue.cancel(job_id))

    @v1.get("/jobs/{job_id}/events", tags=["jobs"], response_class=StreamingResponse,
            responses={200: {"content": {"text/event-stream": {}},
                             "description": "`event: job` with a JobOut as data on every change, until it is over"}})
    async def events(job_id: str) -> StreamingResponse:
        """Server-sent events: the job's state, stage and progress as they change."""
        first = await run_in_threadpool(service.queue.job, job_id)  # 404 before the stream starts

        async def stream():
            info, last = first, None
            while True:
                body = JobOut.of(info).model_dump_json()
                if body != last:
                    yield f"event: job\ndata: {body}\n\n"
                    last = body
                if info.over:
                    return
                await asyncio.sleep(SSE_POLL_S)
                info = await run_in_threadpool(service.queue.job, job_id)

        return StreamingResponse(stream(), media_type="text/event-stream", headers={"Cache-Control": "no-cache"})


def _search_routes(v1: APIRouter, service: _Service) -> None:
    @v1.post("/kbs/{kb}/search", response_model=SearchOut, tags=["search"])
    def search(kb: str, body: SearchIn) -> SearchOut:
        """Hybrid (BM25 over Kiwi morphemes + dense), lexical or dense search, filtered inside the indexes."""
        assistant = service.assistant(kb)
        filters = None
        if body.filters is not None:
            f = body.filters
            try:
                documents = tuple(assistant.kb.document(ref).id for ref in f.documents)
            except DocumentNotFound as err:
                raise ApiError(422, "unknown_document_in_filter", str(err)) from err
            filters = Filters(documents, tuple(f.tags), f.folder, f.since, f.until)
        try:
            hits = assistant.search(body.query, body.k, filters, body.mode)
        except ValueError as err:  # dense search without an embedder
            raise ApiError(422, "invalid_request", str(err)) from err
        return SearchOut(query=body.query, mode=body.mode, hits=[HitOut.of(i, h) for i, h in enumerate(hits, 1)])


def app_from_env() -> FastAPI:
    """uvicorn factory (`uvicorn --factory ui.api:app_from_env`): settings from KORAG_* and .env."""
    return create_app(Settings())

