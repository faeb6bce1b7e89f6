"""decode_text on the encodings Korean files really come in, and on bytes that are not text."""
from __future__ import annotations

import codecs

import pytest

from ingest.encoding import decode_text
from ingest.errors import UnsupportedFormat
from ingest.loaders import load

KOREAN = (
    "제2장 복무\n"
    "제10조(근무시간) 직원의 근무시간은 1일 8시간, 1주 40시간으로 한다.\n"
    "똠방각하와 쌰갈 같은 CP949 확장 음절도 들어 있다. 뷁!\n"
)


@pytest.mark.parametrize(
    "encoded",
    [
        KOREAN.encode("utf-8"),
        codecs.BOM_UTF8 + KOREAN.encode("utf-8"),
        KOREAN.encode("utf-16"),  # with BOM
        KOREAN.encode("utf-16-le"),  # Notepad-style, BOM stripped by some tools
        KOREAN.encode("utf-16-be"),
        KOREAN.encode("utf-32"),
        KOREAN.encode("cp949"),
    ],
    ids=["utf8", "utf8-bom", "utf16-bom", "utf16le-no-bom", "utf16be-no-bom", "utf32-bom", "cp949"],
)
def test_every_korean_encoding_decodes_to_the_same_text(encoded):
    assert decode_text(encoded, "규정.txt") == KOREAN


def test_euc_kr_text_decodes_as_cp949_superset():
    plain = "근무시간은 1일 8시간으로 한다. 휴가는 연 15일이다."
    assert decode_text(plain.encode("euc-kr"), "a.txt") == plain
    # The same bytes as a CP949 file with extension syllables: EUC-KR alone would fail here.
    extended = plain + " 똠방각하"
    assert decode_text(extended.encode("cp949"), "a.txt") == extended


def test_short_cp949_line_is_not_mistaken_for_chinese():
    assert decode_text("한국어 문장입니다".encode("cp949"), "short.txt") == "한국어 문장입니다"


def test_cp949_with_a_few_bad_bytes_keeps_its_text(samples):
    data = (samples / "공지사항_cp949.txt").read_bytes()
    text = decode_text(data[:201] + b"\xff\xfe\x80" + data[201:], "damaged.txt")
    assert "전기설비 정기 점검 및 정전 안내" in text and "오전 8시부터 오후 2시까지" in text
    assert 1 <= text.count("\ufffd") <= 3


def test_utf8_korean_is_not_read_as_cp949_with_bad_bytes(samples):
    """UTF-8 with one stray byte fails strict UTF-8; refusing it is fine, CP949 mojibake is not."""
    data = (samples / "회의록.md").read_bytes()
    try:
        text = decode_text(data[:300] + b"\xff" + data[300:], "memo.md")
    except UnsupportedFormat:
        return
    assert "출시일을 2025년 9월 1일로 확정" in text


def test_binary_garbage_is_refused_with_the_file_name():
    garbage = bytes(range(256)) * 40
    with pytest.raises(UnsupportedFormat) as info:
        decode_text(garbage, "garbage.txt")
    assert "garbage.txt" in str(info.value)
    assert "encoding" in info.value.reason


def test_euc_kr_html_page_uses_its_meta_charset():
    page = (
        '<!DOCTYPE html><html><head><meta charset="euc-kr"><title>공지사항</title></head>'
        "<body><h1>제2장 복무</h1><p>출근 시간은 오전 9시입니다.</p></body></html>"
    )
    doc = load(page.encode("euc-kr"), "notice.html")
    assert doc.format == "html"
    assert doc.title == "공지사항"
    assert [b.text for b in doc.blocks] == ["제2장 복무", "출근 시간은 오전 9시입니다."]
    assert doc.blocks[1].heading_path == ("제2장 복무",)


def test_utf16_text_file_without_bom_loads_through_detection():
    doc = load(KOREAN.encode("utf-16-le"), "규정.txt")
    assert "1일 8시간" in doc.text


@pytest.mark.shared_data
def test_cp949_appendix_matches_utf8_appendix(shared_data):
    folder = shared_data / "docs" / "docs_langchain_kr"
    cp949 = load((folder / "appendix-keywords-CP949.txt").read_bytes(), "appendix-keywords-CP949.txt")
    utf8 = load((folder / "appendix-keywords-utf8.txt").read_bytes(), "appendix-keywords-utf8.txt")
    assert cp949.text == utf8.text
    assert "의미론적 검색" in cp949.text


def test_utf8_korean_cut_mid_character_keeps_its_text():
    text = ("출장비 정산 안내. 숙박비 영수증은 7일 이내에 제출합니다. " * 4).strip().rstrip(".")
    cut = text.encode("utf-8")[:-1]  # the last syllable loses its final byte
    decoded = decode_text(cut, "잘린.txt")
    assert decoded.startswith("출장비 정산 안내.") and decoded.endswith("\ufffd")
    stray = text.encode("utf-8").replace("7일".encode(), b"7\xff\xec\x9d\xbc", 1)  # one stray byte inside
    assert "숙박비 영수증은" in decode_text(stray, "잡음.txt")


def test_latin1_is_not_mistaken_for_broken_utf8():
    text = "Café crème, naïve façade - déjà vu. " * 3
    decoded = decode_text(text.encode("latin-1"), "fr.txt")  # left to the detector, which picks a Latin codec
    assert "\ufffd" not in decoded and decoded.startswith("Caf") and len(decoded) == len(text)
