"""PDF, DOCX, PPTX, XLSX, HTML and text loaders on real files built here, plus hostile inputs.

Every input is written by the library that produces such files in the wild (reportlab, pypdf,
python-docx, python-pptx, openpyxl); assertions are on the text, pages and structure that come out.
"""
from __future__ import annotations

import datetime as dt
import io
import json
import time
import zipfile
from pathlib import Path

import docx
import openpyxl
import pptx
import pytest
from docx.enum.style import WD_STYLE_TYPE
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from pptx.util import Inches
from pypdf import PdfWriter

from ingest.errors import (CorruptDocument, DocumentTooLarge, EmptyDocument, EncryptedDocument, IngestError,
                           UnsupportedFormat)
from ingest.loaders import load
from ingest.loaders.base import LoadOptions
from ingest.normalize import collapse_whitespace

NANUM = Path("/usr/share/fonts/truetype/nanum/NanumGothic.ttf")


def blocks_on(doc, page):
    return [b for b in doc.blocks if b.page == page]


def raises_naming_file(error: type[IngestError], data: bytes, name: str, **kwargs) -> IngestError:
    with pytest.raises(error) as info:
        load(data, name, **kwargs)
    assert name in str(info.value), "the message must name the file"
    return info.value


# ---------------------------------------------------------------- PDF


@pytest.fixture(scope="module")
def korean_pdf() -> bytes:
    """Three pages: two paragraphs on page 1, two on page 2 separated by a gap, page 3 drawn but no text (a 'scan')."""
    if not NANUM.exists():
        pytest.skip("NanumGothic font not installed (apt install fonts-nanum) - cannot draw Korean text")
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(TTFont("NanumGothic", str(NANUM)))
    buf = io.BytesIO()
    pdf = canvas.Canvas(buf)
    pdf.setTitle("복무 규정")
    pdf.setFont("NanumGothic", 12)
    pdf.drawString(72, 760, "제1장 총칙")
    pdf.drawString(72, 720, "이 규정은 직원의 복무에 관한 사항을 정한다.")
    pdf.showPage()
    pdf.setFont("NanumGothic", 12)
    pdf.drawString(72, 760, "제10조(근무시간) 직원의 근무시간은")
    pdf.drawString(72, 745, "1일 8시간으로 한다.")
    pdf.drawString(72, 700, "제11조(휴가) 연가는 15일로 한다.")
    pdf.showPage()
    pdf.rect(72, 300, 400, 400, fill=1)  # something drawn, no text layer at all
    pdf.showPage()
    pdf.save()
    return buf.getvalue()


def blank_pdf(pages: int, encrypt: dict | None = None) -> bytes:
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=200, height=200)
    if encrypt:
        writer.encrypt(**encrypt)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_pdf_text_lands_on_its_page_in_paragraphs(korean_pdf):
    doc = load(korean_pdf, "복무규정.pdf")
    assert doc.format == "pdf"
    assert doc.page_count == 3
    assert doc.title == "복무 규정"
    page2 = [b.text for b in blocks_on(doc, 2)]
    # The 45pt gap starts a new paragraph; the 15pt line step keeps the line break inside one.
    assert page2 == ["제10조(근무시간) 직원의 근무시간은\n1일 8시간으로 한다.", "제11조(휴가) 연가는 15일로 한다."]
    assert "이 규정은 직원의 복무에 관한 사항을 정한다." in [b.text for b in blocks_on(doc, 1)]
    assert doc.pages_needing_ocr == (3,)


def test_pdf_with_owner_password_only_opens(korean_pdf):
    from pypdf import PdfReader

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(korean_pdf)))
    writer.encrypt(user_password="", owner_password="owner-secret", algorithm="AES-128")
    out = io.BytesIO()
    writer.write(out)
    doc = load(out.getvalue(), "restricted.pdf")
    assert "연가는 15일로 한다." in doc.text


def test_pdf_with_user_password_is_encrypted():
    data = blank_pdf(1, encrypt={"user_password": "secret", "owner_password": "owner"})
    error = raises_naming_file(EncryptedDocument, data, "secret.pdf")
    assert "password" in error.reason


