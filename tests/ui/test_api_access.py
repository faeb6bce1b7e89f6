"""Access control through the HTTP API, the CLI and the portal: each user's key sees their departments'
documents only, on every route that reads text (search, ask JSON/SSE, conversations, summarize, extract,
document views, the OpenAI-compatible chat), and only admins manage access or read the audit log."""
from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from fastapi.testclient import TestClient

from agents import Assistant
from rag.settings import Settings
from tests.departments import ATTACKS, build
from ui.api import create_app
from ui.keys import new_key
from tests.ui.uploads import searchable


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    home = tmp_path_factory.mktemp("api-acl")
    operator = Assistant("회사", Settings(home=home, embedder="none"))
    departments = build(operator, tmp_path_factory.mktemp("docs"))
    keys, entries = {}, []
    for user in ("김인사", "이재무", "박사원", "감사팀장", None):
        key, entry = new_key(user)
        keys[user or "service"] = key
        entries.append(entry)
    settings = Settings(home=home, embedder="none", api_keys=",".join(entries), api_admins="감사팀장")
    return settings, departments, keys


@pytest.fixture(scope="module")
def client(world):
    settings, _, _ = world
    return TestClient(create_app(settings))


def as_(keys, user):
    return {"Authorization": f"Bearer {keys[user]}"}


def without(text: str, *given: str) -> str:
    for words in given:
        text = text.replace(words, "").replace(json.dumps(words, ensure_ascii=False)[1:-1], "")
    return text


def test_every_reading_route_keeps_to_the_callers_documents(world, client):
    _, departments, keys = world
    for user in ("김인사", "이재무", "박사원"):
        h = as_(keys, user)
        shown = []
        for attack in ATTACKS:
            for mode in ("lexical", "hybrid"):
                r = client.post("/v1/kbs/회사/search", json={"query": attack, "k": 10, "mode": mode}, headers=h)
                assert r.status_code == 200
                shown.append(without(r.text, attack))
            r = client.post("/v1/kbs/회사/ask", json={"question": attack}, headers=h)
            shown.append(without(r.text, attack))
            with client.stream("POST", "/v1/kbs/회사/ask", json={"question": attack, "stream": True}, headers=h) as s:
                shown.append(without(s.read().decode(), attack))
            r = client.post("/v1/kbs/회사/ask", json={"question": attack, "conversation": "c"}, headers=h)
            shown.append(without(r.text, attack))
            r = client.post("/v1/chat/completions", json={"model": "회사", "messages": [
                {"role": "user", "content": attack}]}, headers=h)
            shown.append(without(r.text, attack))
            with client.stream("POST", "/v1/chat/completions", json={"model": "회사", "stream": True, "messages": [
                    {"role": "user", "content": attack}]}, headers=h) as s:
                shown.append(without(s.read().decode(), attack))
        shown.append(client.get("/v1/kbs/회사/documents", headers=h).text)
        shown.append(client.get("/v1/kbs", headers=h).text)
        assert not departments.leaks(user, "\n".join(shown)), user
        for name in departments.hidden_from(user):
            doc_id = departments.ids[name]
            for ref in (name, doc_id, doc_id[:8]):
                for r in (client.get(f"/v1/kbs/회사/documents/{ref}", headers=h),
                          client.post("/v1/kbs/회사/summarize", json={"document": ref}, headers=h),
                          client.post("/v1/kbs/회사/extract", headers=h, json={"document": ref, "schema": {
                              "type": "object", "properties": {"코드": {"type": "string"}}}})):
                    assert r.status_code == 404 and r.json()["error"] == "document_not_found", r.text
                    assert not departments.leaks(user, without(r.text, ref))
                r = client.post("/v1/kbs/회사/search", json={"query": "급여", "filters": {"documents": [ref]}}, headers=h)
                assert r.status_code == 422 and not departments.leaks(user, without(r.text, ref))


def test_counts_are_of_readable_documents(world, client):
    _, _, keys = world
    kbs = {k["name"]: k for k in client.get("/v1/kbs", headers=as_(keys, "박사원")).json()}
    assert kbs["회사"]["documents"] == 1
    assert {k["name"]: k for k in client.get("/v1/kbs", headers=as_(keys, "service")).json()}["회사"]["documents"] == 4


def test_users_find_their_own_department(world, client):
    _, _, keys = world
    hits = client.post("/v1/kbs/회사/search", json={"query": "비밀 식별코드", "k": 5},
                       headers=as_(keys, "김인사")).json()["hits"]
    assert hits[0]["document_name"] == "인사팀_급여인상안.txt" and "HRX-7731" in hits[0]["text"]


