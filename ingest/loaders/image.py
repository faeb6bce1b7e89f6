"""Image loader (Pillow): PNG, JPEG, TIFF (every page), WebP, BMP, GIF. The text comes from OCR.

The loader only checks the image and counts its frames; every frame is a page that needs OCR, which
the pipeline runs (`ingest.ocr`) with the configured engine.
"""
from __future__ import annotations

import io
import warnings
from collections.abc import Iterator

from PIL import Image, ImageOps, UnidentifiedImageError

from ingest.errors import CorruptDocument, DocumentTooLarge
from ingest.loaders.base import LoadOptions
from rag.model import ParsedDocument

# Pillow's own decompression-bomb limit (~89.5 megapixels, e.g. 9,459 × 9,459; an A3 page at 600 dpi
# is 70): larger images are refused with a clear error instead of Pillow's warning or MemoryError.
MAX_PIXELS = Image.MAX_IMAGE_PIXELS or 89_478_485


def load(data: bytes, name: str, options: LoadOptions) -> ParsedDocument:
    """Check the image and report its frames as pages needing OCR."""
    image = open_image(data, name)
    frames = count_frames(image, name, min(options.max_pages, options.max_ocr_pages))
    _decode(image, name)  # a truncated file fails here, at ingest, not halfway through OCR
    return ParsedDocument(name=name, format="image", blocks=(), page_count=frames,
                          pages_needing_ocr=tuple(range(1, frames + 1)))


def count_frames(image: Image.Image, name: str, limit: int) -> int:
    """Frames (GIF, TIFF pages) up to `limit`, counted by seeking one by one: every frame goes to OCR,
    so more are refused (KORAG_MAX_OCR_PAGES) before Pillow walks all 3,000 frames of a hostile GIF.
    (`n_frames` is not asked: after a seek past the end a TIFF reports one frame too many.)"""
    if not getattr(image, "is_animated", False) or image.format == "MPO":  # MPO: see `frame_count`
        return 1
    count = 1
    while True:
        try:
            image.seek(count)
        except EOFError:
            break
        count += 1
        if count > limit:
            raise DocumentTooLarge(name, f"the image has more than {limit} frames/pages, each read by OCR "
                                         "(limit KORAG_MAX_OCR_PAGES); split it")
    image.seek(0)
    return count


def open_image(data: bytes, name: str) -> Image.Image:
    """Open lazily (header only) and refuse broken, empty or oversized images, naming the file."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            image = Image.open(io.BytesIO(data))
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as err:
            # Pillow's message quotes its own limit (twice ours for the error): say ours only
            raise DocumentTooLarge(name, f"the image has more than {MAX_PIXELS:,} pixels (a decompression bomb, "
                                         "or a scan at far too high a resolution); scale it down — 300 dpi "
                                         "is enough for OCR") from err
        except UnidentifiedImageError as err:  # its message is only "cannot identify <BytesIO at 0x…>"
            raise CorruptDocument(name, "not a readable image: no image format recognises it; "
                                        "the file is damaged, truncated or not an image") from err
        except (OSError, SyntaxError, ValueError, EOFError) as err:
            raise CorruptDocument(name, f"not a readable image ({err}); the file is damaged or not an image") from err
    _check_size(image, name)
    return image


def frame_count(image: Image.Image) -> int:
    """Pages in the image: every frame of a TIFF or GIF, but one for a phone photo saved as MPO (a JPEG
    with its preview or depth picture embedded as a second frame: read both and the text comes twice)."""
    if image.format == "MPO":
        return 1
    return getattr(image, "n_frames", 1)


def _check_size(image: Image.Image, name: str) -> None:
    width, height = image.size
    if width <= 0 or height <= 0:
        raise CorruptDocument(name, f"the image is empty ({width}×{height} pixels)")
    if width * height > MAX_PIXELS:
        raise DocumentTooLarge(name, f"the image is {width}×{height} pixels, over the {MAX_PIXELS:,}-pixel "
                                     "limit; scale it down (300 dpi is enough for OCR)")


def _decode(image: Image.Image, name: str) -> None:
    try:
        image.load()
    except (OSError, SyntaxError, ValueError, EOFError) as err:
        raise CorruptDocument(name, f"the image data is damaged or truncated ({err})") from err


def frames(data: bytes, name: str, pages: list[int]) -> Iterator[tuple[int, Image.Image]]:
    """Yield (page, image) for the 1-based `pages`, decoding one frame at a time (bounded memory)."""
    image = open_image(data, name)
    count = frame_count(image)
    for page in pages:
        if not 1 <= page <= count:
            raise CorruptDocument(name, f"page {page} does not exist (the image has {count})")
        try:
            image.seek(page - 1)
        except EOFError as err:
            raise CorruptDocument(name, f"page {page} of the image cannot be read ({err})") from err
        _check_size(image, name)  # TIFF pages each have their own size
        _decode(image, name)
        # phone photos are stored sideways with an EXIF orientation tag; OCR needs them upright
        yield page, ImageOps.exif_transpose(image.copy())
