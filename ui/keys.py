"""Who is calling: API keys mapped to users, and who is an admin (the HTTP API and the portal's sign-in).

KORAG_API_KEYS holds SHA-256 digests, comma-separated: `<digest>` is a service key with full
access (an admin), `<user>:<digest>` is that user's key — they read only what their groups may
(each KB's users and groups: `korag acl`), and manage nothing unless they are an admin (listed in
KORAG_API_ADMINS, or marked admin in the KB).
"""
from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass

from rag.settings import Settings


class ApiKeysMissing(ValueError):
    """KORAG_API_AUTH is on but no key digests are configured."""


@dataclass(frozen=True)
class Caller:
    """The person (or service) behind a request. `user` None: a service key or no auth — the operator."""

    user: str | None = None
    admin: bool = True


def key_digest(key: str) -> str:
    """What KORAG_API_KEYS holds for a key: its SHA-256, hex (keys are random, so no salt is needed)."""
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def new_key(user: str | None = None) -> tuple[str, str]:
    """A fresh API key and its KORAG_API_KEYS entry (`<user>:<digest>` for a user's key)."""
    key = "korag-" + secrets.token_urlsafe(32)
    return key, f"{user}:{key_digest(key)}" if user else key_digest(key)


class KeyRing:
    """The accepted keys: digest → user (None for a service key)."""

    def __init__(self, settings: Settings) -> None:
        self.required = settings.api_auth
        self.users: dict[str, str | None] = {}
        for entry in (e.strip() for e in settings.api_keys.split(",")):
            if entry:
                user, _, digest = entry.rpartition(":")
                self.users[digest.lower()] = user or None
        self.admins = {a.strip() for a in settings.api_admins.split(",") if a.strip()}
        if self.required and not self.users:
            raise ApiKeysMissing("KORAG_API_AUTH is on but KORAG_API_KEYS is empty: add a key digest "
                                 "(`korag api --new-key` makes one) or set KORAG_API_AUTH=false for local use")

    def caller(self, given: str | None) -> Caller | None:
        """The caller for a presented key; None when it is not one of ours."""
        digest = key_digest(given or "")
        for known, user in self.users.items():
            if hmac.compare_digest(digest, known):
                return Caller(user, admin=user is None or user in self.admins)
        return None

