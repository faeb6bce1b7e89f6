"""Structure of Korean office documents (issue 15): tables and forms without separator residue,
조문 heading paths and article-start chunks, 부칙/별지, 공문 header fields, HWP/HWPX pages."""
from __future__ import annotations

import io
import re
from html import escape
import struct

import docx
from docx.oxml import OxmlElement
from docx.oxml.ns import qn

from ingest.loaders import load
from ingest.loaders import hwp5
from ingest.loaders.base import LoadOptions
from ingest.loaders.hwp5_records import PARA_HEADER, PARA_LINE_SEG, PARA_TEXT, read_records, record_tree
from ingest.split import KoreanSplitter
from ingest.structure import PART, SUPPLEMENT
from ingest.structure_tables import Cell, cells_from_rows, render_table
from rag.model import citation_label
from tests.ingest.test_hwp5 import chars, record, text
from tests.ingest.test_hwpx import _cell, _p, _section, make_hwpx

RESIDUE = re.compile(r"(?:[|,·]\s+){4,}|\|\s*\|")  # empty-cell separators, the bug this issue is about


def first_body_line(text_: str) -> str:
    """A chunk's first line that is not a 장/절/부칙/별지 heading."""
    lines = text_.split("\n")
    return next((line for line in lines if not (PART.match(line) or SUPPLEMENT.match(line))), lines[0])


def _no_residue(text_: str) -> bool:
    return not any(RESIDUE.search(line) for line in text_.splitlines())


# --- tables and forms, one renderer for every format -----------------------------------------------

def test_merged_cells_appear_once_and_empty_cells_emit_nothing():
    cells = [Cell(0, 0, "구분", col_span=3), Cell(1, 0, "예산"), Cell(1, 1, "1억", col_span=2),
             Cell(2, 0, "비고", row_span=2), Cell(2, 1, ""), Cell(2, 2, "없음")]
    table = render_table(cells)
    assert table.rows == (("구분",), ("예산", "1억"), ("비고", "없음"))
    assert table.text == "구분\n예산: 1억\n비고 | 없음"
    assert table.kind == "table"


def test_an_empty_application_form_is_a_form_block_of_its_labels():
    rows = [("성명", "", "소속", ""), ("생년월일", "", "연락처", ""), ("주소", "", "", ""), ("신청 사유", "", "", "")]
    form = render_table(cells_from_rows(rows))
    assert form.kind == "form"
    assert form.text == "성명 · 소속\n생년월일 · 연락처\n주소\n신청 사유"  # labels only: no "성명: 소속"
    assert _no_residue(form.text)


def test_a_filled_form_keeps_its_values_beside_their_labels():
    rows = [("성명", "홍길동", "소속", ""), ("연락처", "", "주소", ""), ("비고", "", "", "")]
    form = render_table(cells_from_rows(rows))
    assert form.kind == "form"
    assert form.text.splitlines()[0] == "성명: 홍길동 · 소속"


def test_a_label_value_table_reads_label_colon_value():
    table = render_table(cells_from_rows([("대부한도", "월 300만원"), ("이율", "연 2%"), ("상환기간", "5년")]))
    assert table.text == "대부한도: 월 300만원\n이율: 연 2%\n상환기간: 5년"


def test_a_header_row_gives_header_value_per_row_and_a_sheet_never_becomes_a_form():
    rows = [("이름", "부서", "직급"), ("홍길동", "", "과장"), ("김철수", "기획", ""), ("이영희", "", "")]
    table = render_table(cells_from_rows(rows), forms=False)
    assert table.kind == "table"
    assert table.text.splitlines() == ["이름 · 부서 · 직급", "이름: 홍길동 · 직급: 과장", "이름: 김철수 · 부서: 기획",
                                       "이름: 이영희"]