def test_truncated_pdf_is_corrupt(korean_pdf):
    raises_naming_file(CorruptDocument, korean_pdf[: len(korean_pdf) // 2], "truncated.pdf")


def test_pdf_over_max_pages_is_too_large():
    error = raises_naming_file(DocumentTooLarge, blank_pdf(60), "long.pdf", options=LoadOptions(max_pages=50))
    assert "60" in error.reason


def test_ten_thousand_blank_pages_fail_fast_on_max_pages():
    data = blank_pdf(10_000)
    started = time.perf_counter()
    raises_naming_file(DocumentTooLarge, data, "blank.pdf")
    assert time.perf_counter() - started < 5


def test_blank_pdf_pages_need_no_ocr():
    """A page that draws nothing is not a scan: thousands of them must not queue thousands of OCR runs."""
    started = time.perf_counter()
    error = raises_naming_file(EmptyDocument, blank_pdf(2_000), "blank.pdf")
    assert "no text" in error.reason and time.perf_counter() - started < 5


def test_blank_page_between_text_pages_is_not_listed_for_ocr(korean_pdf):
    from pypdf import PdfReader

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(korean_pdf)))
    writer.insert_blank_page(index=1)
    out = io.BytesIO()
    writer.write(out)
    doc = load(out.getvalue(), "with-blank.pdf")
    assert doc.page_count == 4 and doc.pages_needing_ocr == (4,)  # the drawn page 3, now 4; not the blank 2


@pytest.fixture(scope="module")
def typeset_pdf() -> bytes:
    """Page 1: 제/1/장 drawn apart (gaps, no space characters) and 제 2 장 typed with spaces.
    Page 2: a word hyphenated across lines, and a hyphen after a digit."""
    if not NANUM.exists():
        pytest.skip("NanumGothic font not installed (apt install fonts-nanum) - cannot draw Korean text")
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(TTFont("NanumGothic", str(NANUM)))
    buf = io.BytesIO()
    pdf = canvas.Canvas(buf)
    pdf.setFont("NanumGothic", 12)
    pdf.drawString(72, 760, "제")
    pdf.drawString(90, 760, "1")
    pdf.drawString(104, 760, "장 총칙")
    pdf.drawString(72, 720, "이 규정의 제 2 장은 띄어 쓴 그대로 둔다.")
    pdf.showPage()
    pdf.setFont("NanumGothic", 12)
    pdf.drawString(72, 760, "어셈블리 언어는 영어로 assem-")
    pdf.drawString(72, 745, "bly language 라고 하며 x86-")
    pdf.drawString(72, 730, "64 는 인쇄된 그대로 둔다.")
    pdf.showPage()
    pdf.save()
    return buf.getvalue()


def test_pdf_ordinal_split_only_by_layout_gaps_is_joined(typeset_pdf):
    doc = load(typeset_pdf, "규정.pdf")
    page1 = [b.text for b in blocks_on(doc, 1)]
    assert page1 == ["제1장 총칙", "이 규정의 제 2 장은 띄어 쓴 그대로 둔다."]


def test_pdf_word_hyphenated_across_lines_is_rejoined(typeset_pdf):
    doc = load(typeset_pdf, "규정.pdf")
    text = "\n".join(b.text for b in blocks_on(doc, 2))
    assert "assembly" in text and "assem-" not in text
    assert "x86-\n64" in text  # a hyphen after a digit is not hyphenation
    assert "\ufffe" not in text and "\r" not in text


# ---------------------------------------------------------------- DOCX


def _docx_bytes(document) -> bytes:
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


