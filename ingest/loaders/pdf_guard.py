"""PDF stream budget: every Flate stream inflated (and thrown away) under a byte limit before PDFium
reads the file, so a 1 MB PDF whose page content expands to 1 GiB is refused, not parsed.

PDFium inflates a page's content stream whole when it extracts text; nothing bounds it. The check
walks the raw bytes for `stream` keywords instead of parsing objects: a hostile cross-reference
table cannot hide a stream from it, and it costs one pass of zlib over what the file would expand to
anyway (capped). Streams in an encrypted PDF are ciphertext to it and go unchecked.
"""
from __future__ import annotations

import re
import zlib

from ingest.errors import DocumentTooLarge

# "stream" then CRLF or LF (PDF 32000-1 §7.3.8.1), not the tail of "endstream"
_STREAM = re.compile(rb"(?<!end)stream\r?\n")
_STEP = 1 << 20  # inflate a MiB at a time: memory stays flat whatever the stream expands to


def _zlib_header(head: bytes) -> bool:
    return len(head) >= 2 and head[0] & 0x0F == 8 and (head[0] << 8 | head[1]) % 31 == 0


def _inflated_size(data: bytes, start: int, limit: int) -> int:
    """Bytes the zlib stream at `start` expands to, counting stops just past `limit` (0: not zlib)."""
    inflater = zlib.decompressobj()
    pending = memoryview(data)[start:]
    total = 0
    try:
        while pending and total <= limit and not inflater.eof:
            total += len(inflater.decompress(pending, _STEP))
            pending = inflater.unconsumed_tail
    except zlib.error:
        pass  # a damaged or non-Flate stream: PDFium decides what to make of it
    return total


def check_streams(data: bytes, name: str, limit: int) -> None:
    """Refuse the PDF if one of its Flate streams expands past `limit` bytes (KORAG_MAX_PDF_STREAM_MB)."""
    for match in _STREAM.finditer(data):
        start = match.end()
        if not _zlib_header(data[start:start + 2]):
            continue
        if _inflated_size(data, start, limit) > limit:
            raise DocumentTooLarge(name, f"a stream at byte {match.start()} expands past {limit // 2**20} MiB "
                                         "(limit KORAG_MAX_PDF_STREAM_MB; a decompression bomb)")
