"""korag's OpenAI-compatible routes as the official `openai` client sees them, over a live uvicorn.

Errors arrive as OpenAI's {"error": {"message", "type", "code", "param"}} with the right status, so the
client raises the right exception class and shows korag's reason; a streamed answer arrives in
several chunks (token deltas from the LLM, one cited sentence at a time extractively); `usage` counts
tokens (the LLM server's, or Kiwi morphemes). The LLM behind korag is the scripted server, or one
that breaks off mid-reply (tests/faults/broken_servers.py).
"""
from __future__ import annotations

import threading
import time
from contextlib import contextmanager

import openai
import pytest
import uvicorn

from rag.morphemes import shared_kiwi
from rag.settings import Settings
from tests.redis_server import free_port
from tests.scripted_openai import Reply
from ui.api import create_app
from ui.keys import key_digest

pytestmark = pytest.mark.integration
QUESTION = "연차휴가 규정을 알려줘"
EXTRACTIVE_QUESTION = "2025년 매출 목표는 얼마인가요?"  # the samples answer it with three cited sentences
KEY = "korag-test-key"


@contextmanager
def live_api(settings: Settings):
    """korag's API on a free loopback port, and an `openai.OpenAI` client pointed at it."""
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(settings), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 20
        while not server.started:
            assert time.monotonic() < deadline and thread.is_alive(), "uvicorn did not start"
            time.sleep(0.05)
        yield openai.OpenAI(base_url=f"http://127.0.0.1:{port}/v1", api_key=KEY, max_retries=0, timeout=60)
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def _settings(home, **extra) -> Settings:
    return Settings(home=home, embedder="none", api_keys=key_digest(KEY), **extra)


@pytest.fixture()
def extractive(samples_home):
    with live_api(_settings(samples_home)) as client:
        yield client


@pytest.fixture()
def with_llm(samples_home, scripted_openai):
    settings = _settings(samples_home, llm_base_url=scripted_openai.base_url, llm_model="scripted-model",
                         llm_max_retries=0)
    with live_api(settings) as client:
        yield client


def _collect(stream) -> tuple[list[str], dict | None, object | None]:
    """Content pieces, korag's extension and the usage of a streamed completion."""
    pieces, extension, usage = [], None, None
    for chunk in stream:
        if chunk.choices and chunk.choices[0].delta.content:
            pieces.append(chunk.choices[0].delta.content)
        extension = (chunk.model_extra or {}).get("korag") or extension
        usage = chunk.usage or usage
    return pieces, extension, usage


# --- errors --------------------------------------------------------------------------------------

def test_an_unknown_knowledge_base_is_openais_model_not_found(extractive):
    with pytest.raises(openai.NotFoundError) as caught:
        extractive.chat.completions.create(model="없는KB", messages=[{"role": "user", "content": "질문"}])
    err = caught.value
    assert err.status_code == 404 and err.code == "model_not_found" and err.param == "model"
    assert err.type == "invalid_request_error"
    # what the client shows: korag's reason, not a bare "Error code: 404"
    assert str(err) == "Error code: 404 - there is no knowledge base '없는KB': the model names a korag " \
                       "knowledge base (GET /v1/models lists them)"
    with pytest.raises(openai.NotFoundError, match="there is no knowledge base"):
        extractive.models.retrieve("없는KB")
    assert extractive.models.retrieve("samples").id == "samples"
    assert [m.id for m in extractive.models.list()] == ["samples"]


def test_a_wrong_or_missing_key_is_an_authentication_error(samples_home, extractive):
    wrong = extractive.with_options(api_key="not-a-key")
    with pytest.raises(openai.AuthenticationError) as caught:
        wrong.chat.completions.create(model="samples", messages=[{"role": "user", "content": QUESTION}])
    assert caught.value.code == "invalid_api_key" and "not one of KORAG_API_KEYS" in str(caught.value)
    # a client that sends no key at all (the openai package always sends one)
    import httpx

    bare = httpx.get(f"{extractive.base_url}models")
    assert bare.status_code == 401 and bare.headers["www-authenticate"] == "Bearer"
    assert bare.json() == {"error": {"message": "send the API key as `Authorization: Bearer <key>` or `X-API-Key`",
                                     "type": "invalid_request_error", "code": "api_key_missing", "param": None}}


def test_malformed_requests_are_400_naming_the_parameter(extractive):
    with pytest.raises(openai.BadRequestError) as caught:
        extractive.chat.completions.create(model="samples", messages=[{"role": "assistant", "content": "안녕하세요"}])
    assert caught.value.param == "messages" and "the last message must be the user's question" in str(caught.value)
    with pytest.raises(openai.BadRequestError) as caught:
        extractive.chat.completions.create(model="samples", messages=[{"role": "robot", "content": "질문"}])
    assert caught.value.param == "messages[0].role" and caught.value.code == "invalid_request"
    with pytest.raises(openai.BadRequestError) as caught:
        extractive.chat.completions.create(model="samples", messages=[])
    assert caught.value.param == "messages"


