"""Errors of the knowledge base and retrieval layer."""
from __future__ import annotations


class RetrievalError(Exception):
    """Base error of the `rag` package."""


class KnowledgeBaseNotFound(RetrievalError):
    """No knowledge base of that name exists under KORAG_HOME."""


class InvalidName(RetrievalError):
    """A knowledge base name that is not a plain directory name."""


class KnowledgeBaseBusy(RetrievalError):
    """Another writer holds the knowledge base's lock for longer than the timeout."""


class DocumentNotFound(RetrievalError):
    """No document with that id or file name in the knowledge base."""
