"""What the API's routes are handed (FastAPI dependencies): the settings read once by `create_app`,
the caller behind the API key, the job queue, and the knowledge base's Assistant as the caller sees it.
"""
from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request, Security
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer

from agents import Assistant
from agents.jobs import Jobs
from rag.kb import KnowledgeBase
from rag.kb_cache import KbCache
from rag.settings import Settings
from ui.api.errors import ApiError
from ui.keys import Caller, KeyRing

bearer = HTTPBearer(auto_error=False, description="Authorization: Bearer <API key>")
header = APIKeyHeader(name="X-API-Key", auto_error=False, description="X-API-Key: <API key>")


class Assistants:
    """One Assistant per KB for every request (its Kiwi and indexes warm), narrowed to each caller."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._assistants: KbCache[Assistant] = KbCache(settings, lambda name: Assistant(name, settings, create=False))

    def assistant(self, name: str, who: Caller | None = None) -> Assistant:
        """The KB's Assistant for the caller (limited to what they may read); reopened when the KB was
        deleted and created again by another process."""
        shared = self._shared(name)
        return shared if who is None or who.user is None else shared.as_user(who.user, who.admin)

    def admin(self, name: str, who: Caller) -> Assistant:
        """The KB's Assistant for a caller who must be an admin (of the API or of this KB): 403 otherwise."""
        assistant = self.assistant(name, who)
        if assistant.reader is not None and not assistant.reader.admin:
            raise ApiError(403, "forbidden", f"{who.user} is not an admin of knowledge base {name!r}")
        return assistant

    def _shared(self, name: str) -> Assistant:
        KnowledgeBase.open(self.settings, name)  # validates the name, 404s an unknown KB
        return self._assistants.get(name)

    def forget(self, name: str) -> None:
        self._assistants.forget(name)


def caller(request: Request, credentials: HTTPAuthorizationCredentials | None = Security(bearer),
           key: str | None = Security(header)) -> Caller:
    """The request's caller (401 without a valid key when keys are required)."""
    ring: KeyRing = request.app.state.keys
    if not ring.required:
        return Caller()
    given = key or (credentials.credentials if credentials else None)
    if not given:
        raise ApiError(401, "api_key_missing", "send the API key as `Authorization: Bearer <key>` or `X-API-Key`")
    found = ring.caller(given)
    if found is None:
        raise ApiError(401, "api_key_invalid", "the API key is not one of KORAG_API_KEYS")
    return found


def _settings(request: Request) -> Settings:
    return request.app.state.settings


def _jobs(request: Request) -> Jobs:
    return request.app.state.jobs


def _assistants(request: Request) -> Assistants:
    return request.app.state.assistants


SettingsDep = Annotated[Settings, Depends(_settings)]
CallerDep = Annotated[Caller, Depends(caller)]
JobsDep = Annotated[Jobs, Depends(_jobs)]
AssistantsDep = Annotated[Assistants, Depends(_assistants)]


def require_admin(who: CallerDep) -> Caller:
    """An admin of the API (a service key or KORAG_API_ADMINS): 403 otherwise."""
    if not who.admin:
        raise ApiError(403, "forbidden", f"{who.user} is not an admin (KORAG_API_ADMINS)")
    return who


def _reader(kb: str, assistants: AssistantsDep, who: CallerDep) -> Assistant:
    return assistants.assistant(kb, who)


def _kb_admin(kb: str, assistants: AssistantsDep, who: CallerDep) -> Assistant:
    return assistants.admin(kb, who)


AdminDep = Annotated[Caller, Depends(require_admin)]
# the `{kb}` in the path, as the caller may read it / as one of its admins (403 otherwise)
KbReader = Annotated[Assistant, Depends(_reader)]
KbAdmin = Annotated[Assistant, Depends(_kb_admin)]
