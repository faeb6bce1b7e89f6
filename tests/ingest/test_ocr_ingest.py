"""Images and scanned PDFs through the real pipeline: detection, checks, Tesseract OCR, chunks with boxes."""
from __future__ import annotations

import io
import struct
import zlib

import pytest
from PIL import Image

from ingest.errors import CorruptDocument, DocumentTooLarge, EmptyDocument
from ingest.loaders import load
from ingest.ocr import attach_boxes
from ingest.pipeline import Ingestor
from rag.kb import KnowledgeBase
from rag.model import Block, Box, Chunk, ParsedDocument
from rag.settings import Settings
from tests.ocr_images import FONT, render

SCAN = ["출장비 지급 규정", "숙박비는 1박에 10만원을 넘지 않는다.", "교통비는 실비로 정산한다."]
OTHER = ["연차휴가 사용 안내", "연차는 부서장 승인 후 사용한다."]


def _bytes(image: Image.Image, fmt: str, **kwargs) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format=fmt, **kwargs)
    return buffer.getvalue()


@pytest.fixture
def ingestor(tmp_path):
    settings = Settings(home=tmp_path, embedder="none")
    return Ingestor(KnowledgeBase.open(settings, "ocr", create=True), settings)


@pytest.mark.parametrize("fmt, kwargs", [("PNG", {}), ("JPEG", {"quality": 90}), ("WEBP", {"lossless": True}),
                                         ("BMP", {}), ("TIFF", {"compression": "tiff_lzw"})])
def test_images_are_detected_and_every_frame_needs_ocr(fmt, kwargs):
    image, _ = render(SCAN[:1])
    doc = load(_bytes(image, fmt, **kwargs), f"scan.{fmt.lower()}")
    assert (doc.format, doc.page_count, doc.pages_needing_ocr, doc.blocks) == ("image", 1, (1,), ())


def test_multipage_tiff_counts_its_pages():
    first, _ = render(SCAN)
    second, _ = render(OTHER)
    data = _bytes(first, "TIFF", save_all=True, append_images=[second])
    assert load(data, "scan.tif").pages_needing_ocr == (1, 2)


def test_truncated_image_is_a_clear_error_naming_the_file():
    image, _ = render(SCAN)
    data = _bytes(image.convert("RGB"), "PNG")
    with pytest.raises(CorruptDocument, match="스캔.png: .*damaged or truncated"):
        load(data[: len(data) // 2], "스캔.png")


def test_empty_image_file_is_a_clear_error():
    with pytest.raises(EmptyDocument, match="blank.png: the file is empty"):
        load(b"", "blank.png")


def _png_header_only(width: int, height: int) -> bytes:
    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(b"\x00" * 64)) + chunk(b"IEND", b""))


def test_decompression_bomb_dimensions_are_refused_before_decoding():
    with pytest.raises(DocumentTooLarge, match="bomb.png: .*pixels"):
        load(_png_header_only(60_000, 60_000), "bomb.png")  # 3.6 gigapixels, a few bytes on disk
    with pytest.raises(DocumentTooLarge, match="wide.png: .*89,478,485 pixels"):
        load(_png_header_only(10_000, 10_000), "wide.png")  # over the limit, under Pillow's hard error


def test_zero_width_image_is_refused():
    with pytest.raises(CorruptDocument, match="zero.png"):
        load(_png_header_only(0, 10), "zero.png")


@pytest.mark.integration
def test_scanned_pdf_is_ocrd_searchable_and_chunks_keep_page_boxes(ingestor, tmp_path):
    image, glyphs = render(SCAN)
    path = tmp_path / "스캔_규정.pdf"
    image.save(path, resolution=150)  # a PDF whose only page is an image: no text layer
    pages = []
    ingestor.on_ocr_page = lambda name, done, total: pages.append((name, done, total))
    result = ingestor.ingest_file(path)
    assert result.ok, result.error
    assert (result.format, result.ocr_pages, result.pages_needing_ocr) == ("pdf", (1,), ())
    assert pages == [("스캔_규정.pdf", 1, 1)]
    hits = ingestor.kb.search_lexical("숙박비 한도", k=3)
    assert hits and "10만원" in hits[0].chunk.text.replace(" ", "") and hits[0].chunk.page == 1
    chunk = hits[0].chunk
    assert chunk.boxes, "OCR chunks keep the regions they were read from"
    # the box of the "숙박비…" line sits where the line was drawn (fractions of the page)
    boxes = [box for _, box in glyphs[1]]
    left, top, right, bottom = boxes[0][0], min(b[1] for b in boxes), boxes[-1][2], max(b[3] for b in boxes)
    line_box = min(chunk.boxes, key=lambda b: abs(b.top - top / image.height))
    assert abs(line_box.left - left / image.width) < 0.02 and abs(line_box.top - top / image.height) < 0.02
    assert abs(line_box.right - right / image.width) < 0.03 and abs(line_box.bottom - bottom / image.height) < 0.02


