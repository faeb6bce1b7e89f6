"""The API's answering routes and its OpenAI-compatible chat, in-process (TestClient) and with the
official `openai` client against a live uvicorn; the LLM behind them is the scripted server."""
from __future__ import annotations

import json
import threading
import time

import pytest
from fastapi.testclient import TestClient

from rag.settings import Settings
from tests.redis_server import free_port
from tests.scripted_openai import Reply
from ui.api import create_app
from tests.ui.uploads import searchable

QUESTION = "부장이 출장을 가면 숙박비는 1박에 얼마까지 받을 수 있나요?"


@pytest.fixture()
def settings(tmp_path) -> Settings:
    return Settings(home=tmp_path / "home", embedder="none", api_auth=False)


def _client(settings: Settings, samples) -> TestClient:
    client = TestClient(create_app(settings))
    assert client.post("/v1/kbs", json={"name": "회사"}).status_code == 201
    files = [("files", (n, (samples / n).read_bytes())) for n in ("출장비_규정.hwpx", "취업규칙.docx")]
    searchable(client, client.post("/v1/kbs/회사/documents", files=files))
    return client


@pytest.fixture()
def client(settings, samples) -> TestClient:
    return _client(settings, samples)


def test_ask_extractive_json(client):
    body = client.post("/v1/kbs/회사/ask", json={"question": QUESTION}).json()
    assert body["mode"] == "extractive" and body["grounded"]
    assert "120,000원" in body["text"] and body["citations"][0]["document"] == "출장비_규정.hwpx"
    assert body["citations"][0]["end"] > body["citations"][0]["start"]


def test_ask_streams_server_sent_events(client):
    with client.stream("POST", "/v1/kbs/회사/ask", json={"question": QUESTION, "stream": True}) as response:
        assert response.headers["content-type"].startswith("text/event-stream")
        events = [block for block in response.read().decode().split("\n\n") if block]
    assert events[0].startswith("event: delta") and events[-1].startswith("event: answer")
    final = json.loads(events[-1].split("data: ", 1)[1])
    assert "120,000원" in final["text"]


def test_conversation_is_kept_by_id(client):
    client.post("/v1/kbs/회사/ask", json={"question": "출장비 정산 기한은?", "conversation": "u1"})
    follow = client.post("/v1/kbs/회사/ask", json={"question": "그럼 자가용은?", "conversation": "u1"}).json()
    assert follow["standalone_question"] == "출장비 정산 기한은? 그럼 자가용은?" and "250원" in follow["text"]


def test_summarize_and_extract_routes(client):
    summary = client.post("/v1/kbs/회사/summarize", json={"document": "출장비_규정.hwpx", "length": "short"}).json()
    assert summary["method"] == "extractive" and summary["citations"]
    schema = {"type": "object", "properties": {"부장_숙박비": {"type": "integer", "description": "부장 숙박비(원)"}}}
    extraction = client.post("/v1/kbs/회사/extract", json={"document": "출장비_규정.hwpx", "schema": schema})
    assert extraction.status_code == 200, extraction.text
    assert "부장_숙박비" in extraction.json()["data"]
    bad = client.post("/v1/kbs/회사/extract", json={"document": "출장비_규정.hwpx",
                                                    "schema": {"type": "object", "properties": {"a": {"type": "x"}}}})
    assert bad.status_code == 422 and bad.json()["error"] == "invalid_schema"
    missing = client.post("/v1/kbs/회사/summarize", json={"document": "없는.hwp"})
    assert missing.status_code == 404


def test_openai_compatible_chat_non_streamed(client):
    models = client.get("/v1/models").json()
    assert [m["id"] for m in models["data"]] == ["회사"]
    body = client.post("/v1/chat/completions", json={"model": "회사", "messages": [
        {"role": "system", "content": "무시되는 시스템 메시지"}, {"role": "user", "content": QUESTION}]}).json()
    assert body["object"] == "chat.completion" and "120,000원" in body["choices"][0]["message"]["content"]
    assert body["korag"]["mode"] == "extractive" and body["korag"]["citations"][0]["document"] == "출장비_규정.hwpx"
    unknown = client.post("/v1/chat/completions", json={"model": "없는KB", "messages": [{"role": "user", "content": "q"}]})
    assert unknown.status_code == 404


def test_llm_unavailable_falls_back_but_agent_needs_it(settings, samples, scripted_openai):
    settings = settings.model_copy(update={"llm_base_url": scripted_openai.base_url, "llm_model": "scripted-model",
                                           "llm_max_retries": 0})
    client = _client(settings, samples)
    scripted_openai.script(Reply(status=500, text="boom"))
    body = client.post("/v1/kbs/회사/ask", json={"question": QUESTION}).json()
    assert body["mode"] == "extractive" and "LLM을 사용할 수 없어" in body["notices"][0]
    scripted_openai.script(Reply(status=500, text="boom"))
    agent = client.post("/v1/kbs/회사/ask", json={"question": "찾아서 정리해줘", "agent": True})
    assert agent.status_code == 503 and agent.json()["error"] == "llm_unavailable"


@pytest.mark.integration
def test_official_openai_client_streams_from_a_live_server(settings, samples, scripted_openai):
    """korag behind uvicorn, the `openai` package as the client, the scripted server as korag's LLM."""
    import openai
    import uvicorn

    settings = settings.model_copy(update={"llm_base_url": scripted_openai.base_url, "llm_model": "scripted-model"})
    _client(settings, samples)  # creates and fills the KB
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(settings), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        for _ in range(100):
            if server.started:
                break
            time.sleep(0.1)
        scripted_openai.script(Reply(text="부장은 1박 120,000원까지입니다 [1].", chunk_chars=4))
        client = openai.OpenAI(base_url=f"http://127.0.0.1:{port}/v1", api_key="unused")
        pieces, extension = [], None
        for chunk in client.chat.completions.create(model="회사", stream=True,
                                                    messages=[{"role": "user", "content": QUESTION}]):
            if chunk.choices and chunk.choices[0].delta.content:
                pieces.append(chunk.choices[0].delta.content)
            extension = (chunk.model_extra or {}).get("korag") or extension
        assert "".join(pieces) == "부장은 1박 120,000원까지입니다 [1]."
        assert extension["mode"] == "llm" and "120,000원" in extension["citations"][0]["quote"]
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def test_committed_openapi_spec_is_current(tmp_path):
    """docs/openapi.json is what the API serves; regenerate with `korag api --openapi > docs/openapi.json`."""
    from pathlib import Path

    committed = json.loads((Path(__file__).resolve().parents[2] / "docs" / "openapi.json").read_text(encoding="utf-8"))
    served = create_app(Settings(home=tmp_path, api_auth=False, redis_url=None)).openapi()
    assert json.loads(json.dumps(served, ensure_ascii=False)) == committed


@pytest.mark.integration
def test_ocr_route_reads_korean_from_an_image(client):
    import io

    from tests.ocr_images import render  # Korean drawn with NanumGothic at test time

    image, _ = render(["출장비 정산은 7일 이내에 한다"])
    png = io.BytesIO()
    image.save(png, format="PNG")
    response = client.post("/v1/ocr", files={"file": ("영수증.png", png.getvalue(), "image/png")})
    assert response.status_code == 200, response.text
    [page] = response.json()["pages"]
    text = "".join(w["text"] for w in page["words"])
    assert "출장비" in text and "정산" in text
    bad = client.post("/v1/ocr", files={"file": ("깨진.png", b"\x89PNG\r\n\x1a\nbroken", "image/png")})
    assert bad.status_code in (415, 422) and "깨진.png" in bad.json()["detail"]
