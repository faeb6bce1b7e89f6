"""The bundled Korean samples: present, small, deterministic, and readable with generic libraries.

These tests never use korag's own loaders; they check the sample files themselves.
"""
from __future__ import annotations

import importlib.util
import io
import json
import struct
import zipfile
import zlib

import olefile
import pytest

from ingest.samples import FILES
from ingest.samples import generate as gen
from ingest.samples.cfb import NOSTREAM, write_cfb

NAMES = [entry["file"] for entry in gen.EXPECTED]
# Written byte by byte by generate.py: the committed files must match a regeneration exactly
# (compared after inflating, so a different zlib build cannot fail the test).
OWN_FORMATS = {"hwp", "hwpx", "html", "md", "txt"}


def _pdf_available() -> bool:
    return importlib.util.find_spec("reportlab") is not None and (gen.FONT_DIR / "NanumGothic.ttf").exists()


def _buildable() -> list[str]:
    return [n for n in NAMES if not n.endswith(".pdf") or _pdf_available()]


@pytest.fixture(scope="module")
def regenerated(tmp_path_factory) -> dict[str, bytes]:
    out = tmp_path_factory.mktemp("samples")
    return {name: path.read_bytes() for name, path in gen.generate(out, names=_buildable()).items()}


def test_every_builder_has_expectations_and_vice_versa():
    assert sorted(gen.BUILDERS) == sorted(NAMES)
    assert {e["format"] for e in gen.EXPECTED} == {"docx", "hwpx", "hwp", "pdf", "pptx", "xlsx", "html", "md", "txt"}


def test_expected_json_is_current():
    assert json.loads(gen.EXPECTED_JSON.read_text(encoding="utf-8")) == gen.EXPECTED
    for entry in gen.EXPECTED:
        assert 3 <= len(entry["snippets"]) <= 6, entry["file"]
        assert len(entry["questions"]) == 2, entry["file"]


@pytest.mark.parametrize("name", NAMES)
def test_sample_exists_and_is_small(name):
    path = FILES / name
    assert path.is_file()
    limit = 300_000 if name.endswith(".pdf") else 100_000
    assert 500 < path.stat().st_size < limit


def test_samples_read_back_with_generic_libraries():
    assert gen.verify(FILES) == []


@pytest.mark.parametrize("name", NAMES)
def test_each_sample_has_a_few_kilobytes_of_text(name):
    text = gen.collapse(str(gen.generic_text(name, (FILES / name).read_bytes())["text"]))
    assert 300 <= len(text) <= 4000, len(text)
    if not name.endswith(".xlsx"):  # the workbook is only tables of departments and names
        assert "한빛" in text


def test_samples_are_about_different_topics():
    texts = {n: gen.collapse(str(gen.generic_text(n, (FILES / n).read_bytes())["text"])) for n in NAMES}
    for entry in gen.EXPECTED:
        for other, text in texts.items():
            if other != entry["file"]:
                assert entry["questions"][0]["answer_snippet"] not in text, (entry["file"], other)


def test_regeneration_is_byte_identical(tmp_path, regenerated):
    again = gen.generate(tmp_path, names=list(regenerated))
    for name, path in again.items():
        assert path.read_bytes() == regenerated[name], name


def _zip_members(data: bytes) -> list[tuple[str, int, bytes]]:
    zf = zipfile.ZipFile(io.BytesIO(data))
    return [(i.filename, i.compress_type, zf.read(i)) for i in zf.infolist()]


def _hwp_streams(data: bytes) -> dict[str, bytes]:
    ole = olefile.OleFileIO(io.BytesIO(data))
    streams = {"/".join(p): ole.openstream(p).read() for p in ole.listdir()}
    for name in ("DocInfo", "BodyText/Section0"):
        streams[name] = zlib.decompress(streams[name], -15)
    return streams


