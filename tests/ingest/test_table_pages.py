"""A table that crosses a page end (issue 15): its rows carry the page they are on where the format says so
(HWPX and HWP 5 table geometry confirmed by the next paragraph's saved position; PDF pages)."""
from __future__ import annotations

import io
from pathlib import Path

import pytest

from ingest.loaders import load
from ingest.loaders.hwp_table_pages import TableLayout, row_pages
from tests.ingest.test_hwpx import _section, make_hwpx

NANUM = Path("/usr/share/fonts/truetype/nanum/NanumGothic.ttf")
# A4 as Hangul saves it: 84188 high, top margin 5669, bottom 2834: a 75685-unit text area
SEC_PR = ('<hp:p paraPrIDRef="0" styleIDRef="0"><hp:run charPrIDRef="0"><hp:secPr><hp:pagePr landscape="WIDELY" '
          'width="59528" height="84188"><hp:margin header="0" footer="0" gutter="0" left="5669" right="5669" '
          'top="5669" bottom="2834"/></hp:pagePr></hp:secPr><hp:t>머리말</hp:t></hp:run>'
          '<hp:linesegarray><hp:lineseg vertpos="0" horzpos="0"/></hp:linesegarray></hp:p>')


def _line(vertpos: int) -> str:
    return f'<hp:linesegarray><hp:lineseg vertpos="{vertpos}" vertsize="1000" horzpos="0"/></hp:linesegarray>'


def _p(text: str, vertpos: int) -> str:
    return f'<hp:p paraPrIDRef="0" styleIDRef="0"><hp:run charPrIDRef="0"><hp:t>{text}</hp:t></hp:run>{_line(vertpos)}</hp:p>'


def _table(rows: list[tuple[str, str]], height: int, saved_height: int, page_break: str = "CELL") -> str:
    """A two-column table in the text flow; the first row is a 제목 줄 repeated on every page."""
    xml = []
    for r, (a, b) in enumerate(rows):
        header = ' header="1"' if r == 0 else ""
        cells = "".join(f'<hp:tc{header}><hp:subList><hp:p><hp:run><hp:t>{text}</hp:t></hp:run></hp:p></hp:subList>'
                        f'<hp:cellAddr colAddr="{c}" rowAddr="{r}"/><hp:cellSpan colSpan="1" rowSpan="1"/>'
                        f'<hp:cellSz width="20000" height="{height}"/></hp:tc>' for c, text in enumerate((a, b)))
        xml.append(f"<hp:tr>{cells}</hp:tr>")
    return (f'<hp:tbl pageBreak="{page_break}" repeatHeader="1" rowCnt="{len(rows)}" colCnt="2">'
            f'<hp:sz width="40000" height="{saved_height}"/><hp:pos treatAsChar="0" vertRelTo="PARA" vertOffset="0"/>'
            f'<hp:outMargin left="0" right="0" top="0" bottom="0"/>{"".join(xml)}</hp:tbl>')


ROWS = [("구분", "내용")] + [(f"항목{i}", f"값{i}") for i in range(1, 11)]


def _doc(anchor_at: int, next_at: int, rows=ROWS, height: int = 3000, page_break: str = "CELL"):
    table = _table(rows, height, min(75685 - anchor_at, height * len(rows)), page_break)
    body = (SEC_PR + f'<hp:p paraPrIDRef="0" styleIDRef="0"><hp:run charPrIDRef="0"><hp:t>표 앞</hp:t>{table}</hp:run>'
            f'{_line(anchor_at)}</hp:p>' + _p("표 뒤", next_at))
    return load(make_hwpx({"section0": _section(body)}), "표.hwpx")


