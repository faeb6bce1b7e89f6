"""PDF loader (PDFium via pypdfium2): paragraph blocks per page, and the pages that need OCR.

PDFium keeps the inter-word spaces of Korean text that pypdf drops ("십진수의 변환", not
"십진수의변환") and is ~15x faster. Paragraph breaks come from line geometry: a vertical jump
well above the page's usual line spacing, a jump back up (next column) or a font-size change.
"""
from __future__ import annotations

import ctypes
import math
import re
from dataclasses import dataclass

import pypdfium2
import pypdfium2.raw as pdfium_c

from ingest.errors import CorruptDocument, DocumentTooLarge
from ingest.loaders.base import LoadOptions
from ingest.loaders.pdf_guard import check_streams
from ingest.render import PDFIUM, open_pdf
from rag.model import Block, ParsedDocument

# A page with fewer visible characters than this is a scan (or blank) as far as search goes.
MIN_TEXT_CHARS = 10
# A gap this many times the page's usual line spacing starts a new paragraph.
PARAGRAPH_GAP = 1.5
MIN_GAPS = 3
# With fewer gaps than MIN_GAPS to learn the spacing from: this many font sizes (single spacing ~1.2).
FALLBACK_GAP = 1.8

# PDFium joins a word hyphenated across lines and marks the dropped hyphen with U+FFFE (0x02 in
# the per-character API). Like Chromium's viewer (FormatStringWithHyphens), drop the marker so
# the word reads whole, and put the line break at the next space instead.
_HYPHEN_BREAK = re.compile("[\ufffe\x02]([^\\s\ufffe\x02]*)([ \t])?")
# "제 1 장": PDFium infers a space from every gap, and Korean typesetting (ko.TeX, HWP) sets a
# numeral beside Hangul with a gap as wide as a word space. 한글 맞춤법 joins ordinals (제1장,
# 제3조), as do the regulations korag indexes: join them where the spaces are PDFium's guesses.
_ORDINAL = re.compile("(?<![가-힣])제( ?)[0-9]+( ?)[장절조항호편관부권회차과]")


def load(data: bytes, name: str, options: LoadOptions) -> ParsedDocument:
    """Parse a PDF into one or more paragraph blocks per page (`page` is 1-based)."""
    check_streams(data, name, options.max_pdf_stream_bytes)  # before PDFium inflates anything
    with PDFIUM:  # one PDFium call at a time in the process (ingest.render)
        pdf = open_pdf(data, name)
        try:
            return _parse(pdf, name, options)
        finally:
            pdf.close()


def _parse(pdf: pypdfium2.PdfDocument, name: str, options: LoadOptions) -> ParsedDocument:
    page_count = _page_count(pdf, name, options)
    blocks: list[Block] = []
    needing_ocr: list[int] = []
    warnings: list[str] = []
    failed = 0
    for number in range(1, page_count + 1):
        try:
            paragraphs = _paragraphs(_page_lines(pdf, number - 1))
        except pypdfium2.PdfiumError as err:
            # not sent to OCR: rendering loads the page the same way (a page tree that loops back
            # on itself fails here, and would fail there with no file named)
            failed += 1
            warnings.append(f"page {number}: text could not be extracted ({err})")
            continue
        if sum(len("".join(p.split())) for p in paragraphs) < MIN_TEXT_CHARS and not _blank(pdf, number - 1):
            needing_ocr.append(number)
        blocks.extend(Block(text=p, kind="paragraph", page=number) for p in paragraphs)
    if failed == page_count or (failed and not blocks and not needing_ocr):
        raise CorruptDocument(name, f"{failed} of {page_count} pages of the PDF cannot be loaded (a damaged or "
                                    "looping page tree) and no other page has text; re-export it")
    return ParsedDocument(
        name=name, format="pdf", blocks=tuple(blocks), page_count=page_count,
        pages_needing_ocr=tuple(needing_ocr), title=_title(pdf), warnings=tuple(warnings),
    )


def _page_count(pdf: pypdfium2.PdfDocument, name: str, options: LoadOptions) -> int:
    """Count pages, refusing early: a 10,000-page PDF should fail before anything is extracted."""
    count = len(pdf)  # reads the page tree only, no page content
    if count == 0:
        raise CorruptDocument(name, "the PDF has no readable pages; the file is damaged or truncated")
    if count > options.max_pages:
        raise DocumentTooLarge(name, f"the PDF has {count} pages (limit {options.max_pages}); split it")
    return count


