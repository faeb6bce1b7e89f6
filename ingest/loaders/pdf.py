"""PDF loader (pypdf): paragraph blocks per page, and the pages that need OCR.

Paragraph breaks come from the glyph positions pypdf reports while extracting: a vertical jump
well above the page's usual line spacing, a jump back up (next column) or a font-size change.
"""
from __future__ import annotations

import io
from dataclasses import dataclass

import pypdf
from pypdf import PasswordType

from ingest.errors import CorruptDocument, DocumentTooLarge, EncryptedDocument, IngestError
from ingest.loaders.base import LoadOptions
from rag.model import Block, ParsedDocument

# A page with fewer visible characters than this is a scan (or blank) as far as search goes.
MIN_TEXT_CHARS = 10
# A gap this many times the page's usual line spacing starts a new paragraph.
PARAGRAPH_GAP = 1.5
MIN_GAPS = 3
# With fewer gaps than MIN_GAPS to learn the spacing from: this many font sizes (single spacing ~1.2).
FALLBACK_GAP = 1.8


def load(data: bytes, name: str, options: LoadOptions) -> ParsedDocument:
    """Parse a PDF into one or more paragraph blocks per page (`page` is 1-based)."""
    reader = _open(data, name)
    page_count = _page_count(reader, name, options)
    blocks: list[Block] = []
    needing_ocr: list[int] = []
    warnings: list[str] = []
    failed = 0
    for number in range(1, page_count + 1):
        try:
            paragraphs = _page_paragraphs(reader.pages[number - 1])
        except Exception as err:  # noqa: BLE001 - pypdf raises many types on one bad content stream
            failed += 1
            warnings.append(f"page {number}: text could not be extracted ({type(err).__name__}: {err})")
            needing_ocr.append(number)
            continue
        if sum(len("".join(p.split())) for p in paragraphs) < MIN_TEXT_CHARS:
            needing_ocr.append(number)
        blocks.extend(Block(text=p, kind="paragraph", page=number) for p in paragraphs)
    if failed == page_count:
        raise CorruptDocument(name, "no page of the PDF could be read; the file is damaged, re-export it")
    return ParsedDocument(
        name=name, format="pdf", blocks=tuple(blocks), page_count=page_count,
        pages_needing_ocr=tuple(needing_ocr), title=_title(reader), warnings=tuple(warnings),
    )


def _open(data: bytes, name: str) -> pypdf.PdfReader:
    try:
        reader = pypdf.PdfReader(io.BytesIO(data), strict=False)
    except Exception as err:  # noqa: BLE001 - pypdf's errors for broken files are not one hierarchy
        raise CorruptDocument(name, f"broken or truncated PDF ({type(err).__name__}: {err}); re-export it") from err
    if reader.is_encrypted:
        # Many PDFs carry only an owner password (printing/copy restrictions): the empty user
        # password opens them, and reading text is what the owner allowed anyway.
        try:
            opened = reader.decrypt("")
        except Exception as err:  # noqa: BLE001 - unsupported cipher or missing crypto backend
            raise EncryptedDocument(
                name, f"the PDF is encrypted in a way korag cannot open ({err}); save an unprotected copy"
            ) from err
        if opened == PasswordType.NOT_DECRYPTED:
            raise EncryptedDocument(name, "the PDF needs a password to open; save a copy without a password and retry")
    return reader


def _page_count(reader: pypdf.PdfReader, name: str, options: LoadOptions) -> int:
    """Count pages, refusing early: a 10,000-page PDF should fail before anything is extracted."""
    try:
        declared = int(reader.trailer["/Root"]["/Pages"]["/Count"])
    except Exception:  # noqa: BLE001 - a missing or odd /Count is common; the real count below decides
        declared = 0
    if declared > options.max_pages:
        raise DocumentTooLarge(name, f"the PDF has {declared} pages (limit {options.max_pages}); split it")
    try:
        count = len(reader.pages)
    except IngestError:
        raise
    except Exception as err:  # noqa: BLE001
        raise CorruptDocument(name, f"the PDF page tree is broken ({type(err).__name__}: {err}); re-export it") from err
    if count == 0:
        raise CorruptDocument(name, "the PDF has no readable pages; the file is damaged or truncated")
    if count > options.max_pages:
        raise DocumentTooLarge(name, f"the PDF has {count} pages (limit {options.max_pages}); split it")
    return count


def _title(reader: pypdf.PdfReader) -> str | None:
    try:
        title = reader.metadata.title if reader.metadata else None
    except Exception:  # noqa: BLE001 - metadata is optional; a broken info dict must not fail the file
        return None
    title = str(title).strip() if title else ""
    return title or None


@dataclass
class _Line:
    text: str = ""
    y: float | None = None
    size: float | None = None


def _page_paragraphs(page: pypdf.PageObject) -> list[str]:
    """Extract a page (pypdf's plain mode) and split it into paragraphs.

    Plain mode is kept over `extraction_mode="layout"`: on the Korean corpus layout mode lost
    no fewer inter-word spaces, interleaved two-column pages and was 10x slower.
    """
    lines = [_Line()]

    def visit(text: str, cm: list[float], tm: list[float], font: object, size: float) -> None:
        # pypdf hands the visitor exactly the pieces of its plain output, line breaks included.
        for i, piece in enumerate(text.split("\n")):
            if i:
                lines.append(_Line())
            line = lines[-1]
            if piece.strip() and line.y is None:
                line.y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
                line.size = abs(size * (tm[3] or 1) * (cm[3] or 1)) or None
            line.text += piece

    page.extract_text(visitor_text=visit)
    return _paragraphs(lines)


def _paragraphs(lines: list[_Line]) -> list[str]:
    placed = [line for line in lines if line.y is not None]
    gaps = sorted(a.y - b.y for a, b in zip(placed, placed[1:]) if a.y - b.y > 0.5)
    # The lower quartile, not the median: on a page of short paragraphs most gaps are breaks.
    # With too few lines to tell, `_breaks` falls back to the font size.
    spacing = gaps[len(gaps) // 4] if len(gaps) >= MIN_GAPS else None
    paragraphs: list[list[str]] = [[]]
    previous: _Line | None = None
    for line in lines:
        if not line.text.strip():
            if paragraphs[-1]:  # an empty line in the text layer is a paragraph break already
                paragraphs.append([])
            continue
        if previous is not None and paragraphs[-1] and _breaks(previous, line, spacing):
            paragraphs.append([])
        paragraphs[-1].append(line.text.rstrip())
        if line.y is not None:
            previous = line
    return [text for text in ("\n".join(p).strip() for p in paragraphs) if text]


def _breaks(before: _Line, after: _Line, spacing: float | None) -> bool:
    if after.y is None or before.y is None:
        return False
    gap = before.y - after.y
    if gap < -0.5 * (after.size or 10):  # moved up the page: next column, or a float placed above
        return True
    if spacing and gap > PARAGRAPH_GAP * spacing:
        return True
    if spacing is None and after.size and gap > FALLBACK_GAP * after.size:
        return True
    if before.size and after.size:
        return abs(before.size - after.size) > 0.08 * max(before.size, after.size)
    return False
