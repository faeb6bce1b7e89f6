"""OCR of whole files: pages without text (scans, images) rendered one at a time and read, for the
ingestion pipeline (`ocr_document`) and for reading a file without storing it (`ocr_file`).

OCR blocks carry one `Box` per line of their text (fractions of the page), and chunks keep the boxes
of the lines they were cut from, so a citation can highlight the region on the page image.
"""
from __future__ import annotations

import bisect
import dataclasses
import logging
import os
import time
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING

from PIL import Image

from ingest.errors import CorruptDocument, DocumentTooLarge, IngestError
from ingest.limits import check_size
from ingest.normalize import normalize_text
from ingest.ocr.engines import engine_for
from ingest.ocr.types import OcrEngine, OcrError, OcrResult
from ingest.render import page_count, page_images
from rag.model import Block, Box, Chunk, ParsedDocument

if TYPE_CHECKING:
    from rag.settings import Settings

log = logging.getLogger(__name__)

Progress = Callable[[str, int, int], None]  # (file name, pages done, pages to do)


def is_blank(image: Image.Image, spread: int = 8) -> bool:
    """A page of one flat colour: nothing to read. Measured on a thumbnail, so it costs ~1 ms a page."""
    small = image.convert("L")
    small.thumbnail((256, 256))
    low, high = small.getextrema()
    return high - low < spread


def blocks_from_result(result: OcrResult, page: int) -> list[Block]:
    """One paragraph block per OCR paragraph; `boxes[i]` is the region of the i-th line of its text."""
    blocks = []
    for paragraph in result.paragraphs():
        lines, boxes = [], []
        for line in paragraph:
            text = normalize_text(line.text).replace("\n", " ")
            if text:  # keep lines and boxes aligned: a line normalised away loses its box too
                lines.append(text)
                b = line.box
                boxes.append(Box(round(b.left / result.width, 4), round(b.top / result.height, 4),
                                 round(b.right / result.width, 4), round(b.bottom / result.height, 4)))
        if lines:
            blocks.append(Block(text="\n".join(lines), kind="paragraph", page=page, boxes=tuple(boxes)))
    return blocks


PAGE_THREADS = min(2, os.cpu_count() or 1)


def read_ahead(engine: OcrEngine, images: Iterator[tuple[int, Image.Image]], threads: int = PAGE_THREADS,
               skip_blank: bool = True) -> Iterator[tuple[int, OcrResult | OcrError | None]]:
    """(page, result) in page order, up to `threads` pages being read at once (the next page renders
    while they are read). The result is the `OcrError` of a page that failed, None for a blank page.

    Tesseract reads a page on one core (tesseract.py), so on 2 cores two pages at once take about the
    time of one; a worker's CPU share is the same, it is only spent sooner (docs/ocr.md "Speed").
    """
    def one(page: int, image: Image.Image) -> OcrResult | OcrError | None:
        try:
            return None if skip_blank and is_blank(image) else engine.read(image, page)
        except OcrError as err:
            return err

    if threads <= 1:
        for page, image in images:
            yield page, one(page, image)
        return
    with ThreadPoolExecutor(threads, thread_name_prefix="korag-ocr") as pool:
        pending: deque[tuple[int, Future]] = deque()
        for page, image in images:
            pending.append((page, pool.submit(one, page, image)))
            del image  # the worker thread holds it while it reads, no longer
            if len(pending) >= threads:
                page, future = pending.popleft()
                yield page, future.result()
        while pending:
            page, future = pending.popleft()
            yield page, future.result()