def _blank(pdf: pypdfium2.PdfDocument, index: int) -> bool:
    """A page that draws nothing (no page objects, no annotations) is blank, not a scan.

    OCR would read nothing from it, slowly (~0.2 s a page with Tesseract), and a hostile PDF can
    hold thousands of such pages under `max_pages`.
    """
    page = pdf[index]
    try:
        return pdfium_c.FPDFPage_CountObjects(page) == 0 and pdfium_c.FPDFPage_GetAnnotCount(page) == 0
    finally:
        page.close()


def _title(pdf: pypdfium2.PdfDocument) -> str | None:
    try:
        title = pdf.get_metadata_value("Title")
    except Exception:  # noqa: BLE001 - metadata is optional; a broken info dict must not fail the file
        return None
    return title.strip() or None


@dataclass
class _Line:
    text: str = ""
    y: float | None = None  # baseline, PDF user space (grows up the page)
    size: float | None = None  # font size as drawn, text and page matrices applied


def _page_lines(pdf: pypdfium2.PdfDocument, index: int) -> list[_Line]:
    page = pdf[index]
    try:
        textpage = page.get_textpage()
        try:
            return _lines(textpage)
        finally:
            textpage.close()
    finally:
        page.close()


def _lines(textpage: pypdfium2.PdfTextPage) -> list[_Line]:
    """Split the page text at PDFium's line breaks; place each line by its first visible character.

    Geometry is read for one character per line, not per character: a few native calls per line
    keep the 168-page book well under a second.
    """
    text = textpage.get_text_range()
    # `text` begins at the text index of the first character PDFium includes (usually 0).
    offset = _first_text_index(textpage)
    lines: list[_Line] = []
    origin_x, origin_y, matrix = ctypes.c_double(), ctypes.c_double(), pdfium_c.FS_MATRIX()
    for piece in text.split("\r\n"):
        line = _Line(text=_clean(textpage, piece, offset))
        visible = piece.lstrip()
        if visible:
            # Text indices count UTF-16 units, Python indices code points.
            start = offset + _utf16_len(piece[: len(piece) - len(visible)])
            char = pdfium_c.FPDFText_GetCharIndexFromTextIndex(textpage, start)
            if char >= 0 and pdfium_c.FPDFText_GetCharOrigin(textpage, char, origin_x, origin_y):
                line.y = origin_y.value
                size = pdfium_c.FPDFText_GetFontSize(textpage, char)
                if pdfium_c.FPDFText_GetMatrix(textpage, char, matrix):
                    size *= math.hypot(matrix.c, matrix.d)  # FontSize is the Tf operand alone
                line.size = size or None
        lines.append(line)
        offset += _utf16_len(piece) + 2
    return lines


def _first_text_index(textpage: pypdfium2.PdfTextPage) -> int:
    for char in range(textpage.count_chars()):
        index = pdfium_c.FPDFText_GetTextIndexFromCharIndex(textpage, char)
        if index >= 0:
            return index
    return 0


def _utf16_len(text: str) -> int:
    return len(text) if text.isascii() else len(text.encode("utf-16-le")) // 2


def _clean(textpage: pypdfium2.PdfTextPage, piece: str, offset: int) -> str:
    """Rejoin split ordinals and hyphenated words; `offset` is the text index `piece` starts at."""
    if "제" in piece:
        spaces = [m.start(g) for m in _ORDINAL.finditer(piece) for g in (1, 2) if m[g]]
        for position in reversed(spaces):
            if _generated(textpage, offset + _utf16_len(piece[:position])):
                piece = piece[:position] + piece[position + 1:]
    return _HYPHEN_BREAK.sub(_rejoin, piece)


def _generated(textpage: pypdfium2.PdfTextPage, text_index: int) -> bool:
    """Whether PDFium made this character up (a space or line break) rather than read it."""
    char = pdfium_c.FPDFText_GetCharIndexFromTextIndex(textpage, text_index)
    return char >= 0 and pdfium_c.FPDFText_IsGenerated(textpage, char) == 1


def _rejoin(match: re.Match[str]) -> str:
    return match[1] + ("\n" if match[2] else "")


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
