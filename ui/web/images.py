"""Page images for the portal: a PDF page or an image frame, with boxes drawn over it.

Rendering here (not in `ingest`) because the portal only shows pages; it never reads them.
"""
from __future__ import annotations

import io
import threading
from collections.abc import Iterable

from PIL import Image, ImageDraw, ImageOps

from rag.model import Box

# pdfium is not thread-safe and Streamlit runs every browser session in its own thread
_PDFIUM = threading.Lock()
PREVIEW_DPI = 110  # enough to read Hangul on screen, small enough to send quickly


def page_image(data: bytes, page: int, is_pdf: bool, dpi: int = PREVIEW_DPI) -> Image.Image:
    """Page `page` (1-based) of a PDF, or frame `page` of an image (TIFFs have several)."""
    if is_pdf:
        import pypdfium2 as pdfium

        with _PDFIUM:
            pdf = pdfium.PdfDocument(data)
            try:
                if not 1 <= page <= len(pdf):
                    raise ValueError(f"{page}쪽이 없습니다 (전체 {len(pdf)}쪽)")
                return pdf[page - 1].render(scale=dpi / 72).to_pil().convert("RGB")
            finally:
                pdf.close()
    image = Image.open(io.BytesIO(data))
    frames = getattr(image, "n_frames", 1)
    if not 1 <= page <= frames:
        raise ValueError(f"{page}쪽이 없습니다 (전체 {frames}쪽)")
    image.seek(page - 1)
    # the OCR reads the image upright (EXIF orientation applied), so boxes fit the transposed image
    return ImageOps.exif_transpose(image).convert("RGB")


def page_count(data: bytes, is_pdf: bool) -> int:
    if is_pdf:
        import pypdfium2 as pdfium

        with _PDFIUM:
            pdf = pdfium.PdfDocument(data)
            try:
                return len(pdf)
            finally:
                pdf.close()
    return getattr(Image.open(io.BytesIO(data)), "n_frames", 1)


def draw_boxes(image: Image.Image, boxes: Iterable[tuple[float, float, float, float]],
               color: tuple[int, int, int] = (230, 40, 40)) -> Image.Image:
    """A copy of `image` with each (left, top, right, bottom) pixel box outlined and lightly filled."""
    shown = image.convert("RGBA")
    layer = Image.new("RGBA", shown.size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(layer)
    width = max(2, round(min(shown.size) / 400))
    for left, top, right, bottom in boxes:
        draw.rectangle((left, top, right, bottom), outline=(*color, 255), fill=(*color, 40), width=width)
    return Image.alpha_composite(shown, layer).convert("RGB")


def fraction_boxes(image: Image.Image, boxes: Iterable[Box]) -> list[tuple[float, float, float, float]]:
    """Chunk boxes are page fractions (rag.model.Box): scale them to this rendering's pixels."""
    w, h = image.size
    return [(b.left * w, b.top * h, b.right * w, b.bottom * h) for b in boxes]


def pixel_boxes(image: Image.Image, boxes: Iterable[list[int]], source_width: int, source_height: int,
                ) -> list[tuple[float, float, float, float]]:
    """OCR boxes are pixels of the image the engine read: scale them to this rendering."""
    sx, sy = image.width / source_width, image.height / source_height
    return [(left * sx, top * sy, right * sx, bottom * sy) for left, top, right, bottom in boxes]
