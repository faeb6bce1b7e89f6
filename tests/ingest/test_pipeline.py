"""The ingestion pipeline as a user meets it: batches with bad files, hostile names, crashes."""
from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

from ingest.pipeline import Ingestor, check_name, expand_paths
from ingest.errors import UnsafeName
from rag.kb import KnowledgeBase
from rag.settings import Settings

REPO = Path(__file__).resolve().parents[2]
PARAGRAPH = ("한빛전자 주식회사의 정보보안 지침은 모든 임직원과 협력업체 직원에게 적용된다. "
             "비밀번호는 90일마다 변경하여야 하며, 외부 저장매체의 사용은 보안담당관의 승인을 받아야 한다. ")


@pytest.fixture()
def settings(tmp_path) -> Settings:
    return Settings(home=tmp_path / "home", kb="test", max_file_mb=1)


@pytest.fixture()
def kb(settings) -> KnowledgeBase:
    return KnowledgeBase.open(settings, create=True)


def _bad_files(folder: Path) -> dict[str, str]:
    """Write one bad file per case; return {file name: words its error must contain}."""
    folder.mkdir(parents=True, exist_ok=True)
    cases = {}
    (folder / "empty.txt").write_bytes(b"")
    cases["empty.txt"] = "empty"
    (folder / "garbage.docx").write_bytes(b"PK\x03\x04" + os.urandom(2000))
    cases["garbage.docx"] = "zip"
    with zipfile.ZipFile(folder / "bomb.docx", "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", b"\0" * (600 * 2**20))  # 600 MiB of zeros, ~600 KB on disk
    cases["bomb.docx"] = "zip bomb"
    (folder / "binary.txt").write_bytes(bytes(range(256)) * 40)
    cases["binary.txt"] = "unrecognised"
    with open(folder / "huge.pdf", "wb") as fh:  # a sparse 2 GB file: must be refused unread
        fh.truncate(2 * 2**30)
    cases["huge.pdf"] = "limit"
    (folder / "truncated.pdf").write_bytes(b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog")
    cases["truncated.pdf"] = "truncated"
    (folder / "줄바꿈\n이름.txt").write_text("내용", encoding="utf-8")
    cases["줄바꿈\n이름.txt"] = "control characters"
    return cases


def test_a_batch_goes_on_past_bad_files_and_keeps_none_of_them(tmp_path, settings, kb, kiwi):
    good = tmp_path / "batch"
    bad = _bad_files(good)
    (good / "보안.txt").write_text(PARAGRAPH, encoding="utf-8")
    (good / "sub").mkdir()
    (good / "sub" / "복지.md").write_text("# 복지\n\n건강검진은 매년 10월에 실시한다.", encoding="utf-8")
    started = time.perf_counter()
    results = Ingestor(kb, settings).ingest_paths([good])
    assert time.perf_counter() - started < 60
    by_name = {r.name: r for r in results}
    failed = {r.name: r for r in results if r.status == "failed"}
    assert {r.name for r in results if r.ok} == {"보안.txt", "복지.md"}
    assert len(failed) == len(bad)
    for name, words in bad.items():
        result = by_name[name]
        assert result.status == "failed" and words in result.error.lower(), (name, result.error)
    assert by_name["보안.txt"].chunks >= 1
    assert sorted(d.name for d in kb.documents()) == ["보안.txt", "복지.md"]
    assert kb.store.counts()["documents"] == 2
    assert len([p for p in (kb.path / "files").rglob("*") if p.is_file()]) == 2
    assert [h.document.name for h in kb.search_lexical("건강검진")] == ["복지.md"]


@pytest.mark.parametrize("name, reason", [
    ("../../etc/passwd", "path separator"),
    ("a/b.txt", "path separator"),
    ("..\\windows.txt", "path separator"),
    ("nul\x00byte.txt", "control characters"),
    ("line\nbreak.txt", "control characters"),
    ("가" * 200 + ".txt", "longer than 255 bytes"),
    ("", "empty"),
])
def test_hostile_names_are_refused_by_name(name, reason):
    with pytest.raises(UnsafeName) as info:
        check_name(name)
    assert reason in info.value.reason
    assert "\n" not in str(info.value) and "\x00" not in str(info.value)


def test_upload_with_a_hostile_name_is_one_failed_result(settings, kb, kiwi):
    result = Ingestor(kb, settings).ingest_bytes(PARAGRAPH.encode(), "../../secret.txt")
    assert result.status == "failed" and "path separator" in result.error
    assert kb.store.counts()["documents"] == 0


def test_identical_files_in_one_batch_are_stored_once(tmp_path, settings, kb, kiwi):
    (tmp_path / "in").mkdir()
    for name in ("원본.txt", "사본.txt"):
        (tmp_path / "in" / name).write_text(PARAGRAPH, encoding="utf-8")
    results = Ingestor(kb, settings).ingest_paths([tmp_path / "in"])
    assert sorted(r.status for r in results) == ["added", "unchanged"]
    assert kb.store.counts()["documents"] == 1


def test_wrong_extension_is_read_by_content(tmp_path, settings, kb, kiwi):
    path = tmp_path / "보고서.pdf"
    path.write_text(PARAGRAPH, encoding="utf-8")  # really plain text
    result = Ingestor(kb, settings).ingest_file(path)
    assert result.status == "added" and result.format == "txt"


def test_expand_paths_is_recursive_sorted_and_skips_hidden(tmp_path):
    for rel in ["b.txt", "a/z.txt", "a/y.txt", ".git/config", "a/.hidden.txt"]:
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text("x")
    assert [p.relative_to(tmp_path).as_posix() for p in expand_paths([tmp_path])] == ["a/y.txt", "a/z.txt", "b.txt"]


CRASH_SCRIPT = """
import sys
from pathlib import Path
from ingest.pipeline import Ingestor
from rag.kb import KnowledgeBase
from rag.settings import Settings
settings = Settings(home=Path(sys.argv[1]), kb="crash")
kb = KnowledgeBase.open(settings, create=True)
Ingestor(kb, settings).ingest_paths([Path(sys.argv[2])])
"""


@pytest.mark.slow
def test_a_killed_ingestion_leaves_only_whole_documents(tmp_path, kiwi):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for i in range(40):
        text = f"문서 번호 {i}번.\n\n" + PARAGRAPH * 60 + f"\n\n고유어휘{i}호 끝."
        (corpus / f"doc{i:02}.txt").write_text(text, encoding="utf-8")
    home = tmp_path / "home"
    proc = subprocess.Popen([sys.executable, "-c", CRASH_SCRIPT, str(home), str(corpus)], cwd=REPO)
    db_path = home / "crash" / "kb.sqlite"
    deadline = time.monotonic() + 120
    stored = 0
    while time.monotonic() < deadline and proc.poll() is None:
        if db_path.exists():
            try:
                with sqlite3.connect(db_path, timeout=5) as db:
                    stored = db.execute("SELECT count(*) FROM documents").fetchone()[0]
            except sqlite3.OperationalError:
                stored = 0
            if stored >= 3:
                break
        time.sleep(0.02)
    assert proc.poll() is None, "ingestion finished before it could be killed; make the corpus bigger"
    proc.send_signal(signal.SIGKILL)
    proc.wait()

    settings = Settings(home=home, kb="crash")
    kb = KnowledgeBase.open(settings)
    docs = kb.documents()
    assert 3 <= len(docs) < 40
    for doc in docs:  # every document that is there is whole
        chunks = kb.store.document_chunks(doc.id)
        assert chunks and chunks[-1].text.endswith("끝.") and doc.chunks == len(chunks)
        assert kb.file_path(doc.sha256, doc.name).exists()
    # a rerun completes the batch; nothing is duplicated
    results = Ingestor(kb, settings).ingest_paths([corpus])
    assert sum(r.status == "unchanged" for r in results) == len(docs)
    assert kb.store.counts()["documents"] == 40
    assert [h.document.name for h in kb.search_lexical("고유어휘39호")][:1] == ["doc39.txt"]


@pytest.mark.parametrize("name, marker", [
    ("bomb.docx", "word/document.xml"),
    ("bomb.pptx", "ppt/presentation.xml"),
    ("bomb.xlsx", "xl/workbook.xml"),
    ("bomb.hwpx", "Contents/section0.xml"),
])
def test_zip_bombs_in_every_office_container_are_refused(tmp_path, settings, kb, kiwi, name, marker):
    path = tmp_path / name
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        if name.endswith(".hwpx"):
            z.writestr("mimetype", "application/hwp+zip")
        z.writestr(marker, b"<x>" + b" " * (50 * 2**20) + b"</x>")  # 50 MiB of spaces in ~50 KB: ratio 1000:1
    started = time.perf_counter()
    result = Ingestor(kb, settings).ingest_file(path)
    assert result.status == "failed" and "zip bomb" in result.error, result.error
    assert time.perf_counter() - started < 10
    assert kb.store.counts()["documents"] == 0


def test_symlinks_inside_a_folder_are_not_followed(tmp_path, settings, kb, kiwi):
    from ingest.pipeline import expand_paths

    folder = tmp_path / "공유"
    folder.mkdir()
    (folder / "공지.txt").write_text("정상 공지입니다. 회의는 3시입니다.", encoding="utf-8")
    (folder / "passwd.txt").symlink_to("/etc/passwd")
    (folder / "링크폴더").symlink_to(tmp_path)
    assert [p.name for p in expand_paths([folder])] == ["공지.txt"]
    assert [p.name for p in expand_paths([folder / "passwd.txt"])] == ["passwd.txt"]  # named directly: read


def test_a_blank_rendered_page_is_not_sent_to_ocr():
    from PIL import Image, ImageDraw

    from ingest.ocr import is_blank

    page = Image.new("RGB", (2480, 3508), "white")
    assert is_blank(page)
    ImageDraw.Draw(page).text((100, 100), "출장비 정산", fill="black")
    assert not is_blank(page)
