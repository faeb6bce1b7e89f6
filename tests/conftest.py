"""Fixtures for real resources: one Kiwi per session, the shared data folder, temporary KBs."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SAMPLES = REPO / "ingest" / "samples" / "files"


def _shared_data() -> Path | None:
    env = os.environ.get("KORAG_TEST_DATA")
    candidates = [Path(env)] if env else []
    candidates += [REPO.parent / "shared" / "data", REPO.parent.parent / "shared" / "data"]
    for path in candidates:
        if (path / "docs" / "manifest.jsonl").exists():
            return path
    return None


@pytest.fixture(scope="session")
def shared_data() -> Path:
    path = _shared_data()
    if path is None:
        pytest.skip("../shared/data not found (set KORAG_TEST_DATA to run tests on the shared Korean corpus)")
    return path


@pytest.fixture(scope="session")
def samples() -> Path:
    return SAMPLES


@pytest.fixture(scope="session")
def kiwi():
    from rag.morphemes import shared_kiwi

    return shared_kiwi()


@pytest.fixture(scope="session")
def _scripted_openai_session():
    from tests.scripted_openai import ScriptedOpenAIServer

    server = ScriptedOpenAIServer().start()
    yield server
    server.stop()


@pytest.fixture
def scripted_openai(_scripted_openai_session):
    """The scripted OpenAI-compatible server (see tests/scripted_openai.py), emptied for each test."""
    _scripted_openai_session.reset()
    yield _scripted_openai_session
    _scripted_openai_session.reset()


@pytest.fixture
def redis_server(tmp_path_factory):
    """A fresh `redis-server` on a free loopback port (tests/redis_server.py), stopped after the test."""
    from tests.redis_server import RedisServer, redis_available

    if not redis_available():
        pytest.skip("redis-server is not installed (.ci/setup installs it)")
    server = RedisServer(tmp_path_factory.mktemp("redis")).start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def samples_home(tmp_path_factory):
    """A KORAG_HOME with the bundled Korean samples in KB "samples", ingested once per module (BM25 only)."""
    from agents import Assistant
    from agents.assistant import SAMPLE_FILES
    from rag.settings import Settings

    home = tmp_path_factory.mktemp("korag-home")
    assistant = Assistant(kb="samples", settings=Settings(home=home, embedder="none"))
    results = assistant.ingest([SAMPLE_FILES])
    assert not [r for r in results if r.error], [r.error for r in results if r.error]
    assistant.kb.close()
    return home
