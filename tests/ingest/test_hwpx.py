"""HWPX loader: the shared Korean corpus, hand-built packages for structure, and hostile zips/XML."""
from __future__ import annotations

import io
import json
import time
import zipfile

import pytest

from ingest.errors import CorruptDocument, DocumentTooLarge, EncryptedDocument
from ingest.loaders import hwpx, load
from ingest.loaders.base import LoadOptions
from ingest.normalize import collapse_whitespace

HP = "http://www.hancom.co.kr/hwpml/2011/paragraph"
HS = "http://www.hancom.co.kr/hwpml/2011/section"
HH = "http://www.hancom.co.kr/hwpml/2011/head"

HEADER = f"""<?xml version="1.0" encoding="UTF-8"?>
<hh:head xmlns:hh="{HH}"><hh:refList>
  <hh:paraProperties>
    <hh:paraPr id="0"><hh:heading type="NONE" idRef="0" level="0"/></hh:paraPr>
    <hh:paraPr id="1"><hh:heading type="OUTLINE" idRef="0" level="0"/></hh:paraPr>
    <hh:paraPr id="2"><hh:heading type="OUTLINE" idRef="0" level="1"/></hh:paraPr>
    <hh:paraPr id="3"><hh:heading type="BULLET" idRef="1" level="0"/></hh:paraPr>
  </hh:paraProperties>
  <hh:styles>
    <hh:style id="0" type="PARA" name="바탕글" engName="Normal" paraPrIDRef="0"/>
    <hh:style id="1" type="PARA" name="개요 1" engName="Outline 1" paraPrIDRef="1"/>
    <hh:style id="2" type="PARA" name="개요 2" engName="Outline 2" paraPrIDRef="2"/>
  </hh:styles>
</hh:refList></hh:head>"""


def _p(text: str, style: int = 0, para_pr: int = 0, extra: str = "") -> str:
    return (f'<hp:p paraPrIDRef="{para_pr}" styleIDRef="{style}"><hp:run charPrIDRef="0">'
            f"<hp:t>{text}</hp:t>{extra}</hp:run></hp:p>")


def _section(body: str, ns: str = HP) -> str:
    return f'<?xml version="1.0" encoding="UTF-8"?><hs:sec xmlns:hs="{HS}" xmlns:hp="{ns}">{body}</hs:sec>'


def _cell(row: int, col: int, body: str, row_span: int = 1, col_span: int = 1) -> str:
    return (f"<hp:tc><hp:subList>{body}</hp:subList><hp:cellAddr colAddr=\"{col}\" rowAddr=\"{row}\"/>"
            f'<hp:cellSpan colSpan="{col_span}" rowSpan="{row_span}"/></hp:tc>')


def make_hwpx(sections: dict[str, str | bytes], spine: list[str] | None = None, header: str | None = HEADER,
              manifest: str | None = None) -> bytes:
    """A minimal HWPX package: mimetype, content.hpf (manifest + spine), header and section parts."""
    spine = spine or sorted(sections)
    items = "".join(f'<opf:item id="{s}" href="Contents/{s}.xml" media-type="application/xml"/>' for s in sections)
    refs = "".join(f'<opf:itemref idref="{s}"/>' for s in spine)
    hpf = (f'<?xml version="1.0" encoding="UTF-8"?><opf:package xmlns:opf="http://www.idpf.org/2007/opf/">'
           f"<opf:manifest>{items}</opf:manifest><opf:spine>{refs}</opf:spine></opf:package>")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as package:
        package.writestr("mimetype", "application/hwp+zip")
        package.writestr("Contents/content.hpf", hpf)
        if header is not None:
            package.writestr("Contents/header.xml", header)
        if manifest is not None:
            package.writestr("META-INF/manifest.xml", manifest)
        for section, xml in sections.items():
            package.writestr(f"Contents/{section}.xml", xml)
    return buffer.getvalue()


# --- the shared corpus ---------------------------------------------------------------------------

