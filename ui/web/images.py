"""Page images for the portal: a PDF page or an image frame, with boxes drawn over it.

Pages are rendered by ingestion's renderer (through `agents.ocr`), under the one PDFium lock that
the PDF loader and OCR hold too: Streamlit runs every browser session in its own thread.
"""
from __future__ import annotations

from collections.abc import Iterable

from PIL import Image, ImageDraw

from agents import ocr
from rag.model import Box


def page_image(data: bytes, name: str, page: int, dpi: int = ocr.PREVIEW_DPI) -> Image.Image:
    """Page `page` (1-based) of a PDF, or frame `page` of an image (TIFFs have several); ValueError if none."""
    return ocr.page_image(data, name, page, dpi)


def page_count(data: bytes, name: str) -> int:
    return ocr.page_count(data, name)


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
