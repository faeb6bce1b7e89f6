"""Fitting instructions, chat history and retrieved passages into the model's context — never silently over.

Order of sacrifice: the reply's reserve and the instructions + question are fixed; passages come next
(best first, the last one kept may be cut at a sentence); history gets what is left, newest turns
first, up to a share of the room. If the fixed part alone does not fit, that is an error.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from agents.errors import ContextOverflow
from agents.types import Message

Counter = Callable[[str], int]

_PER_MESSAGE = 8  # chat-template tokens around each message
_MIN_PASSAGE_TOKENS = 48  # a passage cut shorter than this is not worth sending


@dataclass(frozen=True)
class Fitted:
    """What fits: passages (possibly the last one cut), the history kept, and the tokens used."""

    passages: list[str]
    history: list[Message]
    tokens: int
    dropped_passages: int
    dropped_turns: int


def fit(count: Counter, context_length: int, reserve: int, fixed: list[Message], passages: list[str],
        history: list[Message] = (), history_share: float = 0.3) -> Fitted:
    """Choose what goes into one request. `fixed` (instructions, question) must fit or ContextOverflow."""
    room = context_length - reserve
    used = sum(count(text) + _PER_MESSAGE for _, text in fixed)
    if used > room:
        raise ContextOverflow(
            f"질문과 지시문만으로 {used} 토큰이라 모델의 컨텍스트({context_length} 토큰, 답변용 {reserve} 토큰 제외)를 "
            f"넘습니다. 질문을 줄이거나 KORAG_LLM_MAX_TOKENS를 낮추세요.")
    history = list(history)
    history_room = int((room - used) * history_share) if history else 0
    kept_history: list[Message] = []
    history_used = 0
    for message in reversed(history):  # newest first
        cost = count(message[1]) + _PER_MESSAGE
        if history_used + cost > history_room:
            break
        kept_history.insert(0, message)
        history_used += cost
    if kept_history and kept_history[0][0] == "assistant":  # never start on a reply without its question
        history_used -= count(kept_history[0][1]) + _PER_MESSAGE
        kept_history.pop(0)

    passage_room = room - used - history_used
    kept: list[str] = []
    for text in passages:
        cost = count(text) + 4  # the "[n] document p.3" label
        if cost <= passage_room:
            kept.append(text)
            passage_room -= cost
            continue
        if passage_room >= _MIN_PASSAGE_TOKENS:  # cut this one to what is left, then stop
            cut = _cut(text, passage_room - 4, count)
            if cut:
                kept.append(cut)
                passage_room -= count(cut) + 4
        break
    total = room - passage_room + reserve
    return Fitted(kept, kept_history, total, len(passages) - len(kept), len(history) - len(kept_history))


def _cut(text: str, tokens: int, count: Counter) -> str:
    """The longest prefix of `text` ending at a sentence or line end that fits in `tokens`."""
    low, high = 0, len(text)
    while low < high:  # binary search on characters; count() is monotone in the prefix length
        mid = (low + high + 1) // 2
        if count(text[:mid]) <= tokens:
            low = mid
        else:
            high = mid - 1
    prefix = text[:low]
    for mark in ("다. ", ". ", "\n", "다.", " "):
        end = prefix.rfind(mark)
        if end > len(prefix) // 2:
            return prefix[: end + len(mark)].rstrip()
    return prefix.rstrip()
