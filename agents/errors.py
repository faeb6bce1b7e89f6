"""Errors of the agent layer (the LLM server, context budgeting, extraction), and the ingestion errors
the edges catch."""
from __future__ import annotations

# what the edges (CLI, HTTP API, portal) catch from ingestion, so they need not import `ingest`;
# the job queue's own errors (JobNotFound, …) are in agents.jobs, beside the queue
from ingest.errors import (  # noqa: F401
    CorruptDocument, DocumentTooLarge, EmptyDocument, EncryptedDocument, IngestError, UnsafeName, UnsupportedFormat,
)


class AgentError(Exception):
    """Base error of the `agents` package."""


class LLMUnavailable(AgentError):
    """The configured LLM server can't be reached or refused the request (after retries)."""


class LLMOutputError(AgentError):
    """The model answered, but not in a form korag can use. `raw` keeps what it said."""

    def __init__(self, message: str, raw: str = "") -> None:
        super().__init__(message)
        self.raw = raw


class OcrFailed(AgentError):
    """OCR could not read a file or page (engine missing or unreachable, file unreadable): one line to show."""


class ContextOverflow(AgentError):
    """The instructions and the question alone do not fit the model's context."""


class ExtractionFailed(AgentError):
    """The model's output still failed the schema after the configured retries."""

    def __init__(self, message: str, raw: str = "", errors: list[str] | None = None) -> None:
        super().__init__(message)
        self.raw = raw
        self.errors = errors or []

