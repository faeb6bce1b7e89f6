"""Fixtures for the fault tests: servers that break on purpose (the samples KB is tests/conftest.py: samples_home)."""
from __future__ import annotations

import pytest


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
