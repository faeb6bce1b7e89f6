"""The contract every loader keeps, and the limits that guard against hostile files."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from rag.model import ParsedDocument


@dataclass(frozen=True)
class LoadOptions:
    """Knobs a loader honours. Defaults are safe for untrusted uploads."""

    include_headers_footers: bool = False  # HWPX/DOCX page headers and footers
    max_unzipped_bytes: int = 512 * 1024 * 1024  # total expanded size of a zip container
    max_zip_entries: int = 10_000
    max_compression_ratio: float = 200.0  # per member; deflate bombs run to 1000:1
    max_pages: int = 5_000
    max_section_records: int = 500_000  # HWP 5 records per section
    max_pdf_stream_bytes: int = 128 * 1024 * 1024  # one PDF stream, decompressed
    max_sheet_cells: int = 1_000_000  # XLSX cells per sheet, as written in its XML
    max_shared_strings: int = 200_000
    max_ocr_pages: int = 200  # image frames that would go to OCR


class Loader(Protocol):
    def __call__(self, data: bytes, name: str, options: LoadOptions) -> ParsedDocument: ...
