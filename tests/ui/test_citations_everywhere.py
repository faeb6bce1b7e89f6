"""One citation, shown the same on every surface (issue 15): "규정.pdf › 제12조(대부한도) ① · 2쪽" from
`korag search`, `korag ask`, the HTTP API's search and ask, and the LangChain retriever's metadata (the
portal's source label: tests/ui/test_web.py)."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from rag.langchain import KoragRetriever
from rag.settings import Settings
from tests.ingest.test_structure_formats import regulation_pdf_bytes
from ui.api import create_app

REPO = Path(__file__).resolve().parents[2]
LABEL = "규정.pdf › 제12조(대부한도) ① · 2쪽"
QUESTION = "월 대부한도는 얼마인가요?"


@pytest.fixture(scope="module")
def home(tmp_path_factory) -> Path:
    home = tmp_path_factory.mktemp("citations")
    (home / "규정.pdf").write_bytes(regulation_pdf_bytes())
    done = _korag(home, "ingest", str(home / "규정.pdf"))
    assert done.returncode == 0, done.stderr
    return home


def _korag(home: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "KORAG_HOME": str(home / "kb"), "KORAG_KB": "regs", "KORAG_EMBEDDER": "none", "COLUMNS": "200"}
    return subprocess.run([sys.executable, "-m", "ui.cli", *args], cwd=REPO, env=env, capture_output=True, text=True,
                          timeout=300)


def _settings(home: Path) -> Settings:
    return Settings(home=home / "kb", kb="regs", embedder="none", api_auth=False)


def test_cli_search_and_ask_show_the_article_and_page(home):
    found = _korag(home, "search", "월 대부한도", "-k", "1")
    assert found.returncode == 0, found.stderr
    assert f"1. {LABEL}" in found.stdout
    asked = _korag(home, "ask", QUESTION)
    assert asked.returncode == 0, asked.stderr
    assert "300만원" in asked.stdout and f"[1] {LABEL}" in asked.stdout


def test_api_search_and_ask_carry_the_same_citation(home):
    client = TestClient(create_app(_settings(home)))
    hits = client.post("/v1/kbs/regs/search", json={"query": "월 대부한도", "k": 1, "mode": "lexical"}).json()["hits"]
    assert hits[0]["citation"] == LABEL
    answer = client.post("/v1/kbs/regs/ask", json={"question": QUESTION}).json()
    assert answer["citations"][0]["citation"] == LABEL


def test_langchain_metadata_carries_the_same_citation(home):
    docs = KoragRetriever.from_settings(kb="regs", settings=_settings(home), k=1).invoke("월 대부한도")
    assert docs[0].metadata["citation"] == LABEL
