"""`korag api`: the HTTP API (FastAPI) over knowledge bases, documents, ingest jobs and search.

OpenAPI at /openapi.json (docs at /docs). Every error is an `ErrorOut` JSON body with a status a
client can act on: 401 key, 404 unknown KB/document/job, 409 conflict, 413 too large, 415 format, 422 input.
"""
from __future__ import annotations

import asyncio
import threading

from fastapi import APIRouter, Depends, FastAPI, File, Form, Request, Response, UploadFile
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, StreamingResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from agents import Assistant
from agents.assistant import jobs
from rag.dense import EmbedderMismatch
from rag.embed import EmbedderUnavailable
from rag.errors import (DocumentNotFound, InvalidName, KnowledgeBaseBusy, KnowledgeBaseNotFound,
                        RetrievalError)
from rag.filters import Filters
from rag.kb import KnowledgeBase
from rag.kb_cache import KbCache
from rag.settings import Settings
from rag.acl import AccessError, parse_readers
from ui.api_acl import acl_routes
from ui.api_answers import answer_routes
from ui.api_auth import ApiKeysMissing, Caller, KeyRing, caller, key_digest, new_key  # noqa: F401  re-exported
from ui.api_models import (BlockOut, DocumentDetailOut, DocumentOut, ErrorOut, FileErrorOut, HealthOut, HitOut,
                           JobOut, KbIn, KbInfoOut, KbOut, SearchIn, SearchOut, TagsIn, UploadOut)

