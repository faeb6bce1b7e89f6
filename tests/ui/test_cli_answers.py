"""`korag ask | chat | summarize | extract | models` as a person runs them (subprocesses, temporary home)."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.scripted_openai import Reply

REPO = Path(__file__).resolve().parents[2]
RULES = ("# 출장비 규정\n\n국내 출장 숙박비는 1박 7만원을 한도로 한다. 출장자는 돌아온 날부터 7일 이내에 정산서를 제출한다.\n\n"
         "## 일비\n\n일비는 하루 2만원이다. 문의는 총무팀(02-555-1234)으로 한다.\n\n시행일: 2025년 3월 1일")


@pytest.fixture(scope="module")
def home(tmp_path_factory):
    home = tmp_path_factory.mktemp("cli-answers")
    (home / "출장.md").write_text(RULES, encoding="utf-8")
    env = {**os.environ, "KORAG_HOME": str(home / "kb"), "KORAG_KB": "cli", "KORAG_EMBEDDER": "none"}
    done = subprocess.run([sys.executable, "-m", "ui.cli", "ingest", str(home / "출장.md")], cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    return home


@pytest.fixture()
def korag(home):
    def run(*args: str, stdin: str | None = None, **env_extra: str) -> subprocess.CompletedProcess:
        env = {**os.environ, "KORAG_HOME": str(home / "kb"), "KORAG_KB": "cli", "KORAG_EMBEDDER": "none",
               **env_extra}
        return subprocess.run([sys.executable, "-m", "ui.cli", *args], cwd=REPO, env=env, input=stdin,
                              capture_output=True, text=True, timeout=300)

    return run


def test_ask_without_llm_answers_extractively_and_says_so(korag):
    done = korag("ask", "국내 출장 숙박비 한도는 얼마인가요?")
    assert done.returncode == 0, done.stderr
    assert "1박 7만원" in done.stdout and "[1]" in done.stdout
    assert "추출형" in done.stdout and "출장.md" in done.stdout
    assert "LLM이 설정되지 않아" in done.stderr


def test_ask_json(korag):
    done = korag("ask", "정산서는 언제까지 제출하나요?", "--json")
    answer = json.loads(done.stdout)
    assert answer["mode"] == "extractive" and answer["grounded"]
    assert "7일 이내" in answer["citations"][0]["quote"]


def test_ask_streams_from_the_llm(korag, scripted_openai):
    scripted_openai.script(Reply(text="숙박비 한도는 1박 7만원입니다 [1].", chunk_chars=2))
    done = korag("ask", "숙박비 한도는?", KORAG_LLM_BASE_URL=scripted_openai.base_url, KORAG_LLM_MODEL="scripted-model")
    assert done.returncode == 0, done.stderr
    assert "숙박비 한도는 1박 7만원입니다 [1]." in done.stdout
    assert "LLM 답변 · scripted-model" in done.stdout
    assert scripted_openai.requests[0]["stream"] is True


def test_chat_keeps_the_conversation(korag):
    done = korag("chat", stdin="숙박비 한도는?\n그럼 일비는?\n/exit\n")
    assert done.returncode == 0, done.stderr
    assert "1박 7만원" in done.stdout and "하루 2만원" in done.stdout
    assert "검색한 질문: 숙박비 한도는? 그럼 일비는?" in done.stderr


def test_summarize_and_extract(korag, home):
    summary = korag("summarize", "출장.md", "--length", "short")
    assert summary.returncode == 0, summary.stderr
    assert "추출형" in summary.stdout and "[1]" in summary.stdout
    schema = home / "schema.json"
    schema.write_text(json.dumps({"type": "object", "properties": {
        "시행일": {"type": "string", "format": "date"}, "연락처": {"type": "string", "description": "전화번호"}}},
        ensure_ascii=False), encoding="utf-8")
    done = korag("extract", "출장.md", "--schema", str(schema), "--json")
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["data"] == {"시행일": "2025-03-01", "연락처": "02-555-1234"}
    assert "02-555-1234" in result["fields"]["연락처"]["source"]["quote"]
    schema.write_text(json.dumps({"type": "object", "properties": {
        "연락처": {"type": "string", "description": "전화번호"}, "화성탐사선연료": {"type": "string"}}},
        ensure_ascii=False), encoding="utf-8")
    shown = korag("extract", "출장.md", "--schema", str(schema))
    assert shown.returncode == 0, shown.stderr
    lines = {line.split(":")[0].strip(): line for line in shown.stdout.splitlines() if line.startswith("  ")}
    assert "02-555-1234" in lines["연락처"] and "출장.md" in lines["연락처"] and "–" in lines["연락처"]  # the span
    assert "찾지 못함" in lines["화성탐사선연료"] and "라벨" in lines["화성탐사선연료"]  # null, and why


def test_errors_are_one_line(korag, home):
    missing = korag("summarize", "없는문서.pdf")
    assert missing.returncode == 1 and "no document '없는문서.pdf'" in missing.stderr
    bad = home / "bad.json"
    bad.write_text("{not json", encoding="utf-8")
    done = korag("extract", "출장.md", "--schema", str(bad))
    assert done.returncode == 1 and "not a JSON file" in done.stderr and "Traceback" not in done.stderr


def test_models_lists_presets_and_licences(korag, scripted_openai):
    done = korag("models")
    assert "exaone" in done.stdout and "EXAONE AI Model License" in done.stdout
    assert "none configured" in done.stdout
    scripted_openai.model = "LGAI-EXAONE/EXAONE-3.5-7.8B-Instruct"
    try:
        done = korag("models", KORAG_LLM_BASE_URL=scripted_openai.base_url, KORAG_LLM_MODEL=scripted_openai.model)
    finally:
        scripted_openai.model = "scripted-model"
    assert "NON-COMMERCIAL" in done.stdout and "context 4,096" in done.stdout
