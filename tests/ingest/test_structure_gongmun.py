"""공문 and 공고 fields as labelled blocks (issue 15): 수신, 경유, 제목, 발신명의, 시행 번호와 날짜, 접수, whether
a field starts a line, follows another on it, or sits in a table cell; in text, HWPX and DOCX."""
from __future__ import annotations

import io

import docx

from ingest.loaders import load
from tests.ingest.test_hwpx import _cell, _p, _section, make_hwpx


def _labels(doc) -> dict[str, str]:
    return {b.label: b.text for b in doc.blocks if b.kind == "label"}


def test_text_gongmun_fields_at_line_starts_and_further_along_a_line():
    source = ("서울특별시\n수신 국토교통부장관(도심주택공급협력과장) (경유)\n제목 소규모주택정비사업 추진실적 제출\n\n"
              "1. 관련 공문에 따라 추진실적을 제출합니다. 시행 계획은 붙임과 같습니다.\n\n"
              "서울특별시장 (직인)\n시행 전략주택공급과-13666 (2025. 10. 24.) 접수 ( )")
    doc = load(source.encode(), "공문.txt")
    # only the spaces in front of "(경유)" and "접수" became line ends; nothing else of the text changed
    assert doc.text == source.replace("\n\n", "\n").replace(" (경유)", "\n(경유)").replace(" 접수", "\n접수")
    labels = _labels(doc)
    assert labels == {"수신": "수신 국토교통부장관(도심주택공급협력과장)", "경유": "(경유)",
                      "제목": "제목 소규모주택정비사업 추진실적 제출", "발신명의": "서울특별시장 (직인)",
                      "시행": "시행 전략주택공급과-13666 (2025. 10. 24.)", "접수": "접수 ( )"}
    body = next(b for b in doc.blocks if b.text.startswith("1. 관련"))
    assert body.kind != "label"  # "시행 계획은" inside a sentence is no field


def test_hwpx_gongmun_fields_in_table_cells_and_the_signature_box():
    header = ('<hp:tbl><hp:tr>' + _cell(0, 0, _p("수신")) + _cell(0, 1, _p("○○도지사(복지정책과장)")) + '</hp:tr>'
              '<hp:tr>' + _cell(1, 0, _p("(경유)")) + _cell(1, 1, _p("")) + '</hp:tr>'
              '<hp:tr>' + _cell(2, 0, _p("제목")) + _cell(2, 1, _p("복지시설 점검 결과 보고")) + '</hp:tr></hp:tbl>')
    approval = ('<hp:tbl><hp:tr>' + _cell(0, 0, _p("")) + _cell(0, 1, _p("○ ○ 군 수"), col_span=9) + '</hp:tr>'
                '<hp:tr>' + _cell(1, 0, _p("주무관")) + _cell(1, 1, _p("김민수")) + _cell(1, 2, _p(""), col_span=8)
                + '</hp:tr><hp:tr>' + "".join(_cell(2, c, _p(t)) for c, t in enumerate(
                    ["시행", "복지정책과-8841", "(", "2025. 11. 17.", ")", "접수", "", "(", "", ")"])) + '</hp:tr>'
                '<hp:tr>' + _cell(3, 0, _p("우")) + _cell(3, 1, _p("12345")) + _cell(3, 2, _p("○○군 ○○로 1"), col_span=8)
                + '</hp:tr></hp:tbl>')
    frame = '<hp:tbl><hp:tr>' + _cell(0, 0, f'<hp:p><hp:run>{approval}</hp:run></hp:p>') + '</hp:tr></hp:tbl>'
    body = (f'<hp:p><hp:run>{header}</hp:run></hp:p>' + _p("1. 관내 복지시설 점검 결과를 보고합니다.")
            + _p("붙임 점검 결과 1부. 끝.") + f'<hp:p><hp:run>{frame}</hp:run></hp:p>')
    doc = load(make_hwpx({"section0": _section(body)}), "공문.hwpx")
    labels = _labels(doc)
    assert labels["수신"] == "수신: ○○도지사(복지정책과장)" and labels["경유"] == "(경유)"
    assert labels["제목"] == "제목: 복지시설 점검 결과 보고"
    assert labels["발신명의"] == "○ ○ 군 수"  # the office holder's row of the approval box, spaced out
    assert labels["시행"] == "시행 복지정책과-8841 (2025. 11. 17.)"  # the cells read as the letter prints them
    assert labels["접수"] == "접수"
    address = next(b for b in doc.blocks if "12345" in b.text)
    assert address.kind != "label" and "우" in address.text
    approval_row = next(b for b in doc.blocks if "주무관" in b.text)
    assert approval_row.kind != "label" and "시행" not in approval_row.text
    assert all(" · ( · " not in b.text and "( )" not in b.text for b in doc.blocks)


def test_docx_gongmun_signature_with_seal_and_fields_in_paragraphs():
    document = docx.Document()
    for line in ("○○시", "수신  ○○구청장 (경유)", "제목  주민등록 사실조사 협조 요청", "1. 사실조사에 협조하여 주시기 바랍니다.",
                 "○○시장 [직인생략]", "시행  민원과-204 (2025. 3. 4.)  접수  민원과-99 (2025. 3. 5.)"):
        document.add_paragraph(line)
    buffer = io.BytesIO()
    document.save(buffer)
    labels = _labels(load(buffer.getvalue(), "공문.docx"))
    # (the DOCX loader folds runs of spaces into one)
    assert labels["수신"] == "수신 ○○구청장" and labels["경유"] == "(경유)"
    assert labels["발신명의"] == "○○시장 [직인생략]"
    assert labels["시행"] == "시행 민원과-204 (2025. 3. 4.)" and labels["접수"] == "접수 민원과-99 (2025. 3. 5.)"


def test_gonggo_number_date_and_head_of_office():
    source = ("○○시 공고 제2025-12호\n\n○○시 청년 창업 지원사업 공고\n\n지원 대상은 관내 청년입니다.\n\n2025년 3월 2일\n\n"
              "○ ○ 시 장\n\n[붙임] 추천서 양식\n\n○○구청장")
    doc = load(source.encode(), "공고.txt")
    assert _labels(doc) == {"문서번호": "○○시 공고 제2025-12호", "시행일자": "2025년 3월 2일", "발신명의": "○ ○ 시 장"}
    assert doc.blocks[-1].kind != "label"  # a later office holder (in the annex) does not sign the notice


def test_a_report_that_mentions_fields_in_passing_has_no_labels():
    source = ("사업 추진 현황\n\n제목 그대로 이 보고서는 시행 결과를 정리한다.\n\n시행 시기는 2025년이며 접수 건수는 12건이다.\n\n"
              "전통시장")
    doc = load(source.encode(), "보고서.txt")
    assert not _labels(doc) and doc.text == source.replace("\n\n", "\n")