@pytest.fixture(scope="module")
def rules_docx() -> bytes:
    document = docx.Document()
    document.sections[0].header.paragraphs[0].text = "사내 한정 문서"
    document.add_heading("제1장 총칙", level=1)
    document.add_paragraph("이 규정은 직원의 복무에 관한 사항을 정한다.")
    document.add_heading("제2장 복무", level=1)
    document.add_paragraph("근무시간은 1일 8시간으로 한다.")
    document.add_paragraph("출근은 오전 9시까지 한다.", style="List Bullet")
    table = document.add_table(rows=3, cols=3)
    for r, row in enumerate([("구분", "일수", "비고"), ("연가", "15", "근속 가산"), ("병가", "60", "")]):
        for c, value in enumerate(row):
            table.cell(r, c).text = value
    merged = table.cell(2, 1).merge(table.cell(2, 2))  # "60" spans two columns
    merged.text = "60"
    korean_heading = document.styles.add_style("제목 2", WD_STYLE_TYPE.PARAGRAPH)
    korean_heading.base_style = document.styles["Normal"]
    document.add_paragraph("제1절 휴가", style=korean_heading)
    document.add_paragraph("휴가는 미리 신청한다.")
    outline = document.add_paragraph("제3장 보칙")  # a heading by outline level only
    outline_level = OxmlElement("w:outlineLvl")
    outline_level.set(qn("w:val"), "0")
    outline._p.get_or_add_pPr().append(outline_level)
    document.add_paragraph("부칙 본문.")
    return _docx_bytes(document)


def test_docx_blocks_follow_document_order_with_headings(rules_docx):
    doc = load(rules_docx, "규정.docx")
    assert doc.format == "docx"
    kinds = [(b.kind, b.text.split("\n")[0]) for b in doc.blocks]
    assert kinds == [
        ("heading", "제1장 총칙"),
        ("paragraph", "이 규정은 직원의 복무에 관한 사항을 정한다."),
        ("heading", "제2장 복무"),
        ("paragraph", "근무시간은 1일 8시간으로 한다."),
        ("list", "출근은 오전 9시까지 한다."),
        ("table", "구분 · 일수 · 비고"),
        ("heading", "제1절 휴가"),
        ("paragraph", "휴가는 미리 신청한다."),
        ("heading", "제3장 보칙"),
        ("paragraph", "부칙 본문."),
    ]
    by_text = {b.text.split("\n")[0]: b for b in doc.blocks}
    assert by_text["근무시간은 1일 8시간으로 한다."].heading_path == ("제2장 복무",)
    assert by_text["휴가는 미리 신청한다."].heading_path == ("제2장 복무", "제1절 휴가")
    assert by_text["부칙 본문."].heading_path == ("제3장 보칙",)


def test_docx_table_rows_dedupe_merged_cells(rules_docx):
    table = next(b for b in load(rules_docx, "규정.docx").blocks if b.kind == "table")
    assert table.rows == (("구분", "일수", "비고"), ("연가", "15", "근속 가산"), ("병가", "60"))
    # a header row gives "header: value"; the merged 60 (gridSpan 2) appears once, under 일수
    assert table.text == "구분 · 일수 · 비고\n구분: 연가 · 일수: 15 · 비고: 근속 가산\n구분: 병가 · 일수: 60"
    assert table.heading_path == ("제2장 복무",)


def test_docx_headers_only_when_asked(rules_docx):
    assert "사내 한정 문서" not in load(rules_docx, "규정.docx").text
    with_headers = load(rules_docx, "규정.docx", LoadOptions(include_headers_footers=True))
    assert with_headers.blocks[0].text == "사내 한정 문서"
    assert with_headers.blocks[0].kind == "header"


def test_docx_named_pdf_is_detected_by_content(rules_docx):
    doc = load(rules_docx, "보고서.pdf")
    assert doc.format == "docx"
    assert "근무시간은 1일 8시간으로 한다." in doc.text


def _replace_member(data: bytes, member: str, content: bytes) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            dst.writestr(info.filename, content if info.filename == member else src.read(info))
    return out.getvalue()


def test_docx_with_garbage_document_xml_is_corrupt(rules_docx):
    data = _replace_member(rules_docx, "word/document.xml", b"\x00\x13garbage<w:document <<<")
    raises_naming_file(CorruptDocument, data, "broken.docx")


def test_docx_billion_laughs_is_not_expanded(rules_docx):
    entities = '<!ENTITY lol0 "lol">' + "".join(
        f'<!ENTITY lol{i} "{("&lol%d;" % (i - 1)) * 10}">' for i in range(1, 10)
    )
    xml = (
        f'<?xml version="1.0" encoding="UTF-8"?><!DOCTYPE w:document [{entities}]>'
        '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
        "<w:body><w:p><w:r><w:t>앞 &lol9; 뒤</w:t></w:r></w:p></w:body></w:document>"
    )
    data = _replace_member(rules_docx, "word/document.xml", xml.encode())
    started = time.perf_counter()
    try:
        doc = load(data, "laughs.docx")
    except CorruptDocument as err:
        assert "laughs.docx" in str(err)
    else:
        assert "lol" not in doc.text and len(doc.text) < 100
    assert time.perf_counter() - started < 2


