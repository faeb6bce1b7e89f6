"""Errors raised while reading a file: each names the file and says what to do."""
from __future__ import annotations


class IngestError(Exception):
    """A file could not be ingested. `name` is the file, `reason` one line for a person."""

    def __init__(self, name: str, reason: str) -> None:
        super().__init__(f"{name}: {reason}")
        self.name = name
        self.reason = reason


class UnsupportedFormat(IngestError):
    """The bytes are not a format korag reads."""


class CorruptDocument(IngestError):
    """The file claims a format but its structure is broken or truncated."""


class EncryptedDocument(IngestError):
    """The file is password-protected or DRM-encrypted."""


class DocumentTooLarge(IngestError):
    """The file, or what it would expand to, is over a configured limit."""


class EmptyDocument(IngestError):
    """The file holds no text (and no page that OCR could read)."""


class UnsafeName(IngestError):
    """The file name carries path separators, control characters or is too long."""
