"""How the API answers errors: a status and a machine-readable code per error class, an `ErrorOut` body.

401 key, 403 not an admin, 404 unknown KB/document/job, 409 conflict, 413 too large, 415 format,
422 input, 503 a server korag needs is down. The OpenAI-compatible routes answer in OpenAI's shape
instead, `{"error": {"message", "type", "code", "param"}}`, which the `openai` client shows and parses.
"""
from __future__ import annotations

from fastapi.responses import JSONResponse

from agents.errors import (ContextOverflow, CorruptDocument, DocumentTooLarge, EmptyDocument,
                           EncryptedDocument, ExtractionFailed, IngestError, LLMUnavailable, UnsafeName,
                           UnsupportedFormat)
from agents.jobs import JobNotCancellable, JobNotFound, JobNotRetryable, QueueUnavailable
from rag.acl import AccessError
from rag.dense import EmbedderMismatch
from rag.embed import EmbedderUnavailable
from rag.errors import DocumentNotFound, InvalidName, KnowledgeBaseBusy, KnowledgeBaseNotFound, RetrievalError
from ui.api.models import ErrorOut, FileErrorOut

# status and machine-readable code per error class; the first match in the class's MRO wins
_ERRORS: list[tuple[type[Exception], int, str]] = [
    (KnowledgeBaseNotFound, 404, "knowledge_base_not_found"),
    (DocumentNotFound, 404, "document_not_found"),
    (JobNotFound, 404, "job_not_found"),
    (InvalidName, 422, "invalid_name"),
    (AccessError, 422, "invalid_access_rule"),
    (KnowledgeBaseBusy, 503, "knowledge_base_busy"),
    (EmbedderUnavailable, 503, "embedder_unavailable"),
    (EmbedderMismatch, 409, "embedder_mismatch"),
    (JobNotRetryable, 409, "job_not_retryable"),
    (JobNotCancellable, 409, "job_not_cancellable"),
    (QueueUnavailable, 503, "queue_unavailable"),
    (DocumentTooLarge, 413, "file_too_large"),
    (UnsupportedFormat, 415, "unsupported_format"),
    (EncryptedDocument, 422, "encrypted_document"),
    (CorruptDocument, 422, "corrupt_document"),
    (EmptyDocument, 422, "empty_document"),
    (UnsafeName, 422, "unsafe_file_name"),
    (IngestError, 422, "cannot_ingest"),
    (RetrievalError, 409, "knowledge_base_error"),
]
DOMAIN_ERRORS = (RetrievalError, AccessError, IngestError)  # translated by `status_of`, raised anywhere below
RESPONSES = {s: {"model": ErrorOut} for s in (401, 403, 404, 409, 413, 415, 422, 503)}


class ApiError(Exception):
    """An error the API raises itself, with its status and code (and, for OpenAI clients, the field at fault)."""

    def __init__(self, status: int, code: str, detail: str, files: list[FileErrorOut] | None = None,
                 param: str | None = None) -> None:
        super().__init__(detail)
        self.status, self.code, self.detail, self.files, self.param = status, code, detail, files or [], param


def status_of(err: Exception) -> tuple[int, str]:
    """The HTTP status and code for a korag error (500 internal_error for anything else)."""
    for cls, status, code in _ERRORS:
        if isinstance(err, cls):
            return status, code
    return 500, "internal_error"


def detail_of(err: Exception) -> str:
    """One sentence for a person: an ingest error's reason, the KB layer's message otherwise."""
    if isinstance(err, KnowledgeBaseNotFound):  # the KB layer's message points at the CLI and a server path
        return "no such knowledge base; create it with POST /v1/kbs"
    return err.reason if isinstance(err, IngestError) else str(err)


def agent_failure(err: Exception) -> ApiError:
    """An answering error (AgentError, or ValueError for bad input) as the API reports it."""
    if isinstance(err, ContextOverflow):
        return ApiError(422, "context_overflow", str(err))
    if isinstance(err, ExtractionFailed):
        return ApiError(422, "extraction_failed", f"{err} — model output: {err.raw[:500]}")
    if isinstance(err, LLMUnavailable):
        return ApiError(503, "llm_unavailable", str(err))
    return ApiError(422, "cannot_answer", str(err))


def error_json(status: int, code: str, detail: str, files: list[FileErrorOut] | None = None,
               headers: dict | None = None) -> JSONResponse:
    body = ErrorOut(error=code, detail=detail, files=files or [])
    return JSONResponse(body.model_dump(), status_code=status, headers=headers)



# --- OpenAI's error shape, for the routes OpenAI clients call ------------------------------------------

# the endpoints of OpenAI's API a client may call here: korag serves the first two (and /v1/models/{id})
OPENAI_PATHS = ("/v1/chat/completions", "/v1/models", "/v1/completions", "/v1/embeddings", "/v1/responses")
# korag's codes that OpenAI's API names otherwise: clients test for these
_OPENAI_CODES = {"knowledge_base_not_found": "model_not_found", "api_key_invalid": "invalid_api_key"}
_OPENAI_PARAMS = {"model_not_found": "model"}


def is_openai_path(path: str) -> bool:
    return any(path == p or path.startswith(p + "/") for p in OPENAI_PATHS)


def openai_type(status: int) -> str:
    """OpenAI's error `type` for an HTTP status."""
    if status == 401:
        return "invalid_request_error"  # as OpenAI answers a missing or wrong key
    if status == 403:
        return "permission_error"
    if status == 429:
        return "rate_limit_error"
    return "server_error" if status >= 500 else "invalid_request_error"


def openai_error(status: int, code: str, message: str, param: str | None = None) -> dict:
    """The body OpenAI's API sends with an error (and, in a stream, the event that ends it)."""
    code = _OPENAI_CODES.get(code, code)
    return {"error": {"message": message, "type": openai_type(status), "code": code,
                      "param": param or _OPENAI_PARAMS.get(code)}}


def openai_error_json(status: int, code: str, message: str, param: str | None = None,
                      headers: dict | None = None) -> JSONResponse:
    return JSONResponse(openai_error(status, code, message, param), status_code=status, headers=headers)


def openai_param(location: tuple) -> str | None:
    """A validation error's location as OpenAI names the parameter: ("body", "messages", 0, "role") → messages[0].role."""
    parts = [p for p in location if p != "body"]
    name = ""
    for part in parts:
        name += f"[{part}]" if isinstance(part, int) else (f".{part}" if name else str(part))
    return name or None