def test_an_openai_endpoint_korag_does_not_serve_says_so(extractive):
    with pytest.raises(openai.NotFoundError, match="korag does not serve /v1/embeddings"):
        extractive.embeddings.create(model="samples", input="질문")


def test_an_llm_that_breaks_off_mid_stream_ends_the_stream_with_an_openai_error(samples_home):
    from tests.faults.broken_servers import PIECES, BrokenLLMServer

    broken = BrokenLLMServer("cut").start()
    try:
        settings = _settings(samples_home, llm_base_url=broken.base_url, llm_model="scripted-model",
                             llm_max_retries=0, llm_timeout_s=2)
        with live_api(settings) as client:
            pieces = []
            stream = client.chat.completions.create(model="samples", stream=True,
                                                    messages=[{"role": "user", "content": QUESTION}])
            with pytest.raises(openai.APIError) as caught:
                for chunk in stream:
                    if chunk.choices and chunk.choices[0].delta.content:
                        pieces.append(chunk.choices[0].delta.content)
    finally:
        broken.stop()
    assert "".join(pieces) == "".join(PIECES)  # what was shown stays; then the reason, in OpenAI's shape
    assert "broke off its reply" in caught.value.message
    assert caught.value.code == "llm_unavailable" and caught.value.type == "server_error"


# --- answers, streams, usage ---------------------------------------------------------------------

def test_an_extractive_answer_streams_sentence_by_sentence_with_kiwi_usage(extractive):
    done = extractive.chat.completions.create(model="samples", messages=[{"role": "user", "content": EXTRACTIVE_QUESTION}])
    text = done.choices[0].message.content
    extension = done.model_extra["korag"]
    assert extension["mode"] == "extractive" and len(extension["citations"]) >= 2
    kiwi = shared_kiwi()
    assert extension["usage_counted_by"] == "kiwi"
    assert done.usage.completion_tokens == len(kiwi.tokenize(text))
    assert done.usage.prompt_tokens > len(kiwi.tokenize(EXTRACTIVE_QUESTION))  # the question and the passages read
    assert done.usage.total_tokens == done.usage.prompt_tokens + done.usage.completion_tokens

    stream = extractive.chat.completions.create(model="samples", stream=True, stream_options={"include_usage": True},
                                                messages=[{"role": "user", "content": EXTRACTIVE_QUESTION}])
    pieces, streamed_extension, usage = _collect(stream)
    assert len(pieces) == len(extension["citations"]) >= 2  # one chunk per cited sentence, not one piece
    assert "".join(pieces) == text
    assert streamed_extension["citations"] == extension["citations"]
    assert (usage.prompt_tokens, usage.completion_tokens) == (done.usage.prompt_tokens, done.usage.completion_tokens)


def test_llm_token_deltas_stream_through_with_the_servers_usage(with_llm, scripted_openai):
    reply = "연차휴가는 입사 1년 후 15일입니다 [1]. 쓰지 못한 휴가는 수당으로 정산합니다 [2]."
    scripted_openai.script(Reply(text=reply, chunk_chars=4))
    stream = with_llm.chat.completions.create(model="samples", stream=True, stream_options={"include_usage": True},
                                              messages=[{"role": "user", "content": QUESTION}])
    pieces, extension, usage = _collect(stream)
    assert pieces == [reply[i:i + 4] for i in range(0, len(reply), 4)]  # the server's deltas, as they came
    assert extension["mode"] == "llm" and extension["usage_counted_by"] == "llm"
    [request] = scripted_openai.requests
    prompt = sum(len(m["content"]) for m in request["messages"])  # what the scripted server reports
    assert (usage.prompt_tokens, usage.completion_tokens, usage.total_tokens) == (prompt, len(reply),
                                                                                   prompt + len(reply))

    scripted_openai.reset()
    scripted_openai.script(Reply(text=reply))
    done = with_llm.chat.completions.create(model="samples", messages=[{"role": "user", "content": QUESTION}])
    [request] = scripted_openai.requests
    assert done.usage.prompt_tokens == sum(len(m["content"]) for m in request["messages"])
    assert done.usage.completion_tokens == len(reply)


def test_without_include_usage_no_usage_chunk_is_sent(extractive):
    chunks = list(extractive.chat.completions.create(model="samples", stream=True,
                                                     messages=[{"role": "user", "content": QUESTION}]))
    assert all(chunk.choices for chunk in chunks)  # no trailing usage-only chunk
    assert chunks[-1].choices[0].finish_reason == "stop"
