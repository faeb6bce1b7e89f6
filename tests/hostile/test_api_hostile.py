"""Hostile requests against a real server (uvicorn on a loopback port): the key is checked before a byte
of the body is read, the size limit holds for chunked bodies, denied attempts are audited, OCR opens no
KB, and a broken PDF is that file's failure, not an HTTP 500."""
from __future__ import annotations

import io
import json
import select
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest
from PIL import Image, ImageDraw

from agents import Assistant
from rag.settings import Settings
from tests.departments import build
from tests.hostile.round2 import looping_page_tree
from tests.redis_server import free_port
from ui.api import create_app
from ui.keys import new_key

pytestmark = pytest.mark.integration
MiB = 2**20


@dataclass(frozen=True)
class Server:
    settings: Settings
    base: str
    port: int
    keys: dict[str, str]
    hidden: dict[str, str]  # name -> id of a document 박사원 may not read


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Iterator[Server]:
    import uvicorn

    home = tmp_path_factory.mktemp("api-hostile")
    operator = Assistant("회사", Settings(home=home, embedder="none"))
    departments = build(operator, tmp_path_factory.mktemp("docs"))
    keys, entries = {}, []
    for user in ("박사원", None):
        key, entry = new_key(user)
        keys[user or "service"] = key
        entries.append(entry)
    settings = Settings(home=home, embedder="none", api_keys=",".join(entries), api_max_request_mb=1)
    port = free_port()
    uv = uvicorn.Server(uvicorn.Config(create_app(settings), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=uv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not uv.started and time.monotonic() < deadline:
        time.sleep(0.05)
    hidden = {name: departments.ids[name] for name in departments.hidden_from("박사원")}
    try:
        yield Server(settings, f"http://127.0.0.1:{port}", port, keys, hidden)
    finally:
        uv.should_exit = True
        thread.join(10)


def _png() -> bytes:
    image = Image.new("L", (240, 80), 255)
    ImageDraw.Draw(image).rectangle((20, 30, 220, 50), fill=0)
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def _chunked_upload(port: int, path: str, headers: dict[str, str], total: int) -> tuple[int, int, float]:
    """POST `total` bytes as a chunked multipart body, stopping once the server answers.

    Returns (status, bytes sent, seconds): what the server had to receive before it said no.
    """
    boundary = "korag-hostile"
    head = "".join(f"{k}: {v}\r\n" for k, v in {
        "Host": "127.0.0.1", "Transfer-Encoding": "chunked",
        "Content-Type": f"multipart/form-data; boundary={boundary}", **headers}.items())
    started = time.monotonic()
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        sock.sendall(f"POST {path} HTTP/1.1\r\n{head}\r\n".encode())
        part = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"files\"; filename=\"큰파일.txt\"\r\n"
                "Content-Type: text/plain\r\n\r\n").encode()
        sock.sendall(b"%x\r\n%s\r\n" % (len(part), part))
        piece = ("가" * (64 * 1024 // 3)).encode()
        chunk = b"%x\r\n%s\r\n" % (len(piece), piece)
        sent = len(part)
        sock.settimeout(0.5)
        while sent < total and not select.select([sock], [], [], 0)[0]:
            try:
                sock.sendall(chunk)
            except (TimeoutError, BrokenPipeError, ConnectionResetError):
                break  # the server stopped reading (and may have answered)
            sent += len(piece)
        sock.settimeout(30)
        reply = b""
        while b"\r\n" not in reply:
            data = sock.recv(4096)
            if not data:
                break
            reply += data
    return int(reply.split(b" ", 2)[1]), sent, time.monotonic() - started


def test_no_key_is_refused_before_the_body_is_read(server):
    status, sent, seconds = _chunked_upload(server.port, "/v1/kbs/%ED%9A%8C%EC%82%AC/documents", {}, 400 * MiB)
    assert status == 401
    assert sent < 16 * MiB, f"{sent // MiB} MiB went out before the 401"  # socket buffers, not the 400 MiB body
    assert seconds < 30


def test_a_chunked_body_is_held_to_the_size_limit(server):
    auth = {"Authorization": f"Bearer {server.keys['service']}"}
    status, sent, _ = _chunked_upload(server.port, "/v1/kbs/%ED%9A%8C%EC%82%AC/documents", auth, 300 * MiB)
    assert status == 413
    assert sent < 32 * MiB, f"{sent // MiB} MiB received before the 413 (limit 1 MiB)"
    with httpx.Client(base_url=server.base, headers=auth, timeout=30) as http:
        detail = http.post("/v1/kbs/회사/documents", content=b"x" * (2 * MiB),
                           headers={"Content-Type": "application/octet-stream"}).json()["detail"]
        assert "KORAG_API_MAX_REQUEST_MB" in detail


def test_denied_attempts_are_in_the_audit_log(server):
    name, doc_id = next(iter(server.hidden.items()))
    with httpx.Client(base_url=server.base, headers={"Authorization": f"Bearer {server.keys['박사원']}"},
                      timeout=30) as http:
        assert http.get(f"/v1/kbs/회사/documents/{doc_id}").status_code == 404
        assert http.get("/v1/kbs/회사/audit").status_code == 403
    log = server.settings.kb_path("회사") / "audit.jsonl"
    denied = [e for e in map(json.loads, log.read_text(encoding="utf-8").splitlines()) if e["action"] == "denied"]
    seen = {(e["user"], e["status"], e["query"]) for e in denied}
    assert ("박사원", 404, f"GET /v1/kbs/회사/documents/{doc_id}") in seen
    assert ("박사원", 403, "GET /v1/kbs/회사/audit") in seen


def test_ocr_by_a_non_admin_creates_no_kb(server):
    default = server.settings.kb_path(server.settings.kb)
    assert not default.exists()
    with httpx.Client(base_url=server.base, headers={"Authorization": f"Bearer {server.keys['박사원']}"},
                      timeout=120) as http:
        r = http.post("/v1/ocr", files={"file": ("스캔.png", _png(), "image/png")})
    assert r.status_code == 200, r.text
    assert not default.exists()


def test_a_looping_pdf_upload_is_that_files_failure(server):
    with httpx.Client(base_url=server.base, headers={"Authorization": f"Bearer {server.keys['service']}"},
                      timeout=60) as http:
        r = http.post("/v1/kbs/회사/documents", files={"files": ("순환.pdf", looping_page_tree(), "application/pdf")})
        assert r.status_code == 202, r.text  # answered at once; the inline queue runs the job on a thread
        job = r.json()["jobs"][0]
        deadline = time.monotonic() + 60
        while job["state"] not in ("done", "failed") and time.monotonic() < deadline:
            time.sleep(0.2)
            job = http.get(f"/v1/jobs/{job['id']}").json()
    assert (job["name"], job["state"]) == ("순환.pdf", "failed") and "page tree" in job["error"], job


def test_a_looping_pdf_sent_to_ocr_is_refused_by_name(server):
    with httpx.Client(base_url=server.base, headers={"Authorization": f"Bearer {server.keys['service']}"},
                      timeout=120) as http:
        r = http.post("/v1/ocr", files={"file": ("순환.pdf", looping_page_tree(), "application/pdf")})
    assert r.status_code == 422, r.text
    assert "순환.pdf" in r.json()["detail"]