@pytest.mark.parametrize("sample, part", [("취업규칙.docx", "word/document.xml"),
                                          ("부서별_예산.xlsx", "xl/workbook.xml"),
                                          ("고객지원_매뉴얼.pptx", "ppt/_rels/presentation.xml.rels")])
def test_office_part_declaring_a_dtd_is_refused(samples, sample, part):
    """An XXE attempt: before this, DOCX parsed it silently, dropping the text after the entity."""
    data = (samples / sample).read_bytes()
    original = zipfile.ZipFile(io.BytesIO(data)).read(part)
    original = original.split(b"?>", 1)[1] if original.startswith(b"<?xml") else original
    xxe = b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>' + original
    error = raises_naming_file(CorruptDocument, _replace_member(data, part, xxe), "xxe" + sample[-5:])
    assert f"{part} declares a DTD" in error.reason


def test_docx_zip_bomb_is_refused_before_inflating(rules_docx):
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(rules_docx)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            dst.writestr(info.filename, src.read(info))
        with dst.open("word/media/zeros.bin", "w") as member:
            chunk = bytes(1 << 20)
            for _ in range(300):  # 300 MB of zeros, about 300 KB compressed
                member.write(chunk)
    error = raises_naming_file(DocumentTooLarge, out.getvalue(), "bomb.docx")
    assert "zip bomb" in error.reason


def test_binary_garbage_named_txt_is_unsupported():
    garbage = bytes(range(256)) * 64
    raises_naming_file(UnsupportedFormat, garbage, "notes.txt")


# ---------------------------------------------------------------- PPTX


@pytest.fixture(scope="module")
def deck_pptx() -> bytes:
    deck = pptx.Presentation()
    first = deck.slides.add_slide(deck.slide_layouts[1])  # title and content
    first.shapes.title.text = "2024년 사업 계획"
    first.placeholders[1].text_frame.text = "매출 목표는 120억 원이다."
    second = deck.slides.add_slide(deck.slide_layouts[5])  # title only
    second.shapes.title.text = "예산 현황"
    table = second.shapes.add_table(3, 3, Inches(1), Inches(2), Inches(6), Inches(2)).table
    for r, row in enumerate([("부서", "예산", "집행률"), ("연구소", "30억", "45%"), ("영업부", "12억", "")]):
        for c, value in enumerate(row):
            table.cell(r, c).text = value
    table.cell(2, 1).merge(table.cell(2, 2))
    group = second.shapes.add_group_shape()
    box = group.shapes.add_textbox(Inches(1), Inches(5), Inches(4), Inches(1))
    box.text_frame.text = "그룹 안의 설명 문구"
    second.notes_slide.notes_text_frame.text = "발표자 노트: 집행률은 6월 말 기준이다."
    out = io.BytesIO()
    deck.save(out)
    return out.getvalue()


def test_pptx_slides_titles_tables_groups_and_notes(deck_pptx):
    doc = load(deck_pptx, "계획.pptx")
    assert doc.format == "pptx"
    assert doc.page_count == 2
    first = blocks_on(doc, 1)
    assert (first[0].kind, first[0].text, first[0].heading_path) == ("heading", "2024년 사업 계획", ("2024년 사업 계획",))
    assert first[1].text == "매출 목표는 120억 원이다."
    assert first[1].heading_path == ("2024년 사업 계획",)
    second = blocks_on(doc, 2)
    assert [b.kind for b in second] == ["heading", "table", "paragraph", "paragraph"]
    assert second[1].rows == (("부서", "예산", "집행률"), ("연구소", "30억", "45%"), ("영업부", "12억"))
    assert second[2].text == "그룹 안의 설명 문구"
    assert second[3].text == "발표자 노트: 집행률은 6월 말 기준이다."  # notes come after the slide's content
    assert all(b.heading_path == ("예산 현황",) for b in second)


