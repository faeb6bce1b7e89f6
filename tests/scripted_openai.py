"""A scripted OpenAI-compatible HTTP server for tests: it is not a model, it replays what a test queues.

No model weights can be downloaded here, so the LLM and VLM paths are tested over real HTTP against
this server, with the production client (the one that talks to vLLM) unchanged. It speaks the parts of
the `/v1/chat/completions` protocol vLLM serves: plain and streamed (SSE) replies, tool calls, usage,
and errors; a test queues replies with `script()` and reads what the client sent in `requests`.
"""
from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Reply:
    """One scripted response. `raw` is sent verbatim (malformed output); `status` >= 400 is an error."""

    text: str = ""
    tool_calls: list[dict[str, Any]] = field(default_factory=list)  # [{"name": ..., "arguments": {...}}]
    status: int = 200
    delay_s: float = 0.0
    raw: str | None = None
    finish_reason: str | None = None
    chunk_chars: int = 3  # streamed replies are sent this many characters per SSE event


Script = Reply | Callable[[dict[str, Any]], Reply]


class ScriptedOpenAIServer:
    """Serves queued `Reply`s on 127.0.0.1:<free port>; `base_url` ends in /v1 like vLLM's."""

    def __init__(self, model: str = "scripted-model") -> None:
        self.model = model
        self.requests: list[dict[str, Any]] = []
        self._queue: list[Script] = []
        self.default: Script | None = None  # used when the queue is empty
        # vLLM's /tokenize; None answers 404 as a server without it would. Set to count tokens by a rule.
        self.tokenize: Callable[[dict[str, Any]], int] | None = None
        self.max_model_len = 4096  # what /v1/models reports, as vLLM does
        self._lock = threading.Lock()
        self._httpd = _QuietServer(("127.0.0.1", 0), _handler_for(self))
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}/v1"

    def start(self) -> "ScriptedOpenAIServer":
        self._thread.start()
        return self

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    def script(self, *replies: Script) -> None:
        """Queue replies, served in order, one per request."""
        with self._lock:
            self._queue.extend(replies)

    def reset(self) -> None:
        with self._lock:
            self._queue.clear()
            self.requests.clear()
            self.default = None
            self.tokenize = None
            self.max_model_len = 4096

    def _next(self, body: dict[str, Any]) -> Reply:
        with self._lock:
            self.requests.append(body)
            script = self._queue.pop(0) if self._queue else self.default
        if script is None:
            return Reply(status=500, text="scripted server: no reply queued for this request")
        return script(body) if callable(script) else script


class _QuietServer(ThreadingHTTPServer):
    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # a client that gave up (timeout tests) closes the socket mid-reply: expected, not news


