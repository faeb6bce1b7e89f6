"""The samples KB (tests/conftest.py: samples_home) answered by the scripted LLM server, or extractively."""
from __future__ import annotations

import pytest

from agents import Assistant
from rag.settings import Settings


@pytest.fixture
def llm_assistant(samples_home, scripted_openai):
    """The samples KB answered by the scripted OpenAI-compatible server through the production client."""
    settings = Settings(home=samples_home, embedder="none", llm_base_url=scripted_openai.base_url,
                        llm_model="scripted-model", llm_max_retries=0, llm_timeout_s=5)
    return Assistant(kb="samples", settings=settings, create=False)


@pytest.fixture
def extractive_assistant(samples_home):
    return Assistant(kb="samples", settings=Settings(home=samples_home, embedder="none"), create=False)