# ---------------------------------------------------------------- XLSX


@pytest.fixture(scope="module")
def staff_xlsx() -> bytes:
    workbook = openpyxl.Workbook()
    staff = workbook.active
    staff.title = "직원"
    staff.append([])  # an empty first row and an empty first column are skipped
    staff.append([None, "이름", "입사일", "급여", None, "비율"])
    staff.append([None, "홍길동", dt.datetime(2024, 3, 1), 3000000.0, None, 0.1 + 0.2])
    staff.append([None, "김철수", dt.datetime(2024, 3, 4, 9, 30), 2500000, None, 1.5])
    log = workbook.create_sheet("근태 기록")
    log.append(["번호", "내용"])
    for i in range(1, 451):
        log.append([i, f"기록 {i}"])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def test_xlsx_sheet_is_a_table_with_formatted_values(staff_xlsx):
    doc = load(staff_xlsx, "인사.xlsx")
    assert doc.format == "xlsx"
    assert doc.page_count == 2
    first = blocks_on(doc, 1)
    assert len(first) == 1 and first[0].kind == "table"
    assert first[0].heading_path == ("직원",)
    assert first[0].rows == (
        ("이름", "입사일", "급여", "비율"),
        ("홍길동", "2024-03-01", "3000000", "0.3"),
        ("김철수", "2024-03-04 09:30:00", "2500000", "1.5"),
    )


def test_xlsx_long_sheet_is_cut_every_200_rows_with_header_repeated(staff_xlsx):
    parts = blocks_on(load(staff_xlsx, "인사.xlsx"), 2)
    assert [len(b.rows) for b in parts] == [201, 201, 51]
    assert all(b.rows[0] == ("번호", "내용") for b in parts)
    assert parts[1].rows[1] == ("201", "기록 201")
    assert parts[2].rows[-1] == ("450", "기록 450")
    assert all(b.heading_path == ("근태 기록",) for b in parts)


# ---------------------------------------------------------------- HTML, text, Markdown


def test_html_structure_and_dropped_markup():
    page = """<!DOCTYPE html><html><head><title>안내</title><style>p{color:red}</style></head><body>
    <script>var secret = "스크립트 내용";</script>
    <h1>제2장 복무</h1><p>근무시간은
    1일 8시간이다.</p>
    <ul><li>출근 09:00</li><li>퇴근 18:00</li></ul>
    <table><tr><th>구분</th><th>일수</th></tr><tr><td>연가</td><td>15</td></tr></table>
    <noscript>자바스크립트를 켜세요</noscript></body></html>"""
    doc = load(page.encode("utf-8"), "guide.html")
    assert "스크립트 내용" not in doc.text and "자바스크립트를 켜세요" not in doc.text and "color" not in doc.text
    assert [(b.kind, b.text) for b in doc.blocks[:4]] == [
        ("heading", "제2장 복무"), ("paragraph", "근무시간은 1일 8시간이다."), ("list", "출근 09:00"), ("list", "퇴근 18:00"),
    ]
    table = doc.blocks[4]
    assert table.rows == (("구분", "일수"), ("연가", "15"))
    assert table.heading_path == ("제2장 복무",)


def test_html_nested_past_the_recursion_limit_keeps_its_text():
    page = ("<html><body><script>스크립트</script><h1>공지</h1>" + "<div>" * 50_000
            + "<p>깊은 곳의 안내문</p>" + "</div>" * 50_000 + "<p>마지막 줄</p></body></html>")
    doc = load(page.encode("utf-8"), "deep.html")
    assert [b.text for b in doc.blocks] == ["공지", "깊은 곳의 안내문", "마지막 줄"]
    assert "nested too deeply" in doc.warnings[0]


def test_plain_text_paragraphs_split_at_blank_lines():
    text = "첫 문단 첫 줄\n첫 문단 둘째 줄\n\n\n둘째 문단\r\n"
    doc = load(text.encode("cp949"), "memo.txt")
    assert [b.text for b in doc.blocks] == ["첫 문단 첫 줄\n첫 문단 둘째 줄", "둘째 문단"]


