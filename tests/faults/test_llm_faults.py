"""The LLM server slow, hung, or breaking off mid-reply: every path answers (extractively, saying why)
or says clearly that the reply broke off, within a bounded time, and never hangs.

Already covered elsewhere: a 503 falls back to extractive (tests/agents/test_answer_llm.py), over
the API too (tests/ui/test_api_answers.py), and `LLM.generate` reports a timeout (tests/agents/test_llm.py).
"""
from __future__ import annotations

import json
import time

import pytest
from fastapi.testclient import TestClient

from agents import Assistant
from agents.errors import LLMUnavailable
from agents.types import Answer
from rag.settings import Settings
from tests.faults.broken_servers import PIECES
from tests.faults.figures import figure
from tests.scripted_openai import Reply
from ui.api import create_app

QUESTION = "부장이 출장을 가면 숙박비는 1박에 얼마까지 받을 수 있나요?"
TIMEOUT_S = 1.0
# Retrieval and Kiwi take well under a second; openai's backoff between tries is 0.5-1 s (jittered).
MARGIN_S = 2.5
FALLBACK = "LLM을 사용할 수 없어"


def _settings(home, base_url: str, retries: int = 0) -> Settings:
    return Settings(home=home, embedder="none", llm_base_url=base_url, llm_model="scripted-model",
                    llm_timeout_s=TIMEOUT_S, llm_max_retries=retries, api_auth=False)


def _assistant(home, base_url: str, retries: int = 0) -> Assistant:
    return Assistant(kb="samples", settings=_settings(home, base_url, retries), create=False)


def _extractive_with_notice(answer, cause: str) -> None:
    assert answer.mode == "extractive"
    assert any(FALLBACK in notice and cause in notice for notice in answer.notices), answer.notices


def _events(body: str) -> list[tuple[str, dict]]:
    """Server-sent events as (event, data) pairs."""
    found = []
    for block in body.strip().split("\n\n"):
        fields = dict(line.split(": ", 1) for line in block.splitlines() if ": " in line)
        found.append((fields.get("event", "message"), json.loads(fields["data"])))
    return found


@pytest.mark.parametrize("retries", [0, 1])
def test_slow_llm_answer_is_extractive_with_a_notice_within_the_timeouts(samples_home, scripted_openai, retries):
    scripted_openai.default = Reply(text="늦은 답 [1]", delay_s=TIMEOUT_S * 5)
    assistant = _assistant(samples_home, scripted_openai.base_url, retries)
    started = time.perf_counter()
    answer = assistant.ask(QUESTION)
    elapsed = time.perf_counter() - started
    figure(f"LLM slow ({TIMEOUT_S:.0f} s timeout, {retries} retries): ask", answer.mode, elapsed)
    _extractive_with_notice(answer, "timed out")
    assert not any("설정되지 않아" in notice for notice in answer.notices)  # it is configured, just not answering
    assert answer.citations[0].document == "출장비_규정.hwpx"
    assert len(scripted_openai.requests) == retries + 1  # every try was made, none more
    assert elapsed < TIMEOUT_S * (retries + 1) + MARGIN_S


def test_slow_llm_summary_and_extraction_fall_back_to_extractive_and_rules(samples_home, scripted_openai):
    scripted_openai.default = Reply(text="늦은 요약", delay_s=TIMEOUT_S * 5)
    assistant = _assistant(samples_home, scripted_openai.base_url)
    started = time.perf_counter()
    summary = assistant.summarize("출장비_규정.hwpx", length="short")
    elapsed = time.perf_counter() - started
    figure("LLM slow: summarize", summary.mode, elapsed)
    _extractive_with_notice(summary, "timed out")
    assert summary.citations and "숙박" in summary.text
    assert elapsed < TIMEOUT_S + MARGIN_S

    started = time.perf_counter()
    extraction = assistant.extract("출장비_규정.hwpx", {"type": "object", "properties": {
        "시행일": {"type": "string", "description": "규정 시행일"}}})
    elapsed = time.perf_counter() - started
    figure("LLM slow: extract", extraction.mode, elapsed)
    _extractive_with_notice(extraction, "timed out")
    assert elapsed < TIMEOUT_S + MARGIN_S


def test_hung_llm_server_costs_a_few_timeouts_then_answers_extractively(samples_home, broken_llm):
    server = broken_llm("hang")  # accepts connections, never answers: every request waits out its timeout
    assistant = _assistant(samples_home, server.base_url)
    started = time.perf_counter()
    answer = assistant.ask(QUESTION)
    elapsed = time.perf_counter() - started
    figure("LLM hung (accepts, never answers): first ask", answer.mode, elapsed)
    _extractive_with_notice(answer, "timed out")
    # the first question also asks /v1/models (context length) and /tokenize, each up to the timeout
    assert elapsed < TIMEOUT_S * 3 + MARGIN_S
    started = time.perf_counter()
    again = assistant.ask("출장비 정산은 언제까지 하나요?")
    elapsed = time.perf_counter() - started
    figure("LLM hung: next ask (server probes remembered)", again.mode, elapsed)
    _extractive_with_notice(again, "timed out")
    assert elapsed < TIMEOUT_S + MARGIN_S


