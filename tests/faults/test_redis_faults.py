"""Redis down, or killed mid-session: the API answers 503 naming Redis and its URL (never a 500),
everything that does not need the queue keeps working, and the CLI still ingests inline.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from rag.settings import Settings
from tests.faults.figures import figure
from tests.redis_server import free_port
from ui.api import create_app
from tests.ui.uploads import searchable

REPO = Path(__file__).resolve().parents[2]
QUEUE_ROUTES = [("post", "/v1/kbs/{kb}/documents"), ("get", "/v1/jobs"), ("get", "/v1/jobs/{job}"),
                ("delete", "/v1/jobs/{job}"), ("get", "/v1/jobs/{job}/events")]


def _client(tmp_path, redis_url: str, samples) -> TestClient:
    settings = Settings(home=tmp_path / "home", embedder="none", api_auth=False, redis_url=redis_url)
    # a KB with one document ingested inline, so search has something to find without the queue
    inline = TestClient(create_app(settings.model_copy(update={"redis_url": None})))
    assert inline.post("/v1/kbs", json={"name": "회사"}).status_code == 201
    upload = [("files", ("출장비_규정.hwpx", (samples / "출장비_규정.hwpx").read_bytes()))]
    searchable(inline, inline.post("/v1/kbs/회사/documents", files=upload))
    return TestClient(create_app(settings), raise_server_exceptions=False)


def _call(client: TestClient, method: str, path: str, samples, job: str):
    kwargs = {}
    if method == "post":
        kwargs["files"] = [("files", ("회의록.md", (samples / "회의록.md").read_bytes()))]
    return getattr(client, method)(path.format(kb="회사", job=job), **kwargs)


def _queue_routes_answer_503(client: TestClient, url: str, samples, job: str, case: str) -> None:
    for method, path in QUEUE_ROUTES:
        started = time.perf_counter()
        response = _call(client, method, path, samples, job)
        elapsed = time.perf_counter() - started
        figure(f"Redis {case}: {method.upper()} {path}", f"HTTP {response.status_code}", elapsed)
        assert response.status_code == 503, (path, response.text)
        body = response.json()
        assert body["error"] == "queue_unavailable" and f"Redis at {url}" in body["detail"], body
        assert response.headers["Retry-After"] == "10"
        assert elapsed < 5


def _the_rest_still_works(client: TestClient, case: str) -> None:
    started = time.perf_counter()
    health = client.get("/health").json()
    hits = client.post("/v1/kbs/회사/search", json={"query": "숙박비 한도", "k": 3})
    answer = client.post("/v1/kbs/회사/ask", json={"question": "부장 숙박비 한도는?"})
    figure(f"Redis {case}: health, search, ask", f"{health['status']}, HTTP {hits.status_code}, "
                                                 f"HTTP {answer.status_code}", time.perf_counter() - started)
    assert health["status"] == "degraded" and health["redis"] is False
    assert hits.status_code == 200 and hits.json()["hits"][0]["document_name"] == "출장비_규정.hwpx"
    assert answer.status_code == 200 and answer.json()["citations"]


def test_api_with_redis_unreachable_answers_503_naming_redis_and_its_url(tmp_path, samples):
    url = f"redis://127.0.0.1:{free_port()}/0"  # nothing listens there
    client = _client(tmp_path, url, samples)
    _queue_routes_answer_503(client, url, samples, "ingest-0123", "unreachable")
    _the_rest_still_works(client, "unreachable")


@pytest.mark.integration
def test_redis_killed_mid_session_is_503_then_the_queue_works_again_when_it_is_back(tmp_path, samples, redis_server):
    client = _client(tmp_path, redis_server.url, samples)
    upload = [("files", ("회의록.md", (samples / "회의록.md").read_bytes()))]
    queued = client.post("/v1/kbs/회사/documents", files=upload)
    assert queued.status_code == 202, queued.text
    job = queued.json()["jobs"][0]["id"]
    with client.stream("GET", f"/v1/jobs/{job}/events") as events:
        lines = events.iter_lines()
        assert next(lines) == "event: job" and json.loads(next(lines).removeprefix("data: "))["state"] == "queued"
        started = time.perf_counter()
        redis_server.stop()  # no worker runs: the job stays queued, the stream keeps polling Redis
        rest = list(lines)
    elapsed = time.perf_counter() - started
    error = json.loads(next(line for line in rest if line.startswith("data: ")).removeprefix("data: "))
    figure("Redis killed: open GET /v1/jobs/{id}/events", f"event: error ({error['error']}), stream ends", elapsed)
    assert "event: error" in rest and error["error"] == "queue_unavailable"
    assert f"Redis at {redis_server.url}" in error["detail"]

    _queue_routes_answer_503(client, redis_server.url, samples, job, "killed")
    _the_rest_still_works(client, "killed")

    redis_server.start()  # same port; without persistence the queue starts empty
    started = time.perf_counter()
    again = client.post("/v1/kbs/회사/documents", files=upload)
    figure("Redis back: POST /v1/kbs/{kb}/documents", f"HTTP {again.status_code}", time.perf_counter() - started)
    assert again.status_code == 202 and client.get("/health").json()["status"] == "ok"


def _korag(home: Path, redis_url: str, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "KORAG_HOME": str(home), "KORAG_KB": "cli", "KORAG_EMBEDDER": "none",
           "KORAG_REDIS_URL": redis_url}
    return subprocess.run([sys.executable, "-m", "ui.cli", *args], cwd=REPO, env=env, capture_output=True,
                          text=True, timeout=300)


@pytest.mark.slow  # three `korag` processes, each loading Kiwi
def test_cli_ingests_inline_when_redis_is_unreachable_and_queue_commands_say_why(tmp_path, samples):
    url = f"redis://127.0.0.1:{free_port()}/0"
    started = time.perf_counter()
    done = _korag(tmp_path / "home", url, "ingest", str(samples / "출장비_규정.hwpx"))
    figure("Redis unreachable: korag ingest FILE", f"exit {done.returncode}, inline", time.perf_counter() - started)
    assert done.returncode == 0, done.stderr
    assert "added" in done.stdout and "검색 가능" in done.stdout
    found = _korag(tmp_path / "home", url, "search", "숙박비 한도", "--mode", "lexical")
    assert found.returncode == 0 and "출장비_규정.hwpx" in found.stdout

    for args in (("ingest", "--queue", str(samples / "회의록.md")), ("jobs", "list")):
        started = time.perf_counter()
        refused = _korag(tmp_path / "home", url, *args)
        figure(f"Redis unreachable: korag {' '.join(args[:2])}", f"exit {refused.returncode}, one line",
               time.perf_counter() - started)
        assert refused.returncode == 1 and "Traceback" not in refused.stderr
        assert refused.stderr.strip().splitlines() == [f"error: Redis at {url} does not answer"]
