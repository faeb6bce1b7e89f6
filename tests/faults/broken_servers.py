"""OpenAI-compatible endpoints that fail the way real servers do, for the fault tests.

tests/scripted_openai.py answers whole replies (late, or with an error status); these break a reply
half-way, at the socket: a vLLM killed mid-answer (chunked body cut: the client sees a protocol
error), a proxy that closes cleanly before the last event, a server that stops sending, and one
that accepts connections and never answers (a hung process, or a full accept queue).
"""
from __future__ import annotations

import json
import socket
import threading
from typing import Literal

Mode = Literal["drop", "cut", "stall", "hang"]
PIECES = ("출장 숙박비는 ", "1박에 ")  # what the broken model manages to say before it breaks


def _event(piece: str | None, finish: str | None = None) -> bytes:
    delta = {"content": piece} if piece is not None else {}
    payload = {"id": "chatcmpl-broken", "object": "chat.completion.chunk", "created": 0, "model": "broken-model",
               "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]}
    return b"data: " + json.dumps(payload, ensure_ascii=False).encode() + b"\n\n"


class BrokenLLMServer:
    """`mode`: drop (chunked reply cut), cut (clean close before the last event), stall (stops sending),
    hang (accepts, never answers). Requests for /models and /tokenize get a quick 404."""

    def __init__(self, mode: Mode) -> None:
        self.mode = mode
        self.completions = 0  # completion requests received (hang mode never reads them)
        self._stop = threading.Event()
        self._sock = socket.create_server(("127.0.0.1", 0), backlog=64)
        self._threads: list[threading.Thread] = []
        self._conns: list[socket.socket] = []

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._sock.getsockname()[1]}/v1"

    def start(self) -> BrokenLLMServer:
        if self.mode != "hang":  # hang: the kernel completes the handshake; nobody ever reads
            thread = threading.Thread(target=self._accept, daemon=True)
            thread.start()
            self._threads.append(thread)
        return self

    def stop(self) -> None:
        self._stop.set()
        self._sock.close()
        for conn in self._conns:
            conn.close()

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._sock.accept()
            except OSError:
                return
            self._conns.append(conn)
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn: socket.socket) -> None:
        try:
            request = _read_request(conn)
            if request is None:
                return
            path, body = request
            if not path.endswith("/chat/completions"):
                conn.sendall(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
                return
            self.completions += 1
            if body.get("stream"):
                self._stream(conn)
            else:  # a JSON reply cut short: Content-Length promises more than is sent
                partial = b'{"id": "chatcmpl-broken", "object": "chat.completion", "choices": [{"index": 0, "mess'
                conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 400\r\n\r\n"
                             + partial)
                if self.mode == "stall":
                    self._stop.wait(30)
        except OSError:
            pass
        finally:
            conn.close()

    def _stream(self, conn: socket.socket) -> None:
        chunked = self.mode != "cut"
        framing = b"Transfer-Encoding: chunked\r\n" if chunked else b"Connection: close\r\n"
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n" + framing + b"\r\n")
        for piece in ("", *PIECES):
            event = _event(piece)
            conn.sendall(b"%x\r\n%s\r\n" % (len(event), event) if chunked else event)
        if self.mode == "stall":
            self._stop.wait(30)
        # drop: close inside the chunked body (no terminating chunk); cut: a clean close, no finish_reason


def _read_request(conn: socket.socket) -> tuple[str, dict] | None:
    data = b""
    while b"\r\n\r\n" not in data:
        more = conn.recv(65536)
        if not more:
            return None
        data += more
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    length = next((int(line.split(":", 1)[1]) for line in lines if line.lower().startswith("content-length:")), 0)
    while len(body) < length:
        more = conn.recv(65536)
        if not more:
            return None
        body += more
    return lines[0].split(" ")[1], json.loads(body or b"{}")
