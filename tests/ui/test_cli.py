"""`korag` as a person runs it: a real subprocess per command, a temporary KORAG_HOME."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture()
def korag(tmp_path):
    env = {**os.environ, "KORAG_HOME": str(tmp_path / "home"), "KORAG_KB": "cli"}

    def run(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "ui.cli", *args], cwd=REPO, env=env,
                              capture_output=True, text=True, timeout=300)

    return run


@pytest.fixture()
def folder(tmp_path) -> Path:
    root = tmp_path / "문서"
    (root / "하위").mkdir(parents=True)
    (root / "출장.md").write_text("# 출장비 규정\n\n국내 출장 숙박비는 1박 7만원을 한도로 한다.\n\n## 일비\n\n일비는 하루 2만원이다.",
                                  encoding="utf-8")
    (root / "하위" / "보안.txt").write_text("비밀번호는 90일마다 변경한다.", encoding="cp949")
    (root / "빈파일.txt").write_bytes(b"")
    return root


def test_ingest_reports_each_file_and_a_summary(korag, folder):
    done = korag("ingest", str(folder))
    assert done.returncode == 1, done.stderr  # one file failed
    assert "added     출장.md" in done.stdout and "added     보안.txt" in done.stdout
    assert "빈파일.txt: the file is empty" in done.stdout
    assert "3 files" in done.stdout and "2 added" in done.stdout and "1 failed" in done.stdout
    again = korag("ingest", str(folder / "출장.md"))
    assert again.returncode == 0 and "unchanged" in again.stdout


def test_search_docs_and_kb_commands(korag, folder):
    korag("ingest", str(folder))
    found = korag("search", "숙박비 한도", "-k", "1")
    assert found.returncode == 0
    assert "출장.md" in found.stdout and "1박 7만원" in found.stdout
    listed = korag("docs", "list")
    assert "출장.md" in listed.stdout and "보안.txt" in listed.stdout
    shown = korag("docs", "show", "보안.txt")
    assert "비밀번호는 90일마다 변경한다." in shown.stdout  # CP949 decoded
    assert "cli" in korag("kb", "list").stdout
    assert "documents:  2" in korag("kb", "info").stdout
    deleted = korag("docs", "delete", "보안.txt")
    assert deleted.returncode == 0 and "보안.txt" not in korag("docs", "list").stdout
    assert korag("kb", "delete", "cli", "--yes").returncode == 0
    assert "no knowledge bases" in korag("kb", "list").stdout


def test_errors_are_one_line_without_traceback(korag):
    missing = korag("search", "아무거나", "--kb", "없음")
    assert missing.returncode == 1
    assert "no knowledge base 'none'" not in missing.stderr and "없음" in missing.stderr
    assert "Traceback" not in missing.stderr + missing.stdout
    nothing = korag("ingest", "/nonexistent/path")
    assert nothing.returncode == 1 and "Traceback" not in nothing.stderr
