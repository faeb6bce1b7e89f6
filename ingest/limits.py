"""Limits checked outside the loaders: file size (KORAG_MAX_FILE_MB) before any byte is parsed, text
length and OCR pages after parsing, and what a full disk looks like when the KB is written."""
from __future__ import annotations

import errno
from typing import TYPE_CHECKING

from ingest.errors import DocumentTooLarge

if TYPE_CHECKING:
    from rag.settings import Settings


def check_size(name: str, size: int, settings: Settings) -> None:
    """Refuse a file of `size` bytes over KORAG_MAX_FILE_MB (`DocumentTooLarge`, naming the file).

    Takes a size, not the bytes, so a caller can refuse a file on disk or an upload before reading it.
    """
    limit = settings.max_file_mb
    if size > limit * 2**20:
        raise DocumentTooLarge(name, f"{size // 2**20} MiB is over the {limit} MiB limit (KORAG_MAX_FILE_MB)")


def check_text(name: str, chars: int, settings: Settings) -> None:
    """Refuse a document whose text is over KORAG_MAX_DOCUMENT_CHARS (before Kiwi spends minutes on it)."""
    limit = settings.max_document_chars
    if chars > limit:
        raise DocumentTooLarge(name, f"the text is {chars:,} characters, over the {limit:,}-character limit "
                                     "(KORAG_MAX_DOCUMENT_CHARS); split the file")


def check_ocr_pages(name: str, pages: int, settings: Settings) -> None:
    """Refuse a file that would send more pages (image frames, scanned pages) to OCR than KORAG_MAX_OCR_PAGES."""
    limit = settings.max_ocr_pages
    if pages > limit:
        raise DocumentTooLarge(name, f"{pages} pages need OCR, over the {limit}-page limit (KORAG_MAX_OCR_PAGES); "
                                     "split the file")


# SQLite's words for a write the disk refused; OSError errnos for the same (EFBIG: a file-size limit)
_DISK_FULL_WORDS = ("database or disk is full", "disk i/o error", "file too large", "no space left")
_DISK_FULL_ERRNOS = (errno.ENOSPC, errno.EFBIG, errno.EDQUOT)


def is_disk_full(err: BaseException) -> bool:
    """Whether `err` (sqlite3, OSError, FAISS's RuntimeError) says the disk or quota is full."""
    if isinstance(err, OSError) and err.errno in _DISK_FULL_ERRNOS:
        return True
    return any(words in str(err).lower() for words in _DISK_FULL_WORDS)