def test_hwpx_rows_after_a_page_end_carry_the_next_page_with_the_header_repeated():
    # The table starts at 60000: the header and four rows fit (to 75000), rows 5-10 go on page 2 under
    # the repeated header and end at 3000 + 6 x 3000 = 21000, where the next paragraph's line was saved.
    doc = _doc(60000, 21000)
    tables = [b for b in doc.blocks if b.kind == "table"]
    assert [(t.page, t.text.splitlines()[:2]) for t in tables] == [(1, ["구분: 내용", "항목1: 값1"]),
                                                                    (2, ["구분: 내용", "항목5: 값5"])]
    assert tables[0].text.count("항목") == 4 and tables[1].text.count("항목") == 6
    assert next(b for b in doc.blocks if b.text == "표 뒤").page == 2 and doc.page_count == 2


def test_hwpx_a_table_over_three_pages_counts_them():
    rows = [("구분", "내용")] + [(f"항목{i}", f"값{i}") for i in range(1, 41)]  # 41 rows x 3000
    doc = _doc(60000, 3000 + 12 * 3000, rows)  # 4 rows on page 1, 24 on page 2, the last 12 on page 3
    pages = [b.page for b in doc.blocks if b.kind == "table"]
    assert pages == [1, 2, 3]
    assert next(b for b in doc.blocks if b.text == "표 뒤").page == 3 and doc.page_count == 3


def test_hwpx_a_table_that_may_not_split_moves_whole_to_the_next_page():
    doc = _doc(60000, 33000, page_break="NONE")  # 11 rows x 3000 from the top of page 2
    assert [b.page for b in doc.blocks if b.kind == "table"] == [2]
    assert next(b for b in doc.blocks if b.text == "표 뒤").page == 2


def test_hwpx_a_layout_the_next_paragraph_contradicts_keeps_the_table_on_its_anchor_page():
    # A tool that wrote the file without laying it out: the next line sits right under the anchor.
    doc = _doc(60000, 61600)
    assert [b.page for b in doc.blocks if b.kind == "table"] == [1]
    assert doc.page_count == 1


def test_row_pages_keep_a_row_taller_than_the_rest_of_an_empty_page():
    pages, end = row_pages(TableLayout(top=0, row_heights=(80000, 1000), body_height=75685))
    assert pages == [0, 1] and end == 1000


@pytest.fixture(scope="module")
def table_pdf() -> bytes:
    if not NANUM.exists():
        pytest.skip("NanumGothic font not installed (apt install fonts-nanum) - cannot draw Korean text")
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(TTFont("NanumGothic", str(NANUM)))
    buf = io.BytesIO()
    pdf = canvas.Canvas(buf)
    pdf.setFont("NanumGothic", 11)
    y = 120
    for i in range(1, 9):  # a grid of rows that runs off the bottom of page 1
        if y < 60:
            pdf.showPage()
            pdf.setFont("NanumGothic", 11)
            y = 780
        pdf.drawString(72, y, f"항목{i}")
        pdf.drawString(250, y, f"금액 {i}00만원")
        pdf.line(70, y - 4, 400, y - 4)
        y -= 18
    pdf.showPage()
    pdf.save()
    return buf.getvalue()


def test_pdf_table_rows_on_the_next_page_carry_that_page(table_pdf):
    doc = load(table_pdf, "표.pdf")
    page_of = {}
    for block in doc.blocks:
        for i in range(1, 9):
            if f"항목{i}" in block.text:
                page_of[i] = block.page
    assert page_of == {1: 1, 2: 1, 3: 1, 4: 1, 5: 2, 6: 2, 7: 2, 8: 2}


# --- HWP 5: the same geometry from CTRL_HEADER, TABLE, LIST_HEADER and PAGE_DEF records -------------

