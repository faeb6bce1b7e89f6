"""`create_app(settings)`: the FastAPI app — settings read once here and handed to the routes by
dependency (deps.py), every error an `ErrorOut` JSON body (errors.py), the routes per resource (routes/).

OpenAPI at /openapi.json (docs at /docs).
"""
from __future__ import annotations

from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from agents.jobs import Jobs
from rag.settings import Settings
from ui.api.deps import Assistants, caller
from ui.api.errors import (DOMAIN_ERRORS, RESPONSES, ApiError, detail_of, error_json, is_openai_path,
                           openai_error_json, openai_param, status_of)
from ui.api.guard import RequestGuard
from ui.api.routes import acl, answers, documents, health, jobs, kbs, ocr, openai, search
from ui.keys import KeyRing


def create_app(settings: Settings | None = None, queue: Jobs | None = None) -> FastAPI:
    """The API over `settings` (read from KORAG_* when None) and a job queue (`Jobs(settings)` when None)."""
    settings = settings or Settings()
    keys = KeyRing(settings)  # ApiKeysMissing when keys are required but none are set
    app = FastAPI(title="korag", version="0.1.0", description="한국어 문서 RAG: knowledge bases, documents, "
                  "ingest jobs and search over Korean documents (HWP, HWPX, PDF, DOCX, PPTX, XLSX, …).")
    app.state.settings = settings
    app.state.keys = keys
    app.state.jobs = queue or Jobs(settings)
    app.state.assistants = Assistants(settings)

    def _error(request: Request, status: int, code: str, detail: str, files=None, headers=None,
               param: str | None = None) -> JSONResponse:
        # OpenAI clients read {"error": {"message", "type", "code", "param"}}; korag's own routes an ErrorOut
        if is_openai_path(request.url.path):
            return openai_error_json(status, code, detail, param, headers)
        return error_json(status, code, detail, files, headers)

    @app.exception_handler(ApiError)
    async def _api_error(request: Request, err: ApiError) -> JSONResponse:
        headers = {"WWW-Authenticate": "Bearer"} if err.status == 401 else None
        return _error(request, err.status, err.code, err.detail, err.files, headers, err.param)

    async def _domain_error(request: Request, err: Exception) -> JSONResponse:
        status, code = status_of(err)
        headers = {"Retry-After": "10"} if status == 503 else None
        return _error(request, status, code, detail_of(err), headers=headers)

    for domain in DOMAIN_ERRORS:
        app.add_exception_handler(domain, _domain_error)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, err: RequestValidationError) -> JSONResponse:
        parts = ["{}: {}".format(".".join(str(p) for p in e.get("loc", ())), e.get("msg", "")) for e in err.errors()]
        if is_openai_path(request.url.path):  # OpenAI answers a malformed request 400, naming the parameter
            first = err.errors()[0].get("loc", ()) if err.errors() else ()
            return openai_error_json(400, "invalid_request", "; ".join(parts) or "invalid request",
                                     openai_param(tuple(first)))
        return error_json(422, "invalid_request", "; ".join(parts) or "invalid request")

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, err: StarletteHTTPException) -> JSONResponse:
        detail = str(err.detail)
        if err.status_code == 404 and is_openai_path(request.url.path):
            detail = (f"korag does not serve {request.url.path}: its OpenAI-compatible routes are "
                      "POST /v1/chat/completions and GET /v1/models")
        return _error(request, err.status_code, "not_found" if err.status_code == 404 else "http_error", detail)

    # the key and the request size are checked before any route reads the body; refusals audited (guard.py)
    app.add_middleware(RequestGuard, settings=settings, keys=keys)

    app.include_router(health.router)
    # every /v1 route shares the API-key check and the error responses above
    v1 = APIRouter(prefix="/v1", dependencies=[Depends(caller)], responses=RESPONSES)
    for resource in (kbs, documents, jobs, search, acl, answers, ocr, openai):
        v1.include_router(resource.router)
    app.include_router(v1)
    return app


def app_from_env() -> FastAPI:
    """uvicorn factory (`uvicorn --factory ui.api:app_from_env`): settings from KORAG_* and .env."""
    return create_app(Settings())
