"""Chat history: in memory by default, in a real Redis when configured (shared between processes)."""
from __future__ import annotations

import pytest

from agents import Assistant
from agents.history import MemoryHistory, RedisHistory, history_for
from rag.settings import Settings


def test_memory_history_keeps_the_newest_turns():
    history = MemoryHistory(max_messages=4)
    for i in range(3):
        history.append("c", "user", f"질문 {i}")
        history.append("c", "assistant", f"답 {i}")
    assert history.messages("c") == [("user", "질문 1"), ("assistant", "답 1"), ("user", "질문 2"), ("assistant", "답 2")]
    assert history.messages("other") == []
    history.clear("c")
    assert history.messages("c") == []


@pytest.mark.integration
def test_redis_history_is_shared_between_clients(redis_server):
    first = history_for(redis_server.url, "kb1", turns=2)
    second = history_for(redis_server.url, "kb1", turns=2)
    assert isinstance(first, RedisHistory)
    for i in range(3):
        first.append("대화", "user", f"연차 질문 {i}")
        first.append("대화", "assistant", f"답 {i}")
    assert second.messages("대화") == [("user", "연차 질문 1"), ("assistant", "답 1"), ("user", "연차 질문 2"),
                                      ("assistant", "답 2")]
    assert history_for(redis_server.url, "kb2", turns=2).messages("대화") == []  # per knowledge base
    assert first.client.ttl("korag:chat:kb1:대화") > 0
    second.clear("대화")
    assert first.messages("대화") == []


@pytest.mark.integration
def test_assistant_chat_uses_redis_history(redis_server, samples_home):
    settings = Settings(home=samples_home, embedder="none", chat_history_url=redis_server.url)
    Assistant(kb="samples", settings=settings, create=False).chat("출장비 정산 기한은?", conversation="r1")
    again = Assistant(kb="samples", settings=settings, create=False)  # another process would see the same
    follow_up = again.chat("그럼 자가용은?", conversation="r1")
    assert follow_up.standalone_question == "출장비 정산 기한은? 그럼 자가용은?"
    assert "250원" in follow_up.text
    assert len(again.history.messages("r1")) == 4
