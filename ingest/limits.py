"""The file-size limit (KORAG_MAX_FILE_MB), checked in one place before any bytes are parsed."""
from __future__ import annotations

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