@pytest.mark.shared_data
def test_every_hwpx_in_the_manifest_yields_its_expected_snippets(shared_data):
    docs = shared_data / "docs"
    entries = [json.loads(line) for line in (docs / "manifest.jsonl").read_text().splitlines() if line.strip()]
    entries = [e for e in entries if e["format"] == "hwpx"]
    assert entries
    missing = {}
    for entry in entries:
        path = docs / entry["path"]
        doc = load(path.read_bytes(), path.name)
        assert doc.format == "hwpx"
        text = collapse_whitespace("\n".join(block.text for block in doc.blocks))
        lost = [s for s in entry["expected_snippets"] if s not in text]
        if lost:
            missing[entry["path"]] = lost
    assert not missing


@pytest.mark.shared_data
def test_table_bug_hwpx_tables_are_table_blocks_with_rows(shared_data):
    path = shared_data / "docs" / "docs_hwpjs_ohah" / "table-bug.hwpx"
    doc = load(path.read_bytes(), path.name)
    grids = [b for b in doc.blocks if b.kind in ("table", "form")]
    assert len(grids) >= 5
    first = grids[0]
    assert first.kind == "form"
    assert first.rows[0] == ("동아리명", "지도교사", "(서명)")  # 동아리명's blank value cell spans two columns
    assert first.text.splitlines()[0] == "동아리명 · 지도교사: (서명)"
    # the same document as .hwp: same pages from hp:linesegarray as from PARA_LINE_SEG
    assert doc.page_count == 12
    assert {b.text: b.page for b in doc.blocks if b.text.startswith("[붙임")}["[붙임 3]"] == 4


@pytest.mark.shared_data
def test_preview_text_is_covered_by_the_body(shared_data):
    """Every character of Hangul's own preview (PrvText) appears in the extracted text, in order."""
    path = shared_data / "docs" / "docs_python_hwpx" / "mfds_admin_notice.hwpx"
    data = path.read_bytes()
    preview = zipfile.ZipFile(io.BytesIO(data)).read("Preview/PrvText.txt").decode("utf-8")
    doc = load(data, path.name)
    body = "".join(doc.text.replace("|", "").split())
    for line in preview.splitlines():
        piece = "".join(line.replace("<", "").replace(">", "").split())
        if piece:
            assert piece in body


# --- structure, on hand-built packages -----------------------------------------------------------

def test_headings_from_outline_styles_give_heading_paths():
    body = (_p("1. 사업 개요", style=1, para_pr=1) + _p("본문 하나") + _p("가. 추진 배경", style=2, para_pr=2)
            + _p("본문 둘") + _p("2. 예산", style=1, para_pr=1) + _p("본문 셋") + _p("글머리표 항목", para_pr=3))
    doc = load(make_hwpx({"section0": _section(body)}), "outline.hwpx")
    got = [(b.kind, b.text, b.heading_path) for b in doc.blocks]
    assert got == [
        ("heading", "1. 사업 개요", ("1. 사업 개요",)),
        ("paragraph", "본문 하나", ("1. 사업 개요",)),
        ("heading", "가. 추진 배경", ("1. 사업 개요", "가. 추진 배경")),
        ("paragraph", "본문 둘", ("1. 사업 개요", "가. 추진 배경")),
        ("heading", "2. 예산", ("2. 예산",)),
        ("paragraph", "본문 셋", ("2. 예산",)),
        ("list", "글머리표 항목", ("2. 예산",)),
    ]


def test_marks_inside_t_become_characters_and_keep_their_tails():
    body = (f'<hp:p paraPrIDRef="0" styleIDRef="0"><hp:run><hp:t>이름<hp:tab width="4000" leader="0" type="1"/>'
            "홍길동<hp:lineBreak/>전화<hp:nbSpace/>02<hp:fwSpace/>1234<hp:titleMark ignore=\"1\"/>끝</hp:t>"
            "</hp:run><hp:run><hp:t>다음 런</hp:t></hp:run></hp:p>")
    doc = hwpx.load(make_hwpx({"section0": _section(body)}), "t.hwpx", LoadOptions())
    assert doc.blocks[0].text == "이름\t홍길동\n전화 02 1234끝다음 런"