def ocr_document(data: bytes, parsed: ParsedDocument, engine: OcrEngine, dpi: int,
                 on_page: Progress | None = None, seconds: float | None = None) -> ParsedDocument:
    """Read the pages that need OCR and put their text in page order; a page that fails is a warning.

    A mixed PDF keeps its text-layer pages as they are. A page marked for OCR because its text layer
    is nearly empty (a scan with a stamped page number) takes the OCR text in place of that layer.
    Past `seconds` (KORAG_OCR_FILE_SECONDS, checked between pages) the file is refused.
    """
    pages = list(parsed.pages_needing_ocr)
    deadline = None if seconds is None else time.monotonic() + seconds
    read: dict[int, list[Block]] = {}
    warnings = list(parsed.warnings)
    try:
        for done, (page, outcome) in enumerate(read_ahead(engine, page_images(data, parsed.name, pages, dpi)), 1):
            if outcome is None:  # a page that only paints white (a hostile 5,000-page PDF): no OCR
                read[page] = []
                warnings.append(f"page {page}: blank")
                continue
            if isinstance(outcome, OcrError):
                warnings.append(f"page {page}: OCR failed ({outcome})")
                log.warning("OCR of %s page %d failed: %s", parsed.name, page, outcome)
            else:
                log.info("OCR of %s page %d: %s%s", parsed.name, page, outcome.engine,
                         f" ({outcome.chosen})" if outcome.chosen else "")
                read[page] = blocks_from_result(outcome, page)
                warnings.extend(w for w in outcome.warnings if w not in warnings)
                if not read[page]:
                    warnings.append(f"page {page}: OCR found no text")
            if on_page is not None:
                on_page(parsed.name, done, len(pages))
            if deadline is not None and time.monotonic() > deadline and done < len(pages):
                raise DocumentTooLarge(parsed.name, f"OCR took over {seconds:g} s and read {done} of {len(pages)} "
                                                    "pages (limit KORAG_OCR_FILE_SECONDS); split the file")
    except (OSError, ValueError) as err:  # a page that cannot be rendered or decoded
        raise CorruptDocument(parsed.name, f"a page could not be rendered for OCR ({err})") from err
    blocks = [b for b in parsed.blocks if not read.get(b.page)]
    for page_blocks in read.values():
        blocks.extend(page_blocks)
    blocks.sort(key=lambda b: b.page or 0)  # stable: text-layer pages keep their block order
    return dataclasses.replace(parsed, blocks=tuple(blocks), warnings=tuple(warnings),
                               pages_needing_ocr=tuple(p for p in pages if p not in read),
                               ocr_pages=tuple(sorted(read)))


def attach_boxes(parsed: ParsedDocument, chunks: list[Chunk]) -> list[Chunk]:
    """Give each chunk the boxes of the OCR lines its character span covers (same page only)."""
    if not any(b.boxes for b in parsed.blocks):
        return chunks
    starts: list[int] = []  # document offset of every OCR line, with its page and box
    lines: list[tuple[int, int | None, Box]] = []
    position = 0
    for block in parsed.blocks:
        if block.boxes:
            offset = position
            for text, box in zip(block.text.split("\n"), block.boxes):
                starts.append(offset)
                lines.append((offset + len(text), block.page, box))
                offset += len(text) + 1
        position += len(block.text) + 1  # ParsedDocument.text joins blocks with "\n"
    result = []
    for chunk in chunks:
        first = max(0, bisect.bisect_right(starts, chunk.start) - 1)
        last = bisect.bisect_left(starts, chunk.end)
        boxes = tuple(box for (end, page, box), start in zip(lines[first:last], starts[first:last])
                      if page == chunk.page and start < chunk.end and end > chunk.start)
        result.append(dataclasses.replace(chunk, boxes=boxes) if boxes else chunk)
    return result


def ocr_file(source: str | Path | bytes, settings: Settings, engine: OcrEngine | None = None, name: str | None = None,
             pages: list[int] | None = None, on_page: Callable[[int, int], None] | None = None) -> Iterator[OcrResult]:
    """OCR an image (every frame of a TIFF) or a PDF (every page, or `pages`), one page at a time.

    `on_page(done, total)` is called as each page is read. Unreadable files raise `OcrError`.
    """
    if isinstance(source, bytes):
        data, name = source, name or "upload"
    else:
        data, name = Path(source).read_bytes(), name or Path(source).name
    try:
        check_size(name, len(data), settings)
        engine = engine or engine_for(settings) or engine_for(settings, "auto")  # OCR off for ingestion only
        count = page_count(data, name)
        wanted = pages or list(range(1, count + 1))
        if missing := [p for p in wanted if not 1 <= p <= count]:
            raise OcrError(f"{name}: no page {', '.join(map(str, missing))} (it has {count})")
        if len(wanted) > settings.max_ocr_pages:
            raise DocumentTooLarge(name, f"{len(wanted)} pages to read, over the {settings.max_ocr_pages}-page "
                                         "limit (KORAG_MAX_OCR_PAGES); ask for fewer pages")
        for done, (page, result) in enumerate(read_ahead(engine, page_images(data, name, wanted, settings.ocr_dpi),
                                                        skip_blank=False), 1):
            if isinstance(result, OcrError):
                raise result
            assert result is not None
            if on_page is not None:
                on_page(done, len(wanted))
            yield result
    except IngestError as err:  # unreadable, unsupported or oversized input: one error type for callers
        raise OcrError(str(err)) from err
    except OcrError:
        raise
    except Exception as err:  # noqa: BLE001 - PDFium, Pillow on a hostile file: this file's failure, named
        raise OcrError(f"{name}: cannot be read ({type(err).__name__}: {err})") from err