@pytest.mark.parametrize("name", NAMES)
def test_committed_sample_matches_the_generator(name, regenerated):
    if name not in regenerated:
        pytest.skip("reportlab or the Nanum fonts are not installed")
    committed, fresh = (FILES / name).read_bytes(), regenerated[name]
    fmt = name.rsplit(".", 1)[-1]
    if fmt in ("html", "md", "txt"):
        assert committed == fresh
    elif fmt == "hwpx":
        assert _zip_members(committed) == _zip_members(fresh)
    elif fmt == "hwp":
        assert _hwp_streams(committed) == _hwp_streams(fresh)
    else:
        # Library-made formats: their bytes may move with library versions; the text must not.
        assert gen.generic_text(name, committed) == gen.generic_text(name, fresh)


# --- HWP 5.0 ------------------------------------------------------------------------------------
def test_hwp_container_and_file_header():
    data = (FILES / "보안_지침.hwp").read_bytes()
    ole = olefile.OleFileIO(io.BytesIO(data), raise_defects=olefile.DEFECT_UNSURE)
    assert sorted(ole.listdir()) == [["BodyText", "Section0"], ["DocInfo"], ["FileHeader"], ["PrvText"]]
    header = ole.openstream("FileHeader").read()
    assert len(header) == 256
    assert header[:32] == b"HWP Document File".ljust(32, b"\0")
    assert struct.unpack_from("<II", header, 32) == (0x05000300, 1)
    assert header[40:] == b"\0" * 216
    doc_info = list(gen.hwp_records(zlib.decompress(ole.openstream("DocInfo").read(), -15)))
    assert [(tag, level, len(p)) for tag, level, p in doc_info] == [(16, 0, 26)]
    assert "보안담당관 김도윤 책임" in ole.openstream("PrvText").read().decode("utf-16-le")


def test_hwp_body_records():
    data = (FILES / "보안_지침.hwp").read_bytes()
    ole = olefile.OleFileIO(io.BytesIO(data))
    records = list(gen.hwp_records(zlib.decompress(ole.openstream("BodyText/Section0").read(), -15)))
    top = [p for tag, level, p in records if tag == gen.HWPTAG_PARA_HEADER and level == 0]
    assert len(top) == len(gen.SECURITY_BODY)
    assert all(len(p) == 22 for tag, _, p in records if tag == gen.HWPTAG_PARA_HEADER)
    last_bits = [struct.unpack_from("<I", p)[0] >> 31 for p in top]
    assert last_bits == [0] * (len(top) - 1) + [1]
    # the table: an extended control in the text, then CTRL_HEADER 'tbl ', TABLE, one LIST_HEADER per cell
    tags = [(tag, level) for tag, level, _ in records]
    i = tags.index((gen.HWPTAG_CTRL_HEADER, 1))
    assert records[i][2][:4] == b" lbt"
    assert tags[i + 1] == (gen.HWPTAG_TABLE, 2)
    rows, cols = struct.unpack_from("<HH", records[i + 1][2], 4)
    assert (rows, cols) == (5, 3)
    assert tags.count((gen.HWPTAG_LIST_HEADER, 2)) == rows * cols
    table_para = records[i - 3]
    assert table_para[0] == gen.HWPTAG_PARA_HEADER and struct.unpack_from("<I", table_para[2], 4)[0] == 1 << 11
    cell_texts = [gen._para_text(p) for tag, level, p in records if tag == gen.HWPTAG_PARA_TEXT and level == 3]
    assert cell_texts[:3] == ["등급", "정의", "보관 기간"]
    assert "사내한정" in cell_texts


def test_hwp_record_header_uses_extended_size_from_0xfff():
    small, big = gen.hwp_record(67, 1, b"x" * 0xFFE), gen.hwp_record(67, 1, b"x" * 0xFFF)
    assert struct.unpack_from("<I", small)[0] == 67 | (1 << 10) | (0xFFE << 20)
    assert struct.unpack_from("<II", big) == (67 | (1 << 10) | (0xFFF << 20), 0xFFF)
    assert list(gen.hwp_records(small + big)) == [(67, 1, b"x" * 0xFFE), (67, 1, b"x" * 0xFFF)]