def test_hwpx_nested_table_keeps_its_order_inside_its_cell_and_merges_once():
    nested = ('<hp:tbl><hp:tr>' + _cell(0, 0, _p("안쪽 가")) + _cell(0, 1, _p("안쪽 나")) + '</hp:tr></hp:tbl>')
    table = ('<hp:tbl><hp:tr>' + _cell(0, 0, _p("신청서"), col_span=4) + '</hp:tr>'
             '<hp:tr>' + _cell(1, 0, _p("성명")) + _cell(1, 1, _p(""), col_span=3) + '</hp:tr>'
             '<hp:tr>' + _cell(2, 0, _p("첨부")) + _cell(2, 1, f'<hp:p><hp:run>{nested}</hp:run></hp:p>')
             + _cell(2, 2, _p("")) + _cell(2, 3, _p("")) + '</hp:tr>'
             '<hp:tr>' + _cell(3, 0, _p("비고")) + _cell(3, 1, _p(""), col_span=3) + '</hp:tr></hp:tbl>')
    doc = load(make_hwpx({"section0": _section(f'<hp:p><hp:run><hp:t>앞</hp:t>{table}</hp:run></hp:p>'
                                               + _p("뒤"))}), "form.hwpx")
    assert [b.kind for b in doc.blocks] == ["paragraph", "form", "paragraph"]
    assert doc.blocks[1].text == "신청서\n성명\n첨부 · 안쪽 가: 안쪽 나\n비고"
    assert _no_residue(doc.text)


def test_docx_grid_span_and_vertical_merge_appear_once():
    document = docx.Document()
    table = document.add_table(rows=3, cols=3)
    for r, row in enumerate([("항목", "내용", "비고"), ("기간", "1년", "갱신"), ("", "연장 가능", "")]):
        for c, value in enumerate(row):
            table.cell(r, c).text = value
    table.cell(1, 0).merge(table.cell(2, 0))  # vMerge: 기간 covers two rows
    table.cell(2, 1).merge(table.cell(2, 2))  # gridSpan: 연장 가능 covers two columns
    buffer = io.BytesIO()
    document.save(buffer)
    block = next(b for b in load(buffer.getvalue(), "t.docx").blocks if b.kind in ("table", "form"))
    assert block.text.count("기간") == 1 and block.text.count("연장 가능") == 1
    assert block.text.splitlines() == ["항목 · 내용 · 비고", "항목: 기간 · 내용: 1년 · 비고: 갱신", "내용: 연장 가능"]


# --- regulations: 조문 heading paths, 부칙, 별지, article-start chunks ------------------------------

REGULATION = [
    "제1장 총칙",
    "제1조(목적) 이 규정은 직원 생활안정자금 대부에 관한 사항을 정한다.",
    "제2조(정의) 이 규정에서 사용하는 용어의 뜻은 다음과 같다.",
    "1. \"대부\"란 생활안정자금을 빌려주는 것을 말한다.",
    "가. 주택자금과 생활자금으로 나눈다.",
    "제2장 대부",
    "제12조(대부한도) ① 월 대부한도는 300만원으로 한다.",
    "② 제1항에도 불구하고 재해를 입은 직원의 대부한도는 500만원으로 한다.",
    "제13조(상환) 대부금은 5년 이내에 갚는다.",
    "부칙 <제12호, 2024. 1. 1.>",
    "제1조(시행일) 이 규정은 공포한 날부터 시행한다.",
    "[별지 제1호서식] 대부 신청서",
    "위와 같이 신청합니다.",
]


def _regulation_hwpx() -> bytes:
    form = ('<hp:tbl><hp:tr>' + _cell(0, 0, _p("성명")) + _cell(0, 1, _p("")) + _cell(0, 2, _p("소속"))
            + _cell(0, 3, _p("")) + '</hp:tr><hp:tr>' + _cell(1, 0, _p("신청금액")) + _cell(1, 1, _p(""))
            + _cell(1, 2, _p("상환기간")) + _cell(1, 3, _p("")) + '</hp:tr></hp:tbl>')
    body = "".join(_p(escape(line)) for line in REGULATION[:-1])
    body += f'<hp:p><hp:run>{form}</hp:run></hp:p>' + _p(escape(REGULATION[-1]))
    return make_hwpx({"section0": _section(body)})