def test_namespace_version_does_not_matter():
    body = _p("2016 네임스페이스 문단")
    doc = load(make_hwpx({"section0": _section(body, ns="http://www.hancom.co.kr/hwpml/2016/paragraph")}), "ns.hwpx")
    assert doc.text == "2016 네임스페이스 문단"


def test_tables_merge_cells_and_flatten_nested_tables_into_their_cell():
    nested = ("<hp:tbl rowCnt=\"1\" colCnt=\"2\"><hp:tr>" + _cell(0, 0, _p("안쪽1")) + _cell(0, 1, _p("안쪽2"))
              + "</hp:tr></hp:tbl>")
    table = ('<hp:tbl rowCnt="3" colCnt="2">'
             "<hp:tr>" + _cell(0, 0, _p("구분"), col_span=2) + "</hp:tr>"
             "<hp:tr>" + _cell(1, 0, _p("예산")) + _cell(1, 1, _p("1억") + _p("2억")) + "</hp:tr>"
             "<hp:tr>" + _cell(2, 0, _p("비고")) + _cell(2, 1, f'<hp:p><hp:run>{nested}</hp:run></hp:p>') + "</hp:tr>"
             "</hp:tbl>")
    body = f'<hp:p><hp:run><hp:t>표 앞</hp:t>{table}<hp:t>표 뒤</hp:t></hp:run></hp:p>'
    doc = load(make_hwpx({"section0": _section(body)}), "table.hwpx")
    assert [b.kind for b in doc.blocks] == ["paragraph", "table", "paragraph"]
    grid = doc.blocks[1]
    assert grid.rows == (("구분",), ("예산", "1억 2억"), ("비고", "안쪽1: 안쪽2"))  # nested table inside its cell
    assert grid.text == "구분\n예산: 1억 2억\n비고: 안쪽1: 안쪽2"


def test_text_boxes_become_paragraphs_and_notes_follow_the_section():
    box = ('<hp:rect id="1"><hp:drawText><hp:subList>' + _p("글상자 안의 글") + "</hp:subList></hp:drawText></hp:rect>")
    note = ('<hp:ctrl><hp:footNote number="1"><hp:subList>' + _p("각주 내용") + "</hp:subList></hp:footNote></hp:ctrl>")
    header = ('<hp:ctrl><hp:header applyPageType="BOTH"><hp:subList>' + _p("머리말 문구")
              + "</hp:subList></hp:header></hp:ctrl>")
    body = (f'<hp:p><hp:run>{header}<hp:t>본문</hp:t>{note}<hp:t> 계속</hp:t></hp:run></hp:p>'
            f"<hp:p><hp:run>{box}</hp:run></hp:p>" + _p("마지막 문단"))
    data = make_hwpx({"section0": _section(body)})
    assert [b.text for b in load(data, "box.hwpx").blocks] == ["본문 계속", "글상자 안의 글", "마지막 문단", "각주 내용"]
    with_headers = load(data, "box.hwpx", LoadOptions(include_headers_footers=True))
    assert [b.text for b in with_headers.blocks][:2] == ["머리말 문구", "본문 계속"]


def test_sections_follow_the_spine_and_number_the_pages():
    sections = {"section0": _section(_p("첫 구역")), "section1": _section(_p("둘째 구역"))}
    doc = load(make_hwpx(sections, spine=["section1", "section0"]), "spine.hwpx")
    assert [(b.text, b.page) for b in doc.blocks] == [("둘째 구역", 1), ("첫 구역", 2)]
    assert doc.page_count == 2


def test_sections_fall_back_to_numeric_order_without_a_spine():
    sections = {f"section{i}": _section(_p(f"구역 {i}")) for i in (0, 2, 10)}
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as package:
        package.writestr("mimetype", "application/hwp+zip")
        for name in ("section10", "section2", "section0"):
            package.writestr(f"Contents/{name}.xml", sections[name])
    doc = load(buffer.getvalue(), "nospine.hwpx")
    assert [b.text for b in doc.blocks] == ["구역 0", "구역 2", "구역 10"]


# --- hostile and broken input --------------------------------------------------------------------

