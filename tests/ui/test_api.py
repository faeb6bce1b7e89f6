"""The HTTP API as a client meets it: FastAPI's TestClient in-process, and httpx against a live uvicorn."""
from __future__ import annotations

import json
import threading
import time

import httpx
import pytest
from fastapi.testclient import TestClient

from rag.settings import Settings
from tests.redis_server import free_port, run_burst_worker
from tests.ui.uploads import searchable
from ui.api import ApiKeysMissing, create_app, new_key

ELF = b"\x7fELF\x02\x01\x01" + b"\0" * 64


def _files(samples, *names):
    return [("files", (name, (samples / name).read_bytes())) for name in names]


@pytest.fixture()
def settings(tmp_path) -> Settings:
    return Settings(home=tmp_path / "home", embedder="none", api_auth=False, max_file_mb=1)


@pytest.fixture()
def client(settings) -> TestClient:
    client = TestClient(create_app(settings))
    assert client.post("/v1/kbs", json={"name": "회사"}).status_code == 201
    return client


def test_openapi_spec_has_every_route_with_separate_in_and_out_models(client):
    spec = client.get("/openapi.json").json()
    assert {"/health", "/v1/kbs", "/v1/kbs/{kb}", "/v1/kbs/{kb}/documents", "/v1/kbs/{kb}/documents/{doc}",
            "/v1/kbs/{kb}/documents/{doc}/tags", "/v1/jobs", "/v1/jobs/{job_id}", "/v1/jobs/{job_id}/events",
            "/v1/kbs/{kb}/search"} <= set(spec["paths"])
    schemas = spec["components"]["schemas"]
    assert {"KbIn", "KbOut", "SearchIn", "SearchOut", "JobOut", "UploadOut", "ErrorOut", "TagsIn"} <= set(schemas)
    upload = spec["paths"]["/v1/kbs/{kb}/documents"]["post"]
    assert "multipart/form-data" in upload["requestBody"]["content"]
    assert {"413", "415", "422"} <= set(upload["responses"])


def test_inline_upload_answers_at_once_and_is_searchable_with_filters(client, samples):
    started = time.perf_counter()
    response = client.post("/v1/kbs/회사/documents", data={"tags": ["규정"]},
                           files=_files(samples, "출장비_규정.hwpx", "취업규칙.docx"))
    assert time.perf_counter() - started < 2.0  # the jobs run after the answer
    assert response.status_code == 202, response.text
    body = response.json()
    assert body["queue"] == "inline" and all(j["id"] for j in body["jobs"])
    jobs = searchable(client, response)
    assert [(j["name"], j["state"], j["status"]) for j in jobs] == [
        ("출장비_규정.hwpx", "done", "added"), ("취업규칙.docx", "done", "added")]  # KORAG_EMBEDDER=none
    searchable(client, client.post("/v1/kbs/회사/documents", files=_files(samples, "회의록.md")))

    hits = client.post("/v1/kbs/회사/search", json={"query": "숙박비 한도", "k": 3}).json()["hits"]
    assert hits[0]["document_name"] == "출장비_규정.hwpx" and "숙박" in hits[0]["text"]
    assert hits[0]["page"] == 1 and hits[0]["end"] > hits[0]["start"]

    tagged = client.post("/v1/kbs/회사/search", json={"query": "회의", "k": 10, "filters": {"tags": ["규정"]}})
    assert {h["document_name"] for h in tagged.json()["hits"]} <= {"출장비_규정.hwpx", "취업규칙.docx"}
    only = client.post("/v1/kbs/회사/search", json={"query": "회의", "filters": {"documents": ["회의록.md"]}})
    assert {h["document_name"] for h in only.json()["hits"]} == {"회의록.md"}
    future = client.post("/v1/kbs/회사/search", json={"query": "회의", "filters": {"since": "2999-01-01"}})
    assert future.json()["hits"] == []
    unknown = client.post("/v1/kbs/회사/search", json={"query": "회의", "filters": {"documents": ["없는문서.hwp"]}})
    assert unknown.status_code == 422 and "없는문서.hwp" in unknown.json()["detail"]