def test_regulation_blocks_carry_article_paths_with_supplement_and_annex():
    doc = load(_regulation_hwpx(), "규정.hwpx")
    path = {b.text.split(" ")[0] if b.kind != "form" else "form": b.heading_path for b in doc.blocks}
    by_text = {b.text: b for b in doc.blocks}
    assert by_text["제1장 총칙"].kind == "heading"
    assert by_text[REGULATION[1]].heading_path == ("제1장 총칙", "제1조(목적)")
    assert by_text[REGULATION[3]].heading_path == ("제1장 총칙", "제2조(정의)", "1.")
    assert by_text[REGULATION[4]].heading_path == ("제1장 총칙", "제2조(정의)", "1.", "가.")
    assert by_text[REGULATION[6]].heading_path == ("제2장 대부", "제12조(대부한도)", "①")
    assert by_text[REGULATION[7]].heading_path == ("제2장 대부", "제12조(대부한도)", "②")
    assert by_text[REGULATION[10]].heading_path == ("부칙", "제1조(시행일)")  # 부칙's 제1조 is not 본칙's
    assert by_text[REGULATION[11]].kind == "heading"
    form = next(b for b in doc.blocks if b.kind == "form")
    assert form.heading_path == ("[별지 제1호서식]",) and form.text == "성명 · 소속\n신청금액 · 상환기간"
    assert by_text[REGULATION[12]].kind == "annex"
    assert path["제13조(상환)"] == ("제2장 대부", "제13조(상환)")


def test_every_article_starts_a_chunk_and_citations_name_it(kiwi):
    doc = load(_regulation_hwpx(), "규정.hwpx")
    chunks = KoreanSplitter(kiwi, chunk_tokens=200).split(doc)
    # A chunk starts at an article, after the 장/부칙 heading that opens it if there is one.
    starts = [(first_body_line(c.text).split(" ")[0], c.heading_path) for c in chunks]
    for article, path in (("제1조(목적)", ("제1장 총칙", "제1조(목적)")), ("제2조(정의)", ("제1장 총칙", "제2조(정의)")),
                          ("제12조(대부한도)", ("제2장 대부", "제12조(대부한도)", "①")),
                          ("제13조(상환)", ("제2장 대부", "제13조(상환)")), ("제1조(시행일)", ("부칙", "제1조(시행일)"))):
        assert (article, path) in starts, (article, starts)
    assert chunks[0].text.startswith("제1장 총칙\n제1조(목적)")  # the heading joins the article it opens
    limit = next(c for c in chunks if first_body_line(c.text).startswith("제12조"))
    assert "② 제1항에도" in limit.text  # the article's 항 stay together while it fits
    assert citation_label("규정.hwpx", limit.heading_path, 3) == "규정.hwpx › 제12조(대부한도) ① · 3쪽"
    kinds = {c.text.split("\n")[0]: c.kind for c in chunks}
    assert kinds["성명 · 소속"] == "form" and kinds["위와 같이 신청합니다."] == "annex"


def test_a_long_article_is_cut_where_a_paragraph_begins(kiwi):
    clause = "대부 신청자는 소속 부서장의 확인을 받은 신청서를 인사부서에 제출하여야 한다. "
    lines = ["제5조(신청) ① " + clause * 3, "② " + clause * 3, "③ " + clause * 3, "제6조(심사) 심사는 매월 한다."]
    doc = load("\n\n".join(lines).encode(), "규정.txt")
    chunks = KoreanSplitter(kiwi, chunk_tokens=90, overlap_sentences=1).split(doc)
    article = [c for c in chunks if c.heading_path[:1] == ("제5조(신청)",)]
    assert len(article) >= 2
    assert all(c.text.startswith(("제5조", "②", "③")) for c in article)  # cut at 항, not mid-항
    assert [c.heading_path for c in article][1][-1] in ("②", "③")


def test_text_regulation_lines_become_blocks_without_changing_the_text():
    source = "\n".join(REGULATION[:9])
    doc = load(source.encode(), "규정.txt")
    assert doc.text == source
    assert doc.blocks[-1].heading_path == ("제2장 대부", "제13조(상환)")