def test_markdown_headings_lists_tables_and_code():
    md = (
        "# 복무 규정\n\n## 제2장 복무\n\n근무시간은 8시간이다.\n\n- 출근 09:00\n* 퇴근 18:00\n1. 점심 12:00\n\n"
        "| 구분 | 일수 |\n|:---|---:|\n| 연가 | 15 |\n| 병가 | 60 |\n\n```\nrun --fast\n```\n"
    )
    doc = load(md.encode("utf-8"), "rules.md")
    assert doc.format == "md"
    assert [(b.kind, b.text) for b in doc.blocks if b.kind != "table"] == [
        ("heading", "복무 규정"), ("heading", "제2장 복무"), ("paragraph", "근무시간은 8시간이다."),
        ("list", "출근 09:00"), ("list", "퇴근 18:00"), ("list", "1. 점심 12:00"), ("paragraph", "run --fast"),
    ]
    paragraph = doc.blocks[2]
    assert paragraph.heading_path == ("복무 규정", "제2장 복무")
    table = next(b for b in doc.blocks if b.kind == "table")
    assert table.rows == (("구분", "일수"), ("연가", "15"), ("병가", "60"))


# ---------------------------------------------------------------- shared Korean corpus


def _manifest(shared_data: Path, formats: set[str]) -> list[dict]:
    lines = (shared_data / "docs" / "manifest.jsonl").read_text(encoding="utf-8").splitlines()
    return [entry for entry in map(json.loads, filter(None, lines)) if entry["format"] in formats]


@pytest.fixture(scope="module")
def loaded_corpus(shared_data):
    """Each pdf/docx/pptx/txt file of the shared corpus, loaded once (pcasm alone takes seconds)."""
    docs = {}
    for entry in _manifest(shared_data, {"pdf", "docx", "pptx", "txt"}):
        path = shared_data / "docs" / entry["path"]
        docs[entry["path"]] = (entry, load(path.read_bytes(), path.name))
    return docs


@pytest.mark.shared_data
def test_shared_corpus_expected_snippets(loaded_corpus):
    assert loaded_corpus, "the manifest lists no pdf/docx/pptx/txt files"
    for path, (entry, doc) in loaded_corpus.items():
        text = collapse_whitespace(doc.text)
        for snippet in entry["expected_snippets"]:
            assert collapse_whitespace(snippet) in text, f"{path}: missing {snippet!r}"


@pytest.mark.shared_data
def test_shared_pdf_with_tab_separated_words_has_no_tabs(loaded_corpus):
    _, doc = loaded_corpus["unstructured_example_docs/korean-text-with-tables.pdf"]
    assert "\t" not in doc.text
    assert "적립 혜택은 매출전표 접수 시점 기준으로 적용" in doc.text


@pytest.mark.shared_data
def test_shared_pcasm_book_keeps_its_168_pages(loaded_corpus):
    entry, doc = loaded_corpus["docs_pcasm_korean/pcasm-book-korean.pdf"]
    assert doc.page_count == entry["pages"] == 168
    assert doc.title == "PC 어셈블리 언어"
    pages = {b.page for b in doc.blocks}
    # every page has text except page 10, which draws nothing (blank: no OCR either)
    assert set(range(1, 169)) - pages == {10} and doc.pages_needing_ocr == ()
    assert min(pages) == 1 and max(pages) == 168
    assert "PC 어셈블리어" in blocks_on(doc, 1)[0].text
    assert any(b.text == "제1장" for b in blocks_on(doc, 11))


@pytest.mark.shared_data
def test_shared_pcasm_book_keeps_korean_word_spaces(shared_data):
    path = shared_data / "docs" / "docs_pcasm_korean" / "pcasm-book-korean.pdf"
    doc = load(path.read_bytes(), path.name)
    # pypdf ran these words together ("그림1.2:십진수의변환"); PDFium keeps the spaces.
    assert "그림 1.2: 십진수의 변환" in doc.text
    assert "시작하기 앞서서" in [b.text for b in blocks_on(doc, 11)]
    assert "볼랜드 C/C++ 는 또다른 유명한 컴파일러이다." in doc.text
