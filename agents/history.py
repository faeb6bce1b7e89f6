"""Chat history per conversation: in memory by default, in Redis when KORAG_CHAT_HISTORY_URL is set
(so the portal, the API and several workers share conversations and they survive a restart)."""
from __future__ import annotations

import json
import threading
from collections import defaultdict
from typing import Protocol

from agents.types import Message  # a stored turn's role is "user" or "assistant"


class ChatHistory(Protocol):
    def messages(self, conversation: str) -> list[Message]: ...

    def append(self, conversation: str, role: str, text: str) -> None: ...

    def clear(self, conversation: str) -> None: ...


class MemoryHistory:
    """Conversations in this process; the oldest turns drop off past `max_messages`."""

    def __init__(self, max_messages: int = 40) -> None:
        self.max_messages = max_messages
        self._conversations: dict[str, list[Message]] = defaultdict(list)
        self._lock = threading.Lock()

    def messages(self, conversation: str) -> list[Message]:
        with self._lock:
            return list(self._conversations.get(conversation, []))

    def append(self, conversation: str, role: str, text: str) -> None:
        with self._lock:
            turns = self._conversations[conversation]
            turns.append((role, text))
            del turns[: max(0, len(turns) - self.max_messages)]

    def clear(self, conversation: str) -> None:
        with self._lock:
            self._conversations.pop(conversation, None)


class RedisHistory:
    """Conversations in Redis lists `korag:chat:<kb>:<conversation>`, trimmed, expiring after `ttl_s` idle."""

    def __init__(self, url: str, namespace: str, max_messages: int = 40, ttl_s: int = 7 * 24 * 3600) -> None:
        import redis

        self.client = redis.Redis.from_url(url, decode_responses=True)
        self.namespace = namespace
        self.max_messages = max_messages
        self.ttl_s = ttl_s

    def _key(self, conversation: str) -> str:
        return f"korag:chat:{self.namespace}:{conversation}"

    def messages(self, conversation: str) -> list[Message]:
        return [tuple(json.loads(item)) for item in self.client.lrange(self._key(conversation), 0, -1)]

    def append(self, conversation: str, role: str, text: str) -> None:
        key = self._key(conversation)
        with self.client.pipeline() as pipe:  # one round trip, applied together
            pipe.rpush(key, json.dumps([role, text], ensure_ascii=False))
            pipe.ltrim(key, -self.max_messages, -1)
            pipe.expire(key, self.ttl_s)
            pipe.execute()

    def clear(self, conversation: str) -> None:
        self.client.delete(self._key(conversation))


def history_for(url: str | None, namespace: str, turns: int) -> ChatHistory:
    """Redis-backed when a URL is configured, else in memory; `turns` question-answer pairs are kept."""
    if url:
        return RedisHistory(url, namespace, max_messages=2 * turns)
    return MemoryHistory(max_messages=2 * turns)