def test_slow_llm_stream_falls_back_before_the_first_piece(samples_home, scripted_openai):
    scripted_openai.default = Reply(text="늦은 답 [1]", delay_s=TIMEOUT_S * 5)
    started = time.perf_counter()
    *pieces, final = list(_assistant(samples_home, scripted_openai.base_url).stream(QUESTION))
    elapsed = time.perf_counter() - started
    figure("LLM slow: stream", final.mode, elapsed)
    assert isinstance(final, Answer) and "".join(pieces) == final.text
    _extractive_with_notice(final, "timed out")
    assert elapsed < TIMEOUT_S + MARGIN_S


@pytest.mark.parametrize("mode, cause", [("drop", "not reachable"), ("cut", "closed the stream"),
                                         ("stall", "timed out")])
def test_llm_breaking_off_mid_stream_is_said_after_the_pieces_already_shown(samples_home, broken_llm, mode, cause):
    server = broken_llm(mode)
    assistant = _assistant(samples_home, server.base_url)
    pieces: list[str] = []
    started = time.perf_counter()
    with pytest.raises(LLMUnavailable, match=f"broke off its reply after {len(PIECES)} pieces: .*{cause}"):
        for item in assistant.stream(QUESTION):
            pieces.append(item)
    elapsed = time.perf_counter() - started
    figure(f"LLM {mode} mid-stream: Assistant.stream", f"{len(pieces)} pieces, then LLMUnavailable", elapsed)
    assert "".join(pieces) == "".join(PIECES)  # what was shown stays shown; no silent switch to another answer
    assert elapsed < TIMEOUT_S + MARGIN_S


def test_llm_reply_cut_short_without_streaming_falls_back_to_extractive(samples_home, broken_llm):
    server = broken_llm("drop")
    started = time.perf_counter()
    answer = _assistant(samples_home, server.base_url).ask(QUESTION)
    elapsed = time.perf_counter() - started
    figure("LLM drop mid-reply (JSON cut short): ask", answer.mode, elapsed)
    _extractive_with_notice(answer, server.base_url)
    assert server.completions == 1 and elapsed < TIMEOUT_S + MARGIN_S


def test_http_ask_with_a_slow_llm_answers_extractively_in_json_and_in_sse(samples_home, scripted_openai):
    scripted_openai.default = Reply(text="늦은 답 [1]", delay_s=TIMEOUT_S * 5)
    client = TestClient(create_app(_settings(samples_home, scripted_openai.base_url)))
    started = time.perf_counter()
    response = client.post("/v1/kbs/samples/ask", json={"question": QUESTION})
    elapsed = time.perf_counter() - started
    figure("LLM slow: POST /v1/kbs/{kb}/ask", f"HTTP {response.status_code} {response.json().get('mode')}", elapsed)
    assert response.status_code == 200
    _extractive_with_notice(Answer.model_validate(response.json()), "timed out")
    assert elapsed < TIMEOUT_S + MARGIN_S

    started = time.perf_counter()
    streamed = client.post("/v1/kbs/samples/ask", json={"question": QUESTION, "stream": True})
    elapsed = time.perf_counter() - started
    events = _events(streamed.text)
    figure("LLM slow: POST /v1/kbs/{kb}/ask stream=true", f"SSE, last event: {events[-1][0]}", elapsed)
    assert events[-1][0] == "answer"
    _extractive_with_notice(Answer.model_validate(events[-1][1]), "timed out")
    assert "".join(d["text"] for e, d in events if e == "delta") == events[-1][1]["text"]
    assert elapsed < TIMEOUT_S + MARGIN_S


def test_http_streams_say_in_band_when_the_llm_breaks_off(samples_home, broken_llm):
    server = broken_llm("drop")
    client = TestClient(create_app(_settings(samples_home, server.base_url)))
    started = time.perf_counter()
    events = _events(client.post("/v1/kbs/samples/ask", json={"question": QUESTION, "stream": True}).text)
    elapsed = time.perf_counter() - started
    figure("LLM drop mid-stream: /v1/kbs/{kb}/ask stream=true", f"SSE {events[-1][0]}: {events[-1][1]['error']}",
           elapsed)
    assert events[-1][0] == "error" and events[-1][1]["error"] == "LLMUnavailable"
    assert server.base_url in events[-1][1]["detail"]
    assert "".join(d["text"] for e, d in events if e == "delta") == "".join(PIECES)

    started = time.perf_counter()
    chat = client.post("/v1/chat/completions", json={"model": "samples", "stream": True,
                                                     "messages": [{"role": "user", "content": QUESTION}]})
    elapsed = time.perf_counter() - started
    lines = [line.removeprefix("data: ") for line in chat.text.split("\n\n") if line.startswith("data: ")]
    error = json.loads(lines[-2])
    figure("LLM drop mid-stream: /v1/chat/completions stream", "error chunk, then [DONE]", elapsed)
    assert lines[-1] == "[DONE]" and error["error"]["code"] == "llm_unavailable"  # OpenAI's shape
    assert error["error"]["type"] == "server_error" and "broke off its reply" in error["error"]["message"]
    assert elapsed < TIMEOUT_S + MARGIN_S
