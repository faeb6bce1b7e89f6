"""One open object per knowledge base (a KnowledgeBase, an Assistant…), kept between requests or jobs.

A long-lived process (the API, a worker) keeps each KB open so its Kiwi and indexes stay warm,
but another process may delete a KB and create one with the same name: the open object would
then read a deleted file. The new kb.sqlite is another file with another inode (the old one cannot
be reused while the cached object still holds the deleted file open), so the cache reopens when
the inode changes.
"""
from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Generic, TypeVar

from rag.errors import KnowledgeBaseNotFound
from rag.settings import Settings

T = TypeVar("T")


class KbCache(Generic[T]):
    """`get(name)` returns `open(name)`, built once per KB and rebuilt when its kb.sqlite is replaced."""

    def __init__(self, settings: Settings, open: Callable[[str], T],
                 close: Callable[[T], None] | None = None) -> None:
        self.settings = settings
        self._open, self._close = open, close
        self._cached: dict[str, tuple[int, T]] = {}
        self._lock = threading.Lock()

    def get(self, name: str) -> T:
        """The open object for KB `name`; KnowledgeBaseNotFound when its kb.sqlite is gone."""
        try:
            inode = (self.settings.kb_path(name) / "kb.sqlite").stat().st_ino
        except FileNotFoundError:
            raise KnowledgeBaseNotFound(f"knowledge base {name!r} no longer exists") from None
        with self._lock:  # held while opening: two requests for one KB open it once
            cached = self._cached.get(name)
            if cached is None or cached[0] != inode:
                if cached is not None and self._close is not None:
                    self._close(cached[1])
                cached = self._cached[name] = (inode, self._open(name))
            return cached[1]

    def forget(self, name: str) -> None:
        """Drop KB `name` (deleted by this process); it is opened again on the next `get`."""
        with self._lock:
            cached = self._cached.pop(name, None)
        if cached is not None and self._close is not None:
            self._close(cached[1])