def _raises_fast(exc: type, data: bytes, name: str) -> Exception:
    start = time.monotonic()
    with pytest.raises(exc) as info:
        load(data, name)
    assert time.monotonic() - start < 2.0
    assert info.value.name == name and name in str(info.value)
    return info.value


def test_encrypted_hwpx_is_reported():
    manifest = ('<?xml version="1.0"?><odf:manifest xmlns:odf="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0">'
                '<odf:file-entry odf:full-path="Contents/section0.xml"><odf:encryption-data odf:checksum="x">'
                '<odf:algorithm odf:algorithm-name="AES"/></odf:encryption-data></odf:file-entry></odf:manifest>')
    data = make_hwpx({"section0": _section(_p("비밀"))}, manifest=manifest)
    error = _raises_fast(EncryptedDocument, data, "secret.hwpx")
    assert "password" in error.reason


@pytest.mark.shared_data
def test_truncated_hwpx_is_corrupt(shared_data):
    data = (shared_data / "docs" / "docs_hwpjs_ohah" / "table-bug.hwpx").read_bytes()
    _raises_fast(CorruptDocument, data[: len(data) // 2], "table-bug.hwpx")
    with pytest.raises(CorruptDocument):
        hwpx.load(data[: len(data) // 2], "table-bug.hwpx", LoadOptions())


def test_billion_laughs_entities_are_not_expanded():
    entities = '<!ENTITY lol "lol">' + "".join(
        f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">' for i in range(1, 10))
    xml = (f'<?xml version="1.0"?><!DOCTYPE hs:sec [{entities}]><hs:sec xmlns:hs="{HS}" xmlns:hp="{HP}">'
           "<hp:p><hp:run><hp:t>&lol9;</hp:t></hp:run></hp:p></hs:sec>")
    error = _raises_fast(CorruptDocument, make_hwpx({"section0": xml}), "lol.hwpx")
    assert "DTD" in error.reason


def test_a_dtd_in_utf16_is_refused_too():
    xml = (f'<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE hs:sec [<!ENTITY who "누구">]>'
           f'<hs:sec xmlns:hs="{HS}" xmlns:hp="{HP}"><hp:p><hp:run><hp:t>&who;</hp:t></hp:run></hp:p></hs:sec>')
    with pytest.raises(CorruptDocument, match="DTD"):
        hwpx.load(make_hwpx({"section0": xml.encode("utf-16")}), "utf16.hwpx", LoadOptions())


@pytest.fixture(scope="module")
def zip_bomb() -> bytes:
    """300 MB of zeros as a section part: about 300 KB compressed."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as package:
        package.writestr("mimetype", "application/hwp+zip")
        package.writestr("Contents/content.hpf", "<opf:package xmlns:opf='http://www.idpf.org/2007/opf/'/>")
        with package.open("Contents/section0.xml", "w", force_zip64=True) as part:
            chunk = bytes(1 << 20)
            for _ in range(300):
                part.write(chunk)
    return buffer.getvalue()


def test_zip_bomb_is_refused_before_inflating(zip_bomb):
    assert len(zip_bomb) < 3_000_000
    _raises_fast(DocumentTooLarge, zip_bomb, "bomb.hwpx")


def test_expanded_size_limit_applies():
    xml = _section(_p("가" * 200_000)).encode()
    data = make_hwpx({"section0": xml.decode()})
    with pytest.raises(DocumentTooLarge):
        hwpx.load(data, "small-budget.hwpx", LoadOptions(max_unzipped_bytes=100_000))


def test_missing_sections_are_corrupt():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as package:
        package.writestr("mimetype", "application/hwp+zip")
        package.writestr("Contents/content.hpf", "<opf:package xmlns:opf='http://www.idpf.org/2007/opf/'/>")
    with pytest.raises(CorruptDocument, match="section"):
        hwpx.load(buffer.getvalue(), "empty.hwpx", LoadOptions())


def test_malformed_section_xml_is_corrupt():
    data = make_hwpx({"section0": "<hs:sec xmlns:hs='x'><hp:p>"})
    _raises_fast(CorruptDocument, data, "broken.hwpx")