def test_only_admins_manage_access_and_read_the_audit_log(world, client):
    _, departments, keys = world
    kim, admin = as_(keys, "김인사"), as_(keys, "감사팀장")
    fin = departments.ids["재무팀_예산안.txt"]
    for method, path, body in [("get", "/v1/kbs/회사/acl", None), ("put", "/v1/kbs/회사/acl/users/김인사", {"groups": ["재무팀"]}),
                               ("put", f"/v1/kbs/회사/documents/{fin}/readers", {"readers": []}),
                               ("get", "/v1/kbs/회사/audit", None), ("delete", f"/v1/kbs/회사/documents/{fin}", None),
                               ("post", "/v1/kbs", {"name": "새것"}), ("get", "/v1/kbs/회사", None)]:
        r = client.request(method.upper(), path, json=body, headers=kim)
        assert r.status_code == 403 and r.json()["error"] == "forbidden", (path, r.text)
    acl = client.get("/v1/kbs/회사/acl", headers=admin).json()
    assert {"name": "김인사", "admin": False, "groups": ["인사팀"]} in acl["users"]
    # an admin opens the 재무팀 document to 인사팀 as well: kim reads it at once
    r = client.put(f"/v1/kbs/회사/documents/{fin}/readers", json={"readers": ["group:재무팀", "group:인사팀"]},
                   headers=admin)
    assert r.json()["readers"] == ["group:인사팀", "group:재무팀"]
    try:
        found = client.post("/v1/kbs/회사/search", json={"query": "FNX-4410", "mode": "lexical"}, headers=kim).json()
        assert found["hits"][0]["document_id"] == fin
    finally:
        client.put(f"/v1/kbs/회사/documents/{fin}/readers", json={"readers": ["group:재무팀"]}, headers=admin)
    assert client.post("/v1/kbs/회사/search", json={"query": "FNX-4410", "mode": "lexical"}, headers=kim).json()["hits"] == []
    log = client.get("/v1/kbs/회사/audit", params={"user": "김인사", "format": "csv"}, headers=admin)
    assert log.status_code == 200 and log.headers["content-type"].startswith("text/csv")
    assert "search" in log.text and "FNX-4410" in log.text  # what kim asked is recorded
    changes = client.get("/v1/kbs/회사/audit", params={"action": "acl"}, headers=admin).text.splitlines()
    assert any("감사팀장" in line and "readers of 재무팀_예산안.txt" in line for line in changes)


def test_a_users_upload_gets_their_readers_and_their_jobs_are_theirs(world, client):
    _, _, keys = world
    kim, lee = as_(keys, "김인사"), as_(keys, "이재무")
    r = client.post("/v1/kbs/회사/documents", headers=kim, data={"readers": ["user:김인사"]},
                    files=[("files", ("김인사_메모.txt", "개인 메모. 식별코드 KIM-1234.".encode()))])
    [job] = searchable(client, r, headers=kim)
    assert client.get(f"/v1/jobs/{job['id']}", headers=kim).status_code == 200
    assert client.get(f"/v1/jobs/{job['id']}", headers=lee).status_code == 404
    assert all(j["name"] != "김인사_메모.txt" for j in client.get("/v1/jobs", headers=lee).json())
    docs = {d["name"]: d for d in client.get("/v1/kbs/회사/documents", headers=kim).json()}
    assert docs["김인사_메모.txt"]["readers"] == ["user:김인사"]
    assert "김인사_메모.txt" not in {d["name"] for d in client.get("/v1/kbs/회사/documents", headers=lee).json()}
    bad = client.post("/v1/kbs/회사/documents", headers=kim, data={"readers": ["role:x"]},
                      files=[("files", ("a.txt", b"abc"))])
    assert bad.status_code == 422 and bad.json()["error"] == "invalid_access_rule"


def test_cli_acts_as_a_user_and_manages_access(world, tmp_path):
    settings, departments, _ = world
    env = {**os.environ, "KORAG_HOME": str(settings.home), "KORAG_EMBEDDER": "none", "KORAG_KB": "회사"}

    def korag(*args):
        return subprocess.run([sys.executable, "-m", "ui.cli", *args], capture_output=True, text=True, env=env,
                              timeout=120)

    seen = korag("--user", "김인사", "search", ATTACKS[0], "-k", "10", "--mode", "lexical")
    assert seen.returncode == 0 and not departments.leaks("김인사", without(seen.stdout, ATTACKS[0]))
    assert "FNX-4410" in korag("search", "FNX-4410", "--mode", "lexical").stdout  # the operator reads everything
    denied = korag("--user", "김인사", "acl", "grant", "재무팀_예산안.txt", "group:인사팀")
    assert denied.returncode == 1 and "not an admin" in denied.stderr
    assert korag("--user", "김인사", "summarize", "재무팀_예산안.txt").returncode == 1
    granted = korag("acl", "grant", "공통_복무규정.txt", "group:인사팀")
    assert granted.returncode == 0 and "group:인사팀" in granted.stdout
    assert "FNX" not in korag("--user", "박사원", "search", "급여 지급일", "--mode", "lexical").stdout
    assert "검색 결과가 없습니다" in korag("--user", "박사원", "search", "급여 지급일", "--mode", "lexical").stdout
    assert korag("acl", "open", "공통_복무규정.txt").returncode == 0
    assert "25일" in korag("--user", "박사원", "search", "급여 지급일", "--mode", "lexical").stdout
    assert korag("acl", "user", "최신입", "-g", "인사팀").returncode == 0
    assert "HRX-7731" in korag("--user", "최신입", "search", "HRX-7731", "--mode", "lexical").stdout
    out = tmp_path / "audit.csv"
    assert korag("audit", "--format", "csv", "--of", "박사원", "-o", str(out)).returncode == 0
    assert "급여 지급일" in out.read_text(encoding="utf-8")