# --- HWPX ---------------------------------------------------------------------------------------
def test_hwpx_package_layout():
    zf = zipfile.ZipFile(FILES / "출장비_규정.hwpx")
    first = zf.infolist()[0]
    assert (first.filename, first.compress_type, first.extra) == ("mimetype", zipfile.ZIP_STORED, b"")
    assert zf.read("mimetype") == b"application/hwp+zip"
    assert {"version.xml", "META-INF/container.xml", "Contents/content.hpf", "Contents/header.xml",
            "Contents/section0.xml", "Preview/PrvText.txt"} <= set(zf.namelist())
    section = zf.read("Contents/section0.xml").decode()
    assert 'xmlns:hp="http://www.hancom.co.kr/hwpml/2011/paragraph"' in section
    assert 'xmlns:hs="http://www.hancom.co.kr/hwpml/2011/section"' in section
    assert section.count("<hp:tbl ") == 1 and section.count("<hp:header ") == 1
    assert "<hp:ctrl><hp:header" in section
    assert "120,000원" in zf.read("Preview/PrvText.txt").decode()


# --- the CFB writer -----------------------------------------------------------------------------
def _check_red_black(entries, sid, keyfn):
    """Return (black height, keys in order) of the sibling tree under sid, asserting it is valid."""
    if sid == NOSTREAM:
        return 1, []
    node = entries[sid]
    lh, left = _check_red_black(entries, node.sid_left, keyfn)
    rh, right = _check_red_black(entries, node.sid_right, keyfn)
    assert lh == rh, f"unequal black height under {node.name!r}"
    if node.color == 0:  # red: children must be black
        for child in (node.sid_left, node.sid_right):
            assert child == NOSTREAM or entries[child].color == 1
    keys = left + [keyfn(node.name)] + right
    assert keys == sorted(keys)
    return lh + (node.color == 1), keys


@pytest.mark.parametrize("count", [1, 2, 3, 5, 7, 8, 13, 40])
def test_cfb_sibling_trees_are_valid_red_black_trees(count):
    from ingest.samples.cfb import _sort_key

    streams = {f"S{i:02d}": bytes([i]) * (i * 37) for i in range(count)}
    streams.update({f"Sub/T{i}": b"t" * i for i in range(count)})
    ole = olefile.OleFileIO(io.BytesIO(write_cfb(streams)), raise_defects=olefile.DEFECT_UNSURE)
    entries = ole.direntries
    for entry in entries:
        if entry is not None and entry.entry_type in (olefile.STGTY_ROOT, olefile.STGTY_STORAGE):
            _check_red_black(entries, entry.sid_child, _sort_key)
            assert entry.sid_child == NOSTREAM or entries[entry.sid_child].color == 1  # black root


def test_cfb_round_trip_through_olefile():
    sizes = [0, 1, 63, 64, 65, 511, 512, 4095, 4096, 4097, 70_000]
    streams = {f"s{size}": bytes((i * 7 + size) % 251 for i in range(size)) for size in sizes}
    streams["BodyText/Section0"] = b"body" * 3000
    streams["BodyText/Section1"] = b"tiny"
    streams["Deep/Er/Stream"] = b"deep"
    data = write_cfb(streams)
    assert data[:8] == bytes.fromhex("D0CF11E0A1B11AE1") and len(data) % 512 == 0
    assert write_cfb(dict(reversed(list(streams.items())))) == data  # insertion order does not matter
    ole = olefile.OleFileIO(io.BytesIO(data), raise_defects=olefile.DEFECT_UNSURE)
    assert ole.parsing_issues == []
    assert sorted("/".join(p) for p in ole.listdir()) == sorted(streams)
    for path, blob in streams.items():
        assert ole.get_size(path) == len(blob)
        assert ole.openstream(path).read() == blob
    assert ole.get_type("BodyText") == olefile.STGTY_STORAGE


def test_cfb_rejects_bad_names():
    with pytest.raises(ValueError):
        write_cfb({"x" * 32: b""})
    with pytest.raises(ValueError):
        write_cfb({"a:b": b""})
    with pytest.raises(ValueError):
        write_cfb({"A/B": b"", "a/b": b""})  # names are case-insensitive
