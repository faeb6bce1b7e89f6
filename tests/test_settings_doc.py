"""`.env.example` documents every setting, and settings read the KORAG_ environment."""
from __future__ import annotations

import re
from pathlib import Path

from rag.settings import Settings

REPO = Path(__file__).resolve().parents[1]


def test_env_example_lists_every_setting():
    text = (REPO / ".env.example").read_text(encoding="utf-8")
    documented = set(re.findall(r"^#?\s*KORAG_([A-Z0-9_]+)=", text, flags=re.M))
    assert documented == {name.upper() for name in Settings.model_fields}


def test_settings_come_from_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("KORAG_HOME", str(tmp_path / "h"))
    monkeypatch.setenv("KORAG_CHUNK_TOKENS", "128")
    settings = Settings()
    assert settings.home == tmp_path / "h" and settings.chunk_tokens == 128
    assert settings.kb_path("회사") == tmp_path / "h" / "회사"


def test_default_home_is_per_user(monkeypatch, tmp_path):
    monkeypatch.delenv("KORAG_HOME", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    assert Settings().home == tmp_path / "xdg" / "korag"