def test_documents_list_show_tag_delete(client, samples):
    searchable(client, client.post("/v1/kbs/회사/documents", files=_files(samples, "보안_지침.hwp")))
    [doc] = client.get("/v1/kbs/회사/documents").json()
    assert doc["name"] == "보안_지침.hwp" and doc["format"] == "hwp" and doc["chunks"] > 0
    shown = client.get(f"/v1/kbs/회사/documents/{doc['id']}").json()
    assert any("비밀번호" in b["text"] for b in shown["blocks"])
    assert client.put("/v1/kbs/회사/documents/보안_지침.hwp/tags", json={"tags": ["보안", " "]}).json()["tags"] == ["보안"]
    assert client.delete(f"/v1/kbs/회사/documents/{doc['id']}").json()["id"] == doc["id"]
    gone = client.get(f"/v1/kbs/회사/documents/{doc['id']}")
    assert gone.status_code == 404 and gone.json()["error"] == "document_not_found"


def test_knowledge_bases_create_info_delete(client, samples):
    assert client.post("/v1/kbs", json={"name": "회사"}).status_code == 409
    bad = client.post("/v1/kbs", json={"name": "../밖"})
    assert bad.status_code == 422 and bad.json()["error"] == "invalid_name"
    searchable(client, client.post("/v1/kbs/회사/documents", files=_files(samples, "회의록.md")))
    info = client.get("/v1/kbs/회사").json()
    assert info["documents"] == 1 and info["chunks"] > 0 and info["pending_embeddings"] == info["chunks"]
    assert [k["name"] for k in client.get("/v1/kbs").json()] == ["회사"]
    assert client.delete("/v1/kbs/회사").status_code == 204
    missing = client.get("/v1/kbs/회사/documents")
    assert missing.status_code == 404 and missing.json() == {
        "error": "knowledge_base_not_found", "detail": "no such knowledge base; create it with POST /v1/kbs", "files": []}


def test_bad_uploads_are_refused_with_each_file_named_and_nothing_queued(client, samples):
    wrong = client.post("/v1/kbs/회사/documents", files=[("files", ("프로그램.exe", ELF))] + _files(samples, "회의록.md"))
    assert wrong.status_code == 415
    assert wrong.json()["error"] == "unsupported_format"
    assert [f["name"] for f in wrong.json()["files"]] == ["프로그램.exe"]
    empty = client.post("/v1/kbs/회사/documents", files=[("files", ("빈.txt", b""))])
    assert empty.status_code == 422 and empty.json()["files"][0] == {"name": "빈.txt", "error": "the file is empty (0 bytes)"}
    large = client.post("/v1/kbs/회사/documents", files=[("files", ("큰.txt", "가".encode() * 400_000))])
    assert large.status_code == 413 and "KORAG_MAX_FILE_MB" in large.json()["files"][0]["error"]
    assert client.get("/v1/jobs").json() == [] and client.get("/v1/kbs/회사/documents").json() == []
    no_files = client.post("/v1/kbs/회사/documents", data={"tags": ["x"]})
    assert no_files.status_code == 422 and "files" in no_files.json()["detail"]
    nowhere = client.post("/v1/kbs/없음/documents", files=_files(samples, "회의록.md"))
    assert nowhere.status_code == 404


def test_bad_requests_are_422_with_the_field_named(client):
    response = client.post("/v1/kbs/회사/search", json={"query": "", "k": 1000, "mode": "fuzzy"})
    assert response.status_code == 422
    detail = response.json()["detail"]
    assert "body.query" in detail and "body.k" in detail and "body.mode" in detail
    assert client.get("/v1/jobs/ingest-nope").status_code == 404
    assert client.get("/v1/jobs", params={"state": "lost"}).status_code == 422


def test_request_size_limit_is_413_before_the_body_is_read(settings, samples):
    client = TestClient(create_app(settings.model_copy(update={"api_max_request_mb": 1})))
    client.post("/v1/kbs", json={"name": "회사"})
    response = client.post("/v1/kbs/회사/documents", files=[("files", ("a.txt", b"a" * (2 * 2**20)))])
    assert response.status_code == 413 and response.json()["error"] == "request_too_large"


def test_api_keys_are_required_and_checked_against_their_digests(settings):
    with pytest.raises(ApiKeysMissing):
        create_app(settings.model_copy(update={"api_auth": True}))
    key, digest = new_key()
    client = TestClient(create_app(settings.model_copy(update={"api_auth": True, "api_keys": f"{'0' * 64},{digest}"})))
    assert client.get("/health").status_code == 200  # load balancers and compose need no key
    missing = client.get("/v1/kbs")
    assert missing.status_code == 401 and missing.json()["error"] == "api_key_missing"
    assert client.get("/v1/kbs", headers={"X-API-Key": key + "x"}).status_code == 401
    assert client.get("/v1/kbs", headers={"X-API-Key": key}).status_code == 200
    assert client.get("/v1/kbs", headers={"Authorization": f"Bearer {key}"}).status_code == 200