def test_a_document_that_only_cites_articles_is_not_a_regulation():
    doc = load("제3조제2항 중 \"서한\"을 \"공식 문서\"로 한다.\n\n이 고시는 제5조에 따른다.".encode(), "고시.txt")
    assert all(b.heading_path == () for b in doc.blocks)


# --- pages from layout records -----------------------------------------------------------------------

def _hwpx_p(text_: str, vertpos: list[int], page_break: bool = False) -> str:
    segs = "".join(f'<hp:lineseg textpos="0" vertpos="{v}" vertsize="1000" textheight="1000" baseline="850" '
                   f'spacing="600" horzpos="0" horzsize="42520" flags="393216"/>' for v in vertpos)
    brk = ' pageBreak="1"' if page_break else ""
    return (f'<hp:p paraPrIDRef="0" styleIDRef="0"{brk}><hp:run charPrIDRef="0"><hp:t>{text_}</hp:t></hp:run>'
            f"<hp:linesegarray>{segs}</hp:linesegarray></hp:p>")


def test_hwpx_pages_from_line_positions_and_page_breaks():
    first = _section(_hwpx_p("첫 쪽", [0, 1600]) + _hwpx_p("둘째 쪽으로 넘어가는 문단", [70000, 0])
                     + _hwpx_p("둘째 쪽", [1600]) + _hwpx_p("쪽 나누기 뒤", [0], page_break=True))
    second = _section(_hwpx_p("새 구역", [0]))
    doc = load(make_hwpx({"section0": first, "section1": second}), "pages.hwpx")
    assert [(b.text, b.page) for b in doc.blocks] == [("첫 쪽", 1), ("둘째 쪽으로 넘어가는 문단", 1), ("둘째 쪽", 2),
                                                      ("쪽 나누기 뒤", 3), ("새 구역", 4)]
    assert doc.page_count == 4


def _hwp_para(body: str, vertpos: list[int], page_break: bool = False) -> bytes:
    data = text(body) + chars(13)
    header = struct.pack("<IIHBBHHHI", len(data) // 2, 0, 0, 0, 0x04 if page_break else 0, 1, 0, 1, 0)
    segs = b"".join(struct.pack("<9i", 0, v, 1000, 1000, 850, 600, 0, 42520, 0x60000) for v in vertpos)
    return record(PARA_HEADER, 0, header) + record(PARA_TEXT, 1, data) + record(PARA_LINE_SEG, 1, segs)


def test_hwp5_pages_from_para_line_seg_and_the_page_break_bit():
    stream = (_hwp_para("첫 쪽", [0, 1600]) + _hwp_para("다음 쪽", [0]) + _hwp_para("같은 쪽", [1600])
              + _hwp_para("쪽 나누기", [0], page_break=True))
    reader = hwp5.SectionReader("t.hwp", hwp5.Styles(), LoadOptions())
    items = reader.paragraphs(record_tree(read_records(stream, "t.hwp", "Section0")).children, 0)
    assert [(i.text, i.page) for i in items] == [("첫 쪽", 1), ("다음 쪽", 2), ("같은 쪽", 2), ("쪽 나누기", 3)]
    assert reader.pages.page == 3


def test_docx_outline_headings_survive_when_there_is_no_legal_structure():
    document = docx.Document()
    paragraph = document.add_paragraph("개요")
    level = OxmlElement("w:outlineLvl")
    level.set(qn("w:val"), "0")
    paragraph._p.get_or_add_pPr().append(level)
    document.add_paragraph("본문입니다.")
    buffer = io.BytesIO()
    document.save(buffer)
    doc = load(buffer.getvalue(), "d.docx")
    assert doc.blocks[-1].heading_path == ("개요",)


def test_an_indented_first_line_is_a_new_page_and_a_far_right_one_a_new_column():
    from ingest.loaders.hwp_blocks import PageCounter

    pages = PageCounter()
    starts = [pages.paragraph(False, lines) for lines in ([(0, 0)], [(64000, 0)], [(0, 2125)], [(30000, 0)],
                                                          [(0, 24000)])]
    assert starts == [1, 1, 2, 2, 2]  # an indent of 2125 is not a column; a jump of 24000 to the right is