def _hwp_section(next_at: int, page_break: int = 2) -> bytes:
    import struct

    from ingest.loaders.hwp5_records import (CTRL_HEADER, LIST_HEADER, PAGE_DEF, PARA_HEADER, PARA_LINE_SEG,
                                             PARA_TEXT, TABLE)
    from tests.ingest.test_hwp5 import chars, control, record, text

    def para(level: int, body: bytes, vertpos: int | None = None) -> bytes:
        header = struct.pack("<IIHBBHHHI", len(body) // 2, 0, 0, 0, 0, 1, 0, 1, 0)
        seg = b"" if vertpos is None else record(PARA_LINE_SEG, level + 1,
                                                   struct.pack("<9i", 0, vertpos, 1000, 1000, 850, 600, 0, 42520, 0))
        return record(PARA_HEADER, level, header) + record(PARA_TEXT, level + 1, body) + seg

    # A4, margins top 5669 / bottom 2834, no header or footer: a 75685-unit text area (as Hangul saves it)
    page_def = struct.pack("<10I", 59528, 84188, 5669, 5669, 5669, 2834, 0, 0, 0, 0)
    stream = (para(0, control(2, "secd") + text("머리말") + chars(13), 0)
              + record(CTRL_HEADER, 1, b"dces" + b"\0" * 32) + record(PAGE_DEF, 2, page_def))
    stream += para(0, text("표 앞") + control(11, "tbl ") + chars(13), 60000)
    # object attributes: in the text flow (bit 0 clear), placed from the paragraph (bits 3-4 = 2)
    stream += record(CTRL_HEADER, 1, b" lbt" + struct.pack("<Iiiiii4H", 2 << 3, 0, 0, 40000, 15685, 0, 0, 0, 0, 0)
                     + b"\0" * 8)
    stream += record(TABLE, 2, struct.pack("<IHH", page_break, len(ROWS), 2) + b"\0" * 20)
    for r, row in enumerate(ROWS):
        for c, value in enumerate(row):
            stream += record(LIST_HEADER, 2, struct.pack("<iI4HII", 1, 0, c, r, 1, 1, 20000, 3000) + b"\0" * 10)
            stream += para(2, text(value) + chars(13))
    return stream + para(0, text("표 뒤") + chars(13), next_at)


def _hwp_items(stream: bytes):
    from ingest.loaders import hwp5
    from ingest.loaders.base import LoadOptions
    from ingest.loaders.hwp5_records import read_records, record_tree

    records = record_tree(read_records(stream, "t.hwp", "Section0")).children
    assert hwp5._body_height(records) == 75685
    reader = hwp5.SectionReader("t.hwp", hwp5.Styles(), LoadOptions(), hwp5._body_height(records))
    return reader.paragraphs(records, 0), reader.pages.page


def test_hwp5_rows_after_a_page_end_carry_the_next_page():
    # Header and four rows fit from 60000 to 75000; rows 5-10 fill page 2 to 6 x 3000 = 18000 (HWP 5's
    # 제목 줄 bit is not read, so nothing is repeated), where the next paragraph's line was saved.
    items, pages = _hwp_items(_hwp_section(18000))
    tables = [i for i in items if i.kind == "table"]
    assert [(t.page, t.text.splitlines()[0]) for t in tables] == [(1, "구분: 내용"), (2, "항목5: 값5")]
    assert next(i for i in items if i.text == "표 뒤").page == 2 and pages == 2


def test_hwp5_an_unconfirmed_layout_keeps_one_table_block():
    items, pages = _hwp_items(_hwp_section(61600))
    assert [i.page for i in items if i.kind == "table"] == [1] and pages == 1


def test_hwpx_a_table_that_ends_its_section_on_the_next_page_counts_that_page():
    table = _table(ROWS, 3000, 75685 - 60000)
    body = SEC_PR + (f'<hp:p paraPrIDRef="0" styleIDRef="0"><hp:run charPrIDRef="0"><hp:t>표 앞</hp:t>{table}</hp:run>'
                     f'{_line(60000)}</hp:p>')
    doc = load(make_hwpx({"section0": _section(body)}), "표.hwpx")
    assert [b.page for b in doc.blocks if b.kind == "table"] == [1, 2] and doc.page_count == 2