@pytest.mark.integration
def test_queued_upload_runs_on_a_worker_then_is_searchable(settings, redis_server, samples):
    settings = settings.model_copy(update={"redis_url": redis_server.url, "job_retry_backoff_s": 0})
    client = TestClient(create_app(settings))
    client.post("/v1/kbs", json={"name": "회사"})
    assert client.get("/health").json() == {"status": "ok", "queue": "redis", "redis": True, "knowledge_bases": 1}
    response = client.post("/v1/kbs/회사/documents", files=_files(samples, "2025_사업계획.pdf", "부서별_예산.xlsx"))
    assert response.status_code == 202
    jobs = response.json()["jobs"]
    assert [j["state"] for j in jobs] == ["queued", "queued"]
    assert client.post("/v1/kbs/회사/search", json={"query": "예산"}).json()["hits"] == []

    run_burst_worker(settings)

    done = [client.get(f"/v1/jobs/{j['id']}").json() for j in jobs]
    assert [(j["state"], j["status"], j["attempts"]) for j in done] == [("done", "added", 1)] * 2
    hits = client.post("/v1/kbs/회사/search", json={"query": "부서별 예산", "k": 1}).json()["hits"]
    assert hits[0]["document_name"] == "부서별_예산.xlsx"
    assert [j["name"] for j in client.get("/v1/jobs", params={"kb": "회사", "state": "done"}).json()] \
        == ["부서별_예산.xlsx", "2025_사업계획.pdf"]
    again = client.post(f"/v1/jobs/{jobs[0]['id']}/retry")
    assert again.status_code == 409 and again.json()["error"] == "job_not_retryable"  # it is done, not failed


@pytest.mark.integration
def test_live_server_upload_follow_events_and_search_over_http(settings, redis_server, samples):
    import uvicorn

    settings = settings.model_copy(update={"redis_url": redis_server.url, "job_retry_backoff_s": 0})
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(settings), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 20
        while not server.started and time.monotonic() < deadline:
            time.sleep(0.05)
        with httpx.Client(base_url=base, timeout=30) as http:
            assert http.post("/v1/kbs", json={"name": "라이브"}).status_code == 201
            queued = http.post("/v1/kbs/라이브/documents", files=_files(samples, "복지_안내.html")).json()["jobs"][0]
            events, listening = [], threading.Event()

            def follow() -> None:
                with httpx.Client(base_url=base, timeout=60) as sse:
                    with sse.stream("GET", f"/v1/jobs/{queued['id']}/events") as stream:
                        assert stream.headers["content-type"].startswith("text/event-stream")
                        for line in stream.iter_lines():
                            if line.startswith("data:"):
                                events.append(json.loads(line[5:]))
                                listening.set()

            follower = threading.Thread(target=follow)
            follower.start()
            assert listening.wait(20)
            run_burst_worker(settings)  # the worker runs here while uvicorn streams from its thread
            follower.join(30)
            assert events[0]["state"] == "queued"
            assert events[-1]["state"] == "done" and events[-1]["status"] == "added"  # the stream ends with the job
            hits = http.post("/v1/kbs/라이브/search", json={"query": "복지 포인트", "k": 1}).json()["hits"]
            assert hits and hits[0]["document_name"] == "복지_안내.html"
    finally:
        server.should_exit = True
        thread.join(10)


def test_a_10_mb_upload_is_answered_before_it_is_parsed(settings):
    client = TestClient(create_app(settings.model_copy(update={"max_file_mb": 11})))
    client.post("/v1/kbs", json={"name": "회사"})
    # 10 MiB that parse quickly (one sentence, then blank lines): the answer's time is the upload's, not Kiwi's
    data = "출장 숙박비는 1박 10만원이다. 영수증을 첨부한다.\n".encode().ljust(10 * 2**20, b"\n")
    started = time.perf_counter()
    response = client.post("/v1/kbs/회사/documents", files=[("files", ("큰.txt", data))])
    elapsed = time.perf_counter() - started
    assert response.status_code == 202 and response.json()["jobs"][0]["id"]
    assert client.get("/v1/kbs/회사/documents").json() == []  # answered before the 10 MB were parsed and stored
    print(f"10 MiB upload answered in {elapsed:.2f} s")  # ~2 s at load average 22 on 2 cores, see docs/benchmarks.md
    assert searchable(client, response)[0]["status"] == "added"