# status and machine-readable code per error class; the first match in the class's MRO wins
_ERRORS: list[tuple[type[Exception], int, str]] = [
    (KnowledgeBaseNotFound, 404, "knowledge_base_not_found"),
    (DocumentNotFound, 404, "document_not_found"),
    (jobs.JobNotFound, 404, "job_not_found"),
    (InvalidName, 422, "invalid_name"),
    (AccessError, 422, "invalid_access_rule"),
    (KnowledgeBaseBusy, 503, "knowledge_base_busy"),
    (EmbedderUnavailable, 503, "embedder_unavailable"),
    (EmbedderMismatch, 409, "embedder_mismatch"),
    (jobs.JobNotRetryable, 409, "job_not_retryable"),
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
_RESPONSES = {s: {"model": ErrorOut} for s in (401, 403, 404, 409, 413, 415, 422, 503)}
SSE_POLL_S = 0.5


class ApiError(Exception):
    """An error the API raises itself, with its status and code."""

    def __init__(self, status: int, code: str, detail: str, files: list[FileErrorOut] | None = None) -> None:
        super().__init__(detail)
        self.status, self.code, self.detail, self.files = status, code, detail, files or []


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
        self._assistants = KbCache(settings, lambda name: Assistant(name, settings, create=False))
        self._ocr: Assistant | None = None
        self._lock = threading.Lock()

    def assistant(self, name: str, who: Caller | None = None) -> Assistant:
        """The KB's Assistant for the caller (limited to what they may read); reopened when the KB was
        deleted and created again by another process."""
        shared = self._shared(name)
        return shared if who is None or who.user is None else shared.as_user(who.user, who.admin)

    def admin(self, name: str, who: Caller) -> Assistant:
        """The KB's Assistant for a caller who must be an admin (of the API or of this KB): 403 otherwise."""
        assistant = self.assistant(name, who)
        if assistant.reader is not None and not assistant.reader.admin:
            raise ApiError(403, "forbidden", f"{who.user} is not an admin of knowledge base {name!r}")
        return assistant

    def require_admin(self, who: Caller) -> None:
        if not who.admin:
            raise ApiError(403, "forbidden", f"{who.user} is not an admin (KORAG_API_ADMINS)")

    def _shared(self, name: str) -> Assistant:
        KnowledgeBase.open(self.settings, name)  # validates the name, 404s an unknown KB
        return self._assistants.get(name)

    def any_assistant(self) -> Assistant:
        """An Assistant for work that needs no particular KB (OCR): the default KB's, created if missing."""
        with self._lock:
            if self._ocr is None:
                self._ocr = Assistant(self.settings.kb, self.settings, create=True)
            return self._ocr

    def forget(self, name: str) -> None:
        self._assistants.forget(name)


def create_app(settings: Settings | None = None, queue: jobs.JobQueue | None = None) -> FastAPI:
    """The API over `settings` (read from KORAG_* when None) and a job queue (`open_queue` when None)."""
    settings = settings or Settings()
    keys = KeyRing(settings)  # ApiKeysMissing when keys are required but none are set
    service = _Service(settings, queue or jobs.open_queue(settings))
    app = FastAPI(title="korag", version="0.1.0", description="한국어 문서 RAG: knowledge bases, documents, "
                  "ingest jobs and search over Korean documents (HWP, HWPX, PDF, DOCX, PPTX, XLSX, …).")
    app.state.service = service
    app.state.keys = keys

    @app.exception_handler(ApiError)
    async def _api_error(_: Request, err: ApiError) -> JSONResponse:
        headers = {"WWW-Authenticate": "Bearer"} if err.status == 401 else None
        return _json(err.status, err.code, err.detail, err.files, headers)

    @app.exception_handler(RetrievalError)
    @app.exception_handler(AccessError)
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

    v1 = APIRouter(prefix="/v1", dependencies=[Depends(caller)], responses=_RESPONSES)
    _knowledge_base_routes(v1, service)
    _document_routes(v1, service)
    _job_routes(v1, service)
    _search_routes(v1, service)
    acl_routes(v1, service, ApiError)
    # ask / summarize / extract and the OpenAI-compatible chat (ui/api_answers.py): on `v1`, so they share
    # the API-key check and the error mapping above
    answer_routes(v1, service, ApiError)
    app.include_router(v1)
    return app


def _knowledge_base_routes(v1: APIRouter, service: _Service) -> None:
    settings = service.settings

    def info(knowledge: KnowledgeBase, who: Caller | None = None) -> KbOut:
        # a user counts only what they may read: the size of what they can't see is not revealed
        reader = knowledge.reader(who.user, who.admin) if who is not None and who.user else None
        c = knowledge.store.counts(reader)
        return KbOut(name=knowledge.name, documents=c["documents"], chunks=c["chunks"])

    @v1.get("/kbs", response_model=list[KbOut], tags=["knowledge bases"])
    def list_kbs(who: Caller = Depends(caller)) -> list[KbOut]:
        """Every knowledge base under KORAG_HOME with its size (what the caller may read)."""
        found = []
        for name in KnowledgeBase.names(settings):  # a plain open: no Assistant (LLM client, history) per KB
            knowledge = KnowledgeBase.open(settings, name)
            found.append(info(knowledge, who))
            knowledge.close()
        return found

    @v1.post("/kbs", response_model=KbOut, status_code=201, tags=["knowledge bases"])
    def create_kb(body: KbIn, who: Caller = Depends(caller)) -> KbOut:
        """Create an empty knowledge base (409 if it exists; admins only)."""
        service.require_admin(who)
        if (settings.kb_path(body.name) / "kb.sqlite").exists():
            raise ApiError(409, "knowledge_base_exists", f"knowledge base {body.name!r} already exists")
        knowledge = KnowledgeBase.open(settings, body.name, create=True)
        created = info(knowledge)
        knowledge.close()
        return created

    @v1.get("/kbs/{kb}", response_model=KbInfoOut, tags=["knowledge bases"])
    def kb_info(kb: str, who: Caller = Depends(caller)) -> KbInfoOut:
        """Sizes, dense vectors and how many chunks still wait for one (admins only)."""
        knowledge = service.admin(kb, who).kb
        base = info(knowledge)
        index = knowledge.dense.index()
        size = sum(p.stat().st_size for p in knowledge.path.rglob("*") if p.is_file())
        return KbInfoOut(**base.model_dump(), vectors=len(index) if index is not None else 0,
                         pending_embeddings=len(knowledge.pending_embeddings()),
                         embedder=knowledge.store.meta_all().get("embedder"), disk_bytes=size)

    @v1.delete("/kbs/{kb}", status_code=204, tags=["knowledge bases"])
    def delete_kb(kb: str, who: Caller = Depends(caller)) -> Response:
        """Delete a knowledge base and everything in it (admins only)."""
        service.require_admin(who)
        KnowledgeBase.delete(settings, kb)
        service.forget(kb)
        return Response(status_code=204)


def _document_routes(v1: APIRouter, service: _Service) -> None:
    settings = service.settings

    def out(knowledge: KnowledgeBase, doc) -> DocumentOut:
        return DocumentOut.of(doc, knowledge.store.tags(doc.id), knowledge.store.access.readers(doc.id))

    @v1.get("/kbs/{kb}/documents", response_model=list[DocumentOut], tags=["documents"])
    def list_documents(kb: str, who: Caller = Depends(caller)) -> list[DocumentOut]:
        """The documents the caller may read."""
        assistant = service.assistant(kb, who)
        return [out(assistant.kb, d) for d in assistant.documents()]

    @v1.post("/kbs/{kb}/documents", response_model=UploadOut, status_code=202, tags=["documents"],
             responses={201: {"model": UploadOut, "description": "Ingested inline (no Redis configured)"}})
    def upload(kb: str, response: Response,
               files: list[UploadFile] = File(description="One or more documents (multipart/form-data)"),
               tags: list[str] = Form(default=[], description="Tags for every uploaded document"),
               readers: list[str] = Form(default=[], description="Who may read them: group:<name> or user:<name>; "
                                                                 "none: everyone who can use the KB"),
               who: Caller = Depends(caller)) -> UploadOut:
        """Upload documents: one ingest job each. With Redis the jobs run on workers (202; follow
        GET /v1/jobs/{id}); without, they run before the response (201). Files that are too large,
        not a supported format or unreadable are refused before any job exists, each named."""
        assistant = service.assistant(kb, who)
        knowledge = assistant.kb
        wanted = parse_readers(readers) or None
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
        infos = [service.queue.submit(knowledge, data, name, tags=tags, readers=wanted, uploader=assistant.reader)
                 for data, name in accepted]
        response.status_code = 201 if service.queue.kind == "inline" else 202
        return UploadOut(queue=service.queue.kind, jobs=[JobOut.of(i) for i in infos])

    @v1.get("/kbs/{kb}/documents/{doc}", response_model=DocumentDetailOut, tags=["documents"])
    def show_document(kb: str, doc: str, who: Caller = Depends(caller)) -> DocumentDetailOut:
        """A document (by id, id prefix or file name) with its extracted text blocks (404 if the caller
        may not read it)."""
        assistant = service.assistant(kb, who)
        knowledge = assistant.kb
        record = assistant.document(doc)
        blocks = [BlockOut(kind=b.kind, page=b.page, heading_path=list(b.heading_path), text=b.text)
                  for b in knowledge.store.blocks(record.id)]
        assistant.audit("read", record.name)
        return DocumentDetailOut(**out(knowledge, record).model_dump(), blocks=blocks)

    @v1.put("/kbs/{kb}/documents/{doc}/tags", response_model=DocumentOut, tags=["documents"])
    def tag_document(kb: str, doc: str, body: TagsIn, who: Caller = Depends(caller)) -> DocumentOut:
        """Replace a document's tags (search filters use them; admins only)."""
        knowledge = service.admin(kb, who).kb
        record = knowledge.document(doc)
        with knowledge.writing():
            knowledge.store.set_tags(record.id, [t.strip() for t in body.tags if t.strip()])
        return out(knowledge, knowledge.document(record.id))

    @v1.delete("/kbs/{kb}/documents/{doc}", response_model=DocumentOut, tags=["documents"])
    def delete_document(kb: str, doc: str, who: Caller = Depends(caller)) -> DocumentOut:
        """Delete a document: its chunks, index entries and stored original; returns what was deleted (admins only)."""
        knowledge = service.admin(kb, who).kb
        record = knowledge.document(doc)
        tags, readers = knowledge.store.tags(record.id), knowledge.store.access.readers(record.id)
        return DocumentOut.of(knowledge.delete_document(doc), tags, readers)


def _job_routes(v1: APIRouter, service: _Service) -> None:
    def mine(info: jobs.JobInfo, who: Caller) -> jobs.JobInfo:
        """A user sees their own jobs only (file names are not for everyone); 404 as if it did not exist."""
        if who.admin or info.user == who.user:
            return info
        raise jobs.JobNotFound(info.id, "no such job")

    @v1.get("/jobs", response_model=list[JobOut], tags=["jobs"])
    def list_jobs(kb: str | None = None, state: str | None = None, limit: int = 200,
                  who: Caller = Depends(caller)) -> list[JobOut]:
        """Recent jobs, newest first; `state=failed` is the dead-letter list. Users see their own jobs."""
        if state not in (None, "queued", "running", "done", "failed", "cancelled"):
            raise ApiError(422, "invalid_request", "state must be queued, running, done, failed or cancelled")
        found = service.queue.jobs(kb, state, max(1, min(limit, 1000)))  # type: ignore[arg-type]
        return [JobOut.of(j) for j in found if who.admin or j.user == who.user]

    @v1.get("/jobs/{job_id}", response_model=JobOut, tags=["jobs"])
    def job(job_id: str, who: Caller = Depends(caller)) -> JobOut:
        return JobOut.of(mine(service.queue.job(job_id), who))

    @v1.delete("/jobs/{job_id}", response_model=JobOut, tags=["jobs"])
    def cancel(job_id: str, who: Caller = Depends(caller)) -> JobOut:
        """Cancel a queued job (409 once it runs)."""
        mine(service.queue.job(job_id), who)
        return JobOut.of(service.queue.cancel(job_id))

    @v1.post("/jobs/{job_id}/retry", response_model=JobOut, tags=["jobs"])
    def retry(job_id: str, who: Caller = Depends(caller)) -> JobOut:
        """Queue a failed job again once its cause is fixed (409 if it is not failed, or its upload is gone)."""
        mine(service.queue.job(job_id), who)
        return JobOut.of(service.queue.retry(job_id))

    @v1.get("/jobs/{job_id}/events", tags=["jobs"], response_class=StreamingResponse,
            responses={200: {"content": {"text/event-stream": {}},
                             "description": "`event: job` with a JobOut as data on every change, until it is over"}})
    async def events(job_id: str, who: Caller = Depends(caller)) -> StreamingResponse:
        """Server-sent events: the job's state, stage and progress as they change."""
        first = mine(await run_in_threadpool(service.queue.job, job_id), who)  # 404 before the stream starts

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
                try:
                    info = await run_in_threadpool(service.queue.job, job_id)
                except jobs.QueueUnavailable as err:  # Redis went away mid-stream: say so in-band, then end
                    error = ErrorOut(error="queue_unavailable", detail=err.reason)
                    yield f"event: error\ndata: {error.model_dump_json()}\n\n"
                    return

        return StreamingResponse(stream(), media_type="text/event-stream", headers={"Cache-Control": "no-cache"})


def _search_routes(v1: APIRouter, service: _Service) -> None:
    @v1.post("/kbs/{kb}/search", response_model=SearchOut, tags=["search"])
    def search(kb: str, body: SearchIn, who: Caller = Depends(caller)) -> SearchOut:
        """Hybrid (BM25 over Kiwi morphemes + dense), lexical or dense search, filtered inside the indexes
        to the documents the caller may read."""
        assistant = service.assistant(kb, who)
        filters = None
        if body.filters is not None:
            f = body.filters
            try:
                documents = tuple(assistant.document(ref).id for ref in f.documents)
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