def _handler_for(server: ScriptedOpenAIServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: Any) -> None:  # keep pytest output clean
            pass

        def do_GET(self) -> None:
            if self.path.rstrip("/").endswith("/models"):
                self._json(200, {"object": "list", "data": [
                    {"id": server.model, "object": "model", "owned_by": "scripted",
                     "max_model_len": server.max_model_len}]})
            else:
                self._json(404, {"error": {"message": f"no route {self.path}", "type": "not_found"}})

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = json.loads(self.rfile.read(length) or b"{}")
            path = self.path.rstrip("/")
            if path.endswith("/tokenize") and server.tokenize is not None:
                self._json(200, {"count": server.tokenize(body), "max_model_len": server.max_model_len, "tokens": []})
                return
            if not path.endswith("/completions"):
                self._json(404, {"error": {"message": f"no route {self.path}", "type": "not_found"}})
                return
            chat = path.endswith("/chat/completions")
            reply = server._next(body)
            if reply.delay_s:
                time.sleep(reply.delay_s)
            if reply.status >= 400:
                self._json(reply.status, {"error": {"message": reply.text or "error", "type": "scripted_error",
                                                    "code": reply.status}})
            elif reply.raw is not None:
                self._send(200, reply.raw.encode(), "application/json")
            elif not chat:
                self._text_completion(reply, body)
            elif body.get("stream"):
                self._stream(reply, body)
            else:
                self._json(200, _completion(reply, server.model, body))

        def _text_completion(self, reply: Reply, body: dict[str, Any]) -> None:
            """/v1/completions, for models without a chat template (prompt in, text out)."""
            finish = reply.finish_reason or "stop"
            if not body.get("stream"):
                self._json(200, {"id": "cmpl-scripted", "object": "text_completion", "created": int(time.time()),
                                 "model": server.model, "choices": [{"index": 0, "text": reply.text,
                                                                     "finish_reason": finish, "logprobs": None}],
                                 "usage": _usage(reply, {"messages": [{"content": body.get("prompt")}]})})
                return
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Connection", "close")
            self.end_headers()
            step = max(1, reply.chunk_chars)
            pieces = [reply.text[i:i + step] for i in range(0, len(reply.text), step)]
            for i, piece in enumerate(pieces + [""]):
                self._event({"id": "cmpl-scripted", "object": "text_completion", "created": int(time.time()),
                             "model": server.model, "choices": [{"index": 0, "text": piece, "logprobs": None,
                                                                 "finish_reason": finish if i == len(pieces) else None}]})
            self.wfile.write(b"data: [DONE]\n\n")
            self.wfile.flush()
            self.close_connection = True

        def _stream(self, reply: Reply, body: dict[str, Any]) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Cache-Control", "no-cache")
            self.send_header("Connection", "close")
            self.end_headers()
            for delta in _deltas(reply):
                self._event({"id": "chatcmpl-scripted", "object": "chat.completion.chunk", "created": int(time.time()),
                             "model": server.model, "choices": [{"index": 0, "delta": delta, "finish_reason": None}]})
            finish = reply.finish_reason or ("tool_calls" if reply.tool_calls else "stop")
            last: dict[str, Any] = {"id": "chatcmpl-scripted", "object": "chat.completion.chunk",
                                    "created": int(time.time()), "model": server.model,
                                    "choices": [{"index": 0, "delta": {}, "finish_reason": finish}]}
            if (body.get("stream_options") or {}).get("include_usage"):
                last["usage"] = _usage(reply, body)
            self._event(last)
            self.wfile.write(b"data: [DONE]\n\n")
            self.wfile.flush()
            self.close_connection = True

        def _event(self, payload: dict[str, Any]) -> None:
            self.wfile.write(b"data: " + json.dumps(payload, ensure_ascii=False).encode() + b"\n\n")
            self.wfile.flush()

        def _json(self, status: int, payload: dict[str, Any]) -> None:
            self._send(status, json.dumps(payload, ensure_ascii=False).encode(), "application/json")

        def _send(self, status: int, data: bytes, content_type: str) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    return Handler


def _tool_call(i: int, call: dict[str, Any]) -> dict[str, Any]:
    arguments = call["arguments"]
    return {"id": call.get("id", f"call_{i}"), "type": "function",
            "function": {"name": call["name"],
                         "arguments": arguments if isinstance(arguments, str) else json.dumps(arguments, ensure_ascii=False)}}


def _usage(reply: Reply, body: dict[str, Any]) -> dict[str, int]:
    prompt = sum(len(str(m.get("content") or "")) for m in body.get("messages", []))
    completion = len(reply.text)
    return {"prompt_tokens": prompt, "completion_tokens": completion, "total_tokens": prompt + completion}


def _completion(reply: Reply, model: str, body: dict[str, Any]) -> dict[str, Any]:
    message: dict[str, Any] = {"role": "assistant", "content": reply.text or None}
    if reply.tool_calls:
        message["tool_calls"] = [_tool_call(i, c) for i, c in enumerate(reply.tool_calls)]
    finish = reply.finish_reason or ("tool_calls" if reply.tool_calls else "stop")
    return {"id": "chatcmpl-scripted", "object": "chat.completion", "created": int(time.time()), "model": model,
            "choices": [{"index": 0, "message": message, "finish_reason": finish}], "usage": _usage(reply, body)}


def _deltas(reply: Reply) -> list[dict[str, Any]]:
    deltas: list[dict[str, Any]] = [{"role": "assistant", "content": ""}]
    step = max(1, reply.chunk_chars)
    deltas += [{"content": reply.text[i:i + step]} for i in range(0, len(reply.text), step)]
    for i, call in enumerate(reply.tool_calls):
        full = _tool_call(i, call)
        deltas.append({"tool_calls": [{"index": i, "id": full["id"], "type": "function",
                                       "function": {"name": call["name"], "arguments": ""}}]})
        args = full["function"]["arguments"]
        deltas += [{"tool_calls": [{"index": i, "function": {"arguments": args[j:j + 8]}}]}
                   for j in range(0, len(args), 8)]
    return deltas
