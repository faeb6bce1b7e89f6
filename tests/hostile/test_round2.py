"""Round-2 guards that need more than the shared batch (tests/hostile/test_hostile.py runs the corpus
itself): the OCR time budget, a full disk in the middle of a batch, file names holding personal data,
and document references that look like SQL wildcards."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from ingest.pipeline import Ingestor
from rag.kb import KnowledgeBase
from rag.settings import Settings
from tests.hostile.build import _rezip, _sample
from tests.hostile.round2 import noise_frames

REPO = Path(__file__).resolve().parents[2]
RRN_NAME = "홍길동_900101-1234568.txt"


def test_ocr_stops_at_the_time_budget(tmp_path, kiwi):
    settings = Settings(home=tmp_path, kb="ocr", ocr_file_seconds=0.01)  # past it after the first page
    kb = KnowledgeBase.open(settings, create=True)
    started = time.monotonic()
    result = Ingestor(kb, settings).ingest_bytes(noise_frames("1", 200, 12, "TIFF"), "잡음_12쪽.tif")
    assert time.monotonic() - started < 30
    assert result.status == "failed" and result.name == "잡음_12쪽.tif"
    assert "KORAG_OCR_FILE_SECONDS" in result.error and "of 12 pages" in result.error, result.error
    assert kb.store.counts()["documents"] == 0


@pytest.mark.integration
def test_a_full_disk_fails_the_file_by_name_and_stops_the_batch(tmp_path):
    folder = tmp_path / "batch"
    folder.mkdir()
    (folder / "1_첫째.txt").write_text("첫째 문서: 출장비 정산 안내입니다.", encoding="utf-8")
    (folder / "2_둘째.txt").write_text("둘째 문서: 연차 휴가 안내입니다.", encoding="utf-8")
    # a DOCX carrying 3 MB of incompressible media: cheap to parse, too big for the 2 MB files may grow to
    (folder / "3_큰문서.docx").write_bytes(_rezip(_sample("취업규칙.docx"), {"word/media/big.bin": os.urandom(3 * 2**20)}))
    (folder / "4_넷째.txt").write_text("넷째 문서: 보안 점검 안내입니다.", encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "tests.hostile.full_disk", str(tmp_path / "home"), str(folder),
                           str(2 * 2**20)], cwd=REPO, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    results = [json.loads(line) for line in done.stdout.splitlines()]
    assert [(r["name"], r["status"]) for r in results] == [
        ("1_첫째.txt", "added"), ("2_둘째.txt", "added"), ("3_큰문서.docx", "failed")], results  # 4 not tried
    error = results[-1]["error"]
    assert "disk is full" in error and "3_큰문서.docx" in error and "2 file(s) stored" in error, error
    kb = KnowledgeBase.open(Settings(home=tmp_path / "home"), "batch")  # the KB as the batch left it
    try:
        assert sorted(d.name for d in kb.documents()) == ["1_첫째.txt", "2_둘째.txt"]
        assert kb.search_lexical("연차 휴가", k=3)[0].document.name == "2_둘째.txt"
    finally:
        kb.close()


def test_file_names_are_masked_like_the_text(tmp_path, kiwi):
    settings = Settings(home=tmp_path, kb="pii")  # KORAG_PII_MODE=mask is the default
    kb = KnowledgeBase.open(settings, create=True)
    result = Ingestor(kb, settings).ingest_bytes("인사 기록: 연봉 협상 결과를 보관한다.".encode(), RRN_NAME)
    assert result.status == "added"
    shown = [d.name for d in kb.documents()] + [h.document.name for h in kb.search_lexical("연봉 협상", k=3)]
    assert shown and all("1234568" not in name and "900101" not in name for name in shown), shown
    assert kb.documents()[0].name == "홍길동_[주민등록번호].txt"
    source = kb.documents()[0].source
    assert "1234568" not in source and "900101" not in source and "[주민등록번호]" in source, source
    # the masked source is still the document's identity: the same name again replaces it, not a second one
    again = Ingestor(kb, settings).ingest_bytes("인사 기록: 연봉 협상 결과를 다시 보관한다.".encode(), RRN_NAME)
    assert again.status in ("added", "replaced", "updated") and len(kb.documents()) == 1, again
    other = Ingestor(kb, settings).ingest_bytes("다른 사람의 기록입니다.".encode(), "홍길동_900101-1234576.txt")
    assert len(kb.documents()) == 2 and other.status == "added"


def test_references_are_matched_literally(tmp_path, kiwi):
    settings = Settings(home=tmp_path, kb="refs")
    kb = KnowledgeBase.open(settings, create=True)
    ingestor = Ingestor(kb, settings)
    for name in ("가.txt", "나.txt"):
        ingestor.ingest_bytes(f"{name} 문서의 내용입니다.".encode(), name)
    first = kb.documents()[0]
    for wildcard in ("______", "%%%%%%", "%", first.id[:6] + "%", first.id[:5] + "_"):
        assert kb.store.find_documents(wildcard) == [], wildcard
    assert [d.id for d in kb.store.find_documents(first.id[:8])] == [first.id]  # a real id prefix still works
    assert [d.id for d in kb.store.find_documents(first.name)] == [first.id]