@pytest.mark.integration
def test_mixed_pdf_ocrs_only_the_scanned_page(ingestor, tmp_path):
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(TTFont("Nanum", str(FONT)))
    image, _ = render(OTHER)
    path = tmp_path / "혼합.pdf"
    pdf = canvas.Canvas(str(path), pagesize=A4)
    pdf.setFont("Nanum", 14)
    pdf.drawString(72, 760, "제1조 이 규정은 출장비 지급 기준을 정한다. 본문은 텍스트 레이어에 있다.")
    pdf.showPage()
    pdf.drawImage(ImageReader(image), 40, 500, width=image.width * 0.6, height=image.height * 0.6)
    pdf.showPage()
    pdf.save()
    result = ingestor.ingest_file(path)
    assert result.ok and result.ocr_pages == (2,) and result.pages_needing_ocr == ()
    chunks = ingestor.kb.store.document_chunks(result.document_id)
    by_page = {c.page: c for c in chunks}
    assert "텍스트 레이어" in by_page[1].text and by_page[1].boxes == ()
    assert "부서장 승인" in by_page[2].text and by_page[2].boxes


@pytest.mark.integration
def test_multipage_tiff_ingests_page_by_page_with_progress(ingestor, tmp_path):
    first, _ = render(SCAN)
    second, _ = render(OTHER)
    path = tmp_path / "팩스.tiff"
    first.save(path, save_all=True, append_images=[second])
    seen = []
    ingestor.on_ocr_page = lambda name, done, total: seen.append((done, total))
    result = ingestor.ingest_file(path)
    assert result.ok and result.format == "image" and result.ocr_pages == (1, 2) and seen == [(1, 2), (2, 2)]
    pages = {c.page: c.text for c in ingestor.kb.store.document_chunks(result.document_id)}
    assert "교통비는" in pages[1] and "연차는" in pages[2]


@pytest.mark.integration
def test_image_without_text_fails_with_the_reason(ingestor, tmp_path):
    path = tmp_path / "빈종이.png"
    Image.new("L", (800, 600), 255).save(path)
    result = ingestor.ingest_file(path)
    assert result.status == "failed" and "OCR found no text" in result.error


def test_ocr_off_keeps_scanned_pages_marked(tmp_path):
    settings = Settings(home=tmp_path, embedder="none", ocr_engine="none")
    ingestor = Ingestor(KnowledgeBase.open(settings, "off", create=True), settings)
    image, _ = render(SCAN)
    path = tmp_path / "scan.pdf"
    image.save(path)
    result = ingestor.ingest_file(path)
    assert result.ok and result.chunks == 0 and result.pages_needing_ocr == (1,) and result.ocr_pages == ()


def test_chunks_get_the_boxes_of_the_lines_they_cover():
    first, second, third = Box(0.1, 0.1, 0.5, 0.15), Box(0.1, 0.2, 0.6, 0.25), Box(0.1, 0.3, 0.4, 0.35)
    parsed = ParsedDocument("s.pdf", "pdf", (Block("머리말", page=1),
                                             Block("첫째 줄\n둘째 줄\n셋째 줄", page=2, boxes=(first, second, third))))
    # "머리말\n첫째 줄\n둘째 줄\n셋째 줄": line spans 4-8, 9-13, 14-18
    chunks = [Chunk("머리말", (), 1, (), 0, 0, 3), Chunk("첫째 줄 둘째", (), 2, (), 1, 4, 11),
              Chunk("셋째 줄", (), 2, (), 2, 14, 18)]
    boxed = attach_boxes(parsed, chunks)
    assert [c.boxes for c in boxed] == [(), (first, second), (third,)]
