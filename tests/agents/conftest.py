"""A knowledge base of the bundled Korean samples, ingested once per module (BM25 only, for speed)."""
from __future__ import annotations

import pytest

from agents import Assistant
from agents.assistant import SAMPLE_FILES
from rag.settings import Settings


@pytest.fixture(scope="module")
def samples_home(tmp_path_factory):
    home = tmp_path_factory.mktemp("korag-home")
    assistant = Assistant(kb="samples", settings=Settings(home=home, embedder="none"))
    results = assistant.ingest([SAMPLE_FILES])
    assert not [r for r in results if r.error], [r.error for r in results if r.error]
    assistant.kb.close()
    return home


@pytest.fixture
def llm_assistant(samples_home, scripted_openai):
    """The samples KB answered by the scripted OpenAI-compatible server through the production client."""
    settings = Settings(home=samples_home, embedder="none", llm_base_url=scripted_openai.base_url,
                        llm_model="scripted-model", llm_max_retries=0, llm_timeout_s=5)
    return Assistant(kb="samples", settings=settings, create=False)


@pytest.fixture
def extractive_assistant(samples_home):
    return Assistant(kb="samples", settings=Settings(home=samples_home, embedder="none"), create=False)
