"""The API's gate, as ASGI middleware in front of every route: the API key is checked before a byte
of the body is read, the request size is held to the bytes actually streamed (a chunked body has no
Content-Length to check), and refused attempts (403, 404) go to the audit log.

FastAPI parses a multipart body before it runs a route's dependencies, so a key check done as a
dependency comes after a 400 MB upload has been received; here nothing reaches a route unchecked.
"""
from __future__ import annotations

import json
import logging
import re

from rag.audit import AuditEntry, AuditLog
from rag.settings import Settings
from ui.api.errors import is_openai_path, openai_error
from ui.keys import Caller, KeyRing

log = logging.getLogger(__name__)

_KB_PATH = re.compile(r"/v1/kbs/([^/]+)")
_AUDITED = (403, 404)  # a caller denied, or told a document (or KB) they may not see does not exist


class _TooLarge(Exception):
    """The body streamed past KORAG_API_MAX_REQUEST_MB."""


def _json(status: int, code: str, detail: str, headers: list[tuple[bytes, bytes]] = (),
          path: str = "") -> tuple[dict, dict]:
    # OpenAI clients read {"error": {"message", "type", "code", "param"}}; korag's own routes an ErrorOut
    shape = openai_error(status, code, detail) if is_openai_path(path) else {"error": code, "detail": detail, "files": []}
    body = json.dumps(shape, ensure_ascii=False).encode()
    start = {"type": "http.response.start", "status": status,
             "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
                         (b"connection", b"close"), *headers]}
    return start, {"type": "http.response.body", "body": body}


class RequestGuard:
    """Authenticate, bound the body, audit refusals; then hand the request to the app."""

    def __init__(self, app, settings: Settings, keys: KeyRing) -> None:
        self.app, self.settings, self.keys = app, settings, keys
        self.limit = settings.api_max_request_mb * 2**20

    def _too_large(self, path: str) -> tuple[dict, dict]:
        return _json(413, "request_too_large", f"the request is over {self.settings.api_max_request_mb} MiB "
                                               "(KORAG_API_MAX_REQUEST_MB); send fewer files per request", path=path)

    def _caller(self, headers: dict[bytes, bytes], path: str) -> tuple[Caller | None, tuple[dict, dict] | None]:
        """The caller behind the request's key, or the 401 to answer without reading the body."""
        if not self.keys.required:
            return Caller(), None
        given = headers.get(b"x-api-key", b"").decode("latin-1").strip()
        scheme, _, token = headers.get(b"authorization", b"").decode("latin-1").partition(" ")
        given = given or (token.strip() if scheme.lower() == "bearer" else "")
        bearer = [(b"www-authenticate", b"Bearer")]
        if not given:
            return None, _json(401, "api_key_missing", "send the API key as `Authorization: Bearer <key>` or "
                                                       "`X-API-Key`", bearer, path)
        found = self.keys.caller(given)
        if found is None:
            return None, _json(401, "api_key_invalid", "the API key is not one of KORAG_API_KEYS", bearer, path)
        return found, None

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith("/v1"):
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or ())
        who, refusal = self._caller(headers, scope["path"])
        length = headers.get(b"content-length", b"")
        if refusal is None and length.isdigit() and int(length) > self.limit:
            refusal = self._too_large(scope["path"])
        if refusal is not None:  # answered before a byte of the body is read
            for message in refusal:
                await send(message)
            return
        state = {"received": 0, "over": False, "replaced": False, "status": 0}

        async def counted() -> dict:
            message = await receive()
            if message["type"] == "http.request":
                state["received"] += len(message.get("body", b""))
                if state["received"] > self.limit:
                    state["over"] = True
                    raise _TooLarge
            return message

        async def guarded(message: dict) -> None:
            if message["type"] == "http.response.start":
                state["status"] = message["status"]
                if message["status"] in _AUDITED and who is not None and not state["over"]:
                    self._audit(who, scope, message["status"])  # logged before the caller hears the answer
                if state["over"]:  # the app saw a broken body (400, 500): the real reason is the size
                    state["replaced"], state["status"] = True, 413
                    for ours in self._too_large(scope["path"]):
                        await send(ours)
                    return
            if not state["replaced"]:
                await send(message)

        try:
            await self.app(scope, counted, guarded)
        except _TooLarge:
            if not state["status"]:
                state["status"] = 413
                for ours in self._too_large(scope["path"]):
                    await send(ours)

    def _audit(self, who: Caller, scope: dict, status: int) -> None:
        """A denied attempt into the KB's audit log (the server's, under KORAG_HOME, for other routes)."""
        if not self.settings.audit_log:
            return
        path = scope["path"]
        match = _KB_PATH.match(path)
        kb = match.group(1) if match else None
        folder = self.settings.home
        if kb and not kb.startswith(".") and (self.settings.kb_path(kb) / "kb.sqlite").is_file():
            folder = self.settings.kb_path(kb)
        try:
            folder.mkdir(parents=True, exist_ok=True)
            AuditLog(folder / "audit.jsonl").append(AuditEntry(
                user=who.user or "(service key)", action="denied", query=f"{scope['method']} {path}",
                groups=(), status=status))
        except OSError as err:  # the answer is already sent; a log that cannot be written is logged
            log.warning("audit log not written for a denied %s %s: %s", scope["method"], path, err)
