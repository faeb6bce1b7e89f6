"""Fixtures for the fault tests: the samples KB (BM25 only) and servers that break on purpose."""
from __future__ import annotations

import pytest

from agents import Assistant
from agents.assistant import SAMPLE_FILES
from rag.settings import Settings


@pytest.fixture(scope="module")
def samples_home(tmp_path_factory):
    """A KORAG_HOME with the bundled samples in KB "samples" (no embedder: the faults here are elsewhere)."""
    home = tmp_path_factory.mktemp("korag-home")
    assistant = Assistant(kb="samples", settings=Settings(home=home, embedder="none"))
    results = assistant.ingest([SAMPLE_FILES])
    assert not [r for r in results if r.error], [r.error for r in results if r.error]
    assistant.kb.close()
    return home


@pytest.fixture
def broken_llm():
    """Start a `BrokenLLMServer` in a given mode; stopped after the test."""
    from tests.faults.broken_servers import BrokenLLMServer

    started = []

    def start(mode: str) -> BrokenLLMServer:
        server = BrokenLLMServer(mode).start()
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()
