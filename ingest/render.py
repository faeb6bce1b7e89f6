"""Page rendering: PDF pages (PDFium) and image frames as PIL images, one page at a time.

PDFium is not thread-safe, not even across documents (pypdfium2 docs), and the portal renders
pages in Streamlit's session threads while an inline ingest may parse a PDF in the same process:
everything that touches PDFium (the PDF loader, OCR, the portal's page images) holds `PDFIUM`.
"""
from __future__ import annotations

import math
import threading
from collections.abc import Iterator

import pypdfium2
import pypdfium2.raw as pdfium_c
from PIL import Image

from ingest.detect import detect_format
from ingest.errors import CorruptDocument, EncryptedDocument, UnsupportedFormat
from ingest.loaders import image as image_loader

PDFIUM = threading.Lock()


def open_pdf(data: bytes, name: str) -> pypdfium2.PdfDocument:
    """Open a PDF (the caller holds `PDFIUM`); a password, DRM or a broken file is an `IngestError`."""
    # Many PDFs carry only an owner password (printing/copy restrictions): PDFium opens those
    # without one, and reading text is what the owner allowed anyway.
    try:
        return pypdfium2.PdfDocument(data)
    except pypdfium2.PdfiumError as err:
        if err.err_code == pdfium_c.FPDF_ERR_PASSWORD:
            raise EncryptedDocument(
                name, "the PDF needs a password to open; save a copy without a password and retry"
            ) from err
        if err.err_code == pdfium_c.FPDF_ERR_SECURITY:
            raise EncryptedDocument(
                name, "the PDF is encrypted in a way korag cannot open; save an unprotected copy"
            ) from err
        raise CorruptDocument(name, f"broken or truncated PDF ({err}); re-export it") from err
    except Exception as err:  # noqa: BLE001 - e.g. empty input; any failure to open is a broken file
        raise CorruptDocument(name, f"broken or truncated PDF ({type(err).__name__}: {err}); re-export it") from err


def page_count(data: bytes, name: str) -> int:
    """Pages of a PDF, or frames of an image (TIFFs have several)."""
    fmt = detect_format(data, name)
    if fmt == "pdf":
        with PDFIUM:
            pdf = open_pdf(data, name)
            try:
                return len(pdf)
            finally:
                pdf.close()
    if fmt == "image":
        return getattr(image_loader.open_image(data, name), "n_frames", 1)
    raise UnsupportedFormat(name, f"OCR reads images and PDFs, not {fmt} files")


def page_images(data: bytes, name: str, pages: list[int], dpi: int,
                grayscale: bool = True) -> Iterator[tuple[int, Image.Image]]:
    """(page, image) for the 1-based `pages` of a PDF (rendered at `dpi`) or an image, one at a time.

    PDF pages render in grayscale unless asked (what OCR reads); image frames come as stored, upright.
    """
    fmt = detect_format(data, name)
    if fmt == "pdf":
        return _render_pdf(data, name, pages, dpi, image_loader.MAX_PIXELS, grayscale)
    if fmt == "image":
        return image_loader.frames(data, name, pages)
    raise UnsupportedFormat(name, f"OCR reads images and PDFs, not {fmt} files")


def _render_pdf(data: bytes, name: str, pages: list[int], dpi: int, max_pixels: int,
                grayscale: bool) -> Iterator[tuple[int, Image.Image]]:
    """Yield (page, PIL image) one at a time (bounded memory); the lock is held while a page renders,
    not while the caller OCRs it."""
    with PDFIUM:
        pdf = open_pdf(data, name)
    try:
        for number in pages:
            with PDFIUM:
                if not 1 <= number <= len(pdf):
                    raise CorruptDocument(name, f"page {number} does not exist (the PDF has {len(pdf)})")
                page = pdf[number - 1]
                try:
                    width, height = page.get_size()  # points (1/72 inch)
                    # a poster-sized page at 300 dpi would be gigapixels: lower the resolution instead
                    scale = min(dpi / 72, math.sqrt(max_pixels / max(1.0, width * height)))
                    image = page.render(scale=scale, grayscale=grayscale).to_pil()
                finally:
                    page.close()
            yield number, image
    finally:
        with PDFIUM:
            pdf.close()
