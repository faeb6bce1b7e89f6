"""KbCache: one open object per KB, reopened when the KB was deleted and created again."""
from __future__ import annotations

import pytest

from rag.errors import KnowledgeBaseNotFound
from rag.kb import KnowledgeBase
from rag.kb_cache import KbCache
from rag.settings import Settings


def test_a_kb_is_opened_once_and_again_after_it_was_recreated(tmp_path):
    settings = Settings(home=tmp_path, kb="t", embedder="none")
    KnowledgeBase.open(settings, create=True).close()
    closed = []
    cache = KbCache(settings, lambda name: KnowledgeBase.open(settings, name), close=closed.append)
    first = cache.get("t")
    assert cache.get("t") is first and closed == []

    KnowledgeBase.delete(settings, "t")  # as another process would: a new kb.sqlite, a new inode
    with pytest.raises(KnowledgeBaseNotFound, match="no longer exists"):
        cache.get("t")
    KnowledgeBase.open(settings, "t", create=True).close()
    second = cache.get("t")
    assert second is not first and closed == [first]
    assert second.store.counts() == {"documents": 0, "chunks": 0}

    cache.forget("t")
    assert closed == [first, second]
    assert cache.get("t") is not second
