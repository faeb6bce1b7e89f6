"""The same generated regulation (장, 조(제목), 항, 호, 목, 부칙, 별지 form) in DOCX, PDF and HWP 5 gets the
조문 heading paths, and a citation names the article and its page (HWPX and text: test_structure.py)."""
from __future__ import annotations

import io
import struct
from pathlib import Path

import docx
import pytest

from ingest import structure
from ingest.loaders import hwp5, load
from ingest.loaders.base import LoadOptions
from ingest.loaders.hwp5_records import CTRL_HEADER, LIST_HEADER, TABLE, read_records, record_tree
from ingest.loaders.hwp_blocks import OutlineTracker
from ingest.split import KoreanSplitter
from rag.model import ParsedDocument, citation_label
from tests.ingest.test_hwp5 import chars, control, para, record, text
from tests.ingest.test_structure import REGULATION

NANUM = Path("/usr/share/fonts/truetype/nanum/NanumGothic.ttf")
FORM = [("성명", "", "소속", ""), ("신청금액", "", "상환기간", "")]


def _paths(doc: ParsedDocument) -> dict[str, tuple[str, ...]]:
    return {b.text: b.heading_path for b in doc.blocks}


def _check(doc: ParsedDocument) -> None:
    paths = _paths(doc)
    assert paths[REGULATION[1]] == ("제1장 총칙", "제1조(목적)")
    assert paths[REGULATION[4]] == ("제1장 총칙", "제2조(정의)", "1.", "가.")
    assert paths[REGULATION[7]] == ("제2장 대부", "제12조(대부한도)", "②")
    assert paths[REGULATION[10]] == ("부칙", "제1조(시행일)")
    form = next(b for b in doc.blocks if b.kind == "form")
    assert form.heading_path == ("[별지 제1호서식]",) and form.text == "성명 · 소속\n신청금액 · 상환기간"


def test_docx_regulation():
    document = docx.Document()
    for line in REGULATION[:-1]:
        document.add_paragraph(line)
    table = document.add_table(rows=2, cols=4)
    for r, row in enumerate(FORM):
        for c, value in enumerate(row):
            table.cell(r, c).text = value
    document.add_paragraph(REGULATION[-1])
    buffer = io.BytesIO()
    document.save(buffer)
    _check(load(buffer.getvalue(), "규정.docx"))


def test_hwp5_regulation():
    """The HWP 5 records of the regulation, read as hwp5.load reads a section (the OLE container aside)."""
    stream = b"".join(para(0, text(line) + chars(13)) for line in REGULATION[:-1])
    stream += para(0, control(11, "tbl ") + chars(13)) + record(CTRL_HEADER, 1, b" lbt" + b"\0" * 40)
    stream += record(TABLE, 2, struct.pack("<IHH", 0, 2, 4) + b"\0" * 20)
    for r, row in enumerate(FORM):
        for c, value in enumerate(row):
            stream += record(LIST_HEADER, 2, struct.pack("<iI4H", 1, 0, c, r, 1, 1) + b"\0" * 18)
            stream += para(2, text(value) + chars(13))
    stream += para(0, text(REGULATION[-1]) + chars(13))
    reader = hwp5.SectionReader("규정.hwp", hwp5.Styles(), LoadOptions())
    outline = OutlineTracker()
    outline.add(reader.paragraphs(record_tree(read_records(stream, "규정.hwp", "Section0")).children, 0), page=1)
    _check(structure.apply(ParsedDocument("규정.hwp", "hwp", tuple(outline.blocks), page_count=1)))


def regulation_pdf_bytes() -> bytes:
    """The regulation as a two-page PDF (제2장 and its 제12조 open page 2); skips without the Korean font."""
    if not NANUM.exists():
        pytest.skip("NanumGothic font not installed (apt install fonts-nanum) - cannot draw Korean text")
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(TTFont("NanumGothic", str(NANUM)))
    buf = io.BytesIO()
    pdf = canvas.Canvas(buf)
    for page in (REGULATION[:5], REGULATION[5:]):
        pdf.setFont("NanumGothic", 11)
        for i, line in enumerate(page):
            pdf.drawString(72, 760 - 40 * i, line)
        pdf.showPage()
    pdf.save()
    return buf.getvalue()


@pytest.fixture(scope="module")
def regulation_pdf() -> bytes:
    return regulation_pdf_bytes()


def test_pdf_regulation_citation_names_article_and_page(regulation_pdf, kiwi):
    doc = load(regulation_pdf, "규정.pdf")
    paths = _paths(doc)
    assert paths[REGULATION[1]] == ("제1장 총칙", "제1조(목적)")
    assert paths[REGULATION[7]] == ("제2장 대부", "제12조(대부한도)", "②")
    assert paths[REGULATION[10]] == ("부칙", "제1조(시행일)")
    annex = next(b for b in doc.blocks if b.text.startswith("[별지 제1호서식] 대부 신청서"))
    assert annex.heading_path == ("[별지 제1호서식]",) and annex.page == 2
    chunk = next(c for c in KoreanSplitter(kiwi).split(doc) if "제12조(대부한도)" in c.text)
    assert citation_label("규정.pdf", chunk.heading_path, chunk.page) == "규정.pdf › 제12조(대부한도) ① · 2쪽"


def test_a_one_cell_table_is_a_frame_whose_paragraphs_and_nested_table_stay_blocks():
    """HWP 5 records of a box drawn round two paragraphs and a two-row table (a 공고's "< 모집 개요 >")."""
    stream = para(0, control(11, "tbl ") + chars(13)) + record(CTRL_HEADER, 1, b" lbt" + b"\0" * 40)
    stream += record(TABLE, 2, struct.pack("<IHH", 0, 1, 1) + b"\0" * 20)
    stream += record(LIST_HEADER, 2, struct.pack("<iI4H", 3, 0, 0, 0, 1, 1) + b"\0" * 18)
    stream += para(2, text("< 모집 개요 >") + chars(13)) + para(2, text("◇ 모집인원 : 약 70명") + chars(13))
    stream += para(2, control(11, "tbl ") + chars(13)) + record(CTRL_HEADER, 3, b" lbt" + b"\0" * 40)
    stream += record(TABLE, 4, struct.pack("<IHH", 0, 2, 2) + b"\0" * 20)
    for r, row in enumerate((("모집기간", "6. 19. ~ 6. 25."), ("문의", "044-201-8147"))):
        for c, value in enumerate(row):
            stream += record(LIST_HEADER, 4, struct.pack("<iI4H", 1, 0, c, r, 1, 1) + b"\0" * 18)
            stream += para(4, text(value) + chars(13))
    reader = hwp5.SectionReader("공고.hwp", hwp5.Styles(), LoadOptions())
    items = reader.paragraphs(record_tree(read_records(stream, "공고.hwp", "Section0")).children, 0)
    assert [(i.kind, i.text) for i in items] == [("paragraph", "< 모집 개요 >"), ("paragraph", "◇ 모집인원 : 약 70명"),
                                                 ("table", "모집기간: 6. 19. ~ 6. 25.\n문의: 044-201-8147")]
