"""The small guards behind issue 19's budgets, on their own: the XML prologue walk, the PDF stream
count, frames counted by seeking, unbroken text cut for Kiwi."""
from __future__ import annotations

import io

import pytest

from ingest.errors import DocumentTooLarge
from ingest.loaders.pdf_guard import check_streams
from ingest.split import UNBROKEN_PIECE, kiwi_inputs
from ingest.xml_prolog import declares_dtd
from tests.hostile.round2 import content_stream_bomb


@pytest.mark.parametrize("xml, dtd", [
    ('<?xml version="1.0"?><!DOCTYPE a [<!ENTITY x "y">]><a/>', True),
    ('<?xml version="1.0"?><!--' + "주석" * 50_000 + '--><?pi data?>\n<!DOCTYPE a><a/>', True),  # 300 KB in
    ('<?xml version="1.0"?><!-- <!DOCTYPE a> is only a comment here --><a/>', False),
    ('<?xml version="1.0"?><a><![CDATA[<!DOCTYPE a>]]></a>', False),  # past the root: not the prologue
    ('\ufeff<?xml version="1.0"?>\n<w:document/>', False),
])
def test_a_dtd_anywhere_in_the_prologue_is_found(xml, dtd):
    assert declares_dtd(io.BytesIO(xml.encode("utf-8"))) is dtd
    assert declares_dtd(io.BytesIO(xml.lstrip("\ufeff").encode("utf-16"))) is dtd  # BOM + UTF-16-LE


def test_pdf_streams_are_counted_not_held(samples):
    check_streams((samples / "2025_사업계획.pdf").read_bytes(), "사업계획.pdf", 2**20)  # real streams pass
    bomb = content_stream_bomb(64 * 2**20)
    check_streams(bomb, "폭탄.pdf", 64 * 2**20)  # exactly at the limit: allowed
    with pytest.raises(DocumentTooLarge, match="KORAG_MAX_PDF_STREAM_MB"):
        check_streams(bomb, "폭탄.pdf", 64 * 2**20 - 1)


def test_unbroken_runs_are_cut_and_prose_is_not():
    prose = "출장비는 실비로 지급한다. " * 200
    assert kiwi_inputs(prose) == [(0, prose)]
    run = "가" * 5000
    text = "머리말 " + run + " 맺음말"
    pieces = kiwi_inputs(text)
    assert "".join(p for _, p in pieces) == text and all(text[o:o + len(p)] == p for o, p in pieces)
    assert max(len(p) for _, p in pieces) <= UNBROKEN_PIECE + len("머리말 ")
