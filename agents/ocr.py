"""OCR and page images as the edges use them (`korag ocr`, the HTTP API, the portal), so ui never imports
ingest: thin calls into `ingest.ocr` and `ingest.render` whose failures come back as `OcrFailed`
(an `AgentError`) or, for page images, `ValueError`.
"""
from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from PIL import Image

from agents.errors import OcrFailed
from ingest import render
from ingest.errors import IngestError
from ingest.ocr import OcrError, OcrResult, TesseractEngine, engine_for, ocr_file, to_hocr

if TYPE_CHECKING:
    from rag.settings import Settings

PREVIEW_DPI = 110  # enough to read Hangul on screen, small enough to send quickly


def read_pages(settings: Settings, source: str | Path | bytes, engine: str | None = None,
               pages: list[int] | None = None, name: str | None = None,
               on_page: Callable[[int, int], None] | None = None) -> Iterator[OcrResult]:
    """OCR an image or a PDF (every page, or `pages`), yielding each page as it is read.

    `engine`: "tesseract" or "varco" (default: KORAG_OCR_ENGINE; Tesseract when that is "none").
    """
    try:
        chosen = engine_for(settings, engine) if engine else None
        yield from ocr_file(source, settings, chosen, name, pages, on_page)
    except OcrError as err:
        raise OcrFailed(str(err)) from err


def hocr(results: list[OcrResult]) -> str:
    """The results as one hOCR 1.2 document (pages, paragraphs, lines, words with boxes)."""
    return to_hocr(results)


def tesseract_problem(languages: str) -> str | None:
    """Why Tesseract cannot read `languages` (not installed, language data missing), or None when it can."""
    try:
        TesseractEngine(languages).warm_up()
    except OcrError as err:
        return str(err)
    return None


def page_count(data: bytes, name: str) -> int:
    """Pages of a PDF, or frames of an image; `ValueError` when the file is neither or is unreadable."""
    try:
        return render.page_count(data, name)
    except IngestError as err:
        raise ValueError(str(err)) from err


def page_image(data: bytes, name: str, page: int, dpi: int = PREVIEW_DPI) -> Image.Image:
    """Page `page` (1-based) of a PDF, or frame `page` of an image, in colour and upright, to show a person.

    PDF pages render under ingest's one PDFium lock (the portal renders while an inline ingest may parse).
    """
    count = page_count(data, name)
    if not 1 <= page <= count:
        raise ValueError(f"{page}쪽이 없습니다 (전체 {count}쪽)")
    try:
        [(_, image)] = render.page_images(data, name, [page], dpi, grayscale=False)
    except IngestError as err:
        raise ValueError(str(err)) from err
    return image.convert("RGB")
