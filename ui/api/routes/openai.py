"""An OpenAI-compatible `POST /v1/chat/completions` + `GET /v1/models`, so existing OpenAI clients and
chat UIs can use korag.

The chat answers from the knowledge base named by `model` (or the `X-Korag-KB` header); citations ride
along in the extension field `korag` (non-streamed: on the response; streamed: on the last chunk),
which OpenAI clients ignore and korag-aware clients read.
"""
from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator
from typing import Any, Literal

from fastapi import APIRouter, Header
from fastapi.concurrency import iterate_in_threadpool, run_in_threadpool
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, Field

from agents.errors import AgentError
from agents.types import Answer
from rag.kb import KnowledgeBase
from ui.api.deps import AssistantsDep, CallerDep, SettingsDep
from ui.api.errors import ApiError, agent_failure

router = APIRouter()


class ChatMessage(BaseModel):
    role: Literal["system", "user", "assistant", "tool", "developer"]
    content: str | list[dict[str, Any]] | None = None


class ChatCompletionIn(BaseModel):
    """The OpenAI chat-completions request; korag reads model (the KB), messages and stream."""

    model: str = Field(description="Knowledge base name (or any name plus the X-Korag-KB header)")
    messages: list[ChatMessage] = Field(min_length=1)
    stream: bool = False


def _text(content: str | list[dict[str, Any]] | None) -> str:
    if isinstance(content, list):
        return "".join(part.get("text", "") for part in content if part.get("type") == "text")
    return content or ""


@router.get("/models", tags=["openai-compatible"])
def models(settings: SettingsDep) -> dict[str, Any]:
    """Knowledge bases as OpenAI "models", so chat UIs can offer them."""
    names = KnowledgeBase.names(settings)
    return {"object": "list", "data": [{"id": n, "object": "model", "owned_by": "korag"} for n in names]}


@router.post("/chat/completions", tags=["openai-compatible"])
async def chat_completions(body: ChatCompletionIn, assistants: AssistantsDep, who: CallerDep,
                           x_korag_kb: str | None = Header(None)):
    """OpenAI-compatible chat over a KB: the last user message is the question, earlier turns the
    history; citations in the extension field `korag` (`citations`, `mode`, `notices`)."""
    kb = x_korag_kb or body.model
    assistant = assistants.assistant(kb, who)
    turns = [(m.role, _text(m.content)) for m in body.messages if m.role in ("user", "assistant")]
    if not turns or turns[-1][0] != "user":
        raise ApiError(422, "invalid_request", "the last message must be the user's question")
    question, history = turns[-1][1], turns[:-1]
    completion_id, created = f"chatcmpl-{uuid.uuid4().hex[:24]}", int(time.time())
    if body.stream:
        def chunks() -> Iterator[str]:
            head = {"id": completion_id, "object": "chat.completion.chunk", "created": created, "model": kb}
            yield "data: " + json.dumps({**head, "choices": [{"index": 0, "delta": {"role": "assistant"},
                                                              "finish_reason": None}]}) + "\n\n"
            try:
                for item in assistant.stream(question, history):
                    if isinstance(item, Answer):
                        last = {**head, "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}],
                                "korag": _extension(item)}
                        yield "data: " + json.dumps(last, ensure_ascii=False) + "\n\n"
                    else:
                        yield "data: " + json.dumps({**head, "choices": [{"index": 0, "delta": {"content": item},
                                                                          "finish_reason": None}]},
                                                    ensure_ascii=False) + "\n\n"
            except (AgentError, ValueError) as err:
                yield "data: " + json.dumps({"error": {"message": str(err), "type": type(err).__name__}},
                                            ensure_ascii=False) + "\n\n"
            yield "data: [DONE]\n\n"

        return StreamingResponse(iterate_in_threadpool(chunks()), media_type="text/event-stream",
                                 headers={"Cache-Control": "no-cache"})
    try:
        result = await run_in_threadpool(assistant.ask, question, history)
    except (AgentError, ValueError) as err:
        raise agent_failure(err) from err
    return {"id": completion_id, "object": "chat.completion", "created": created, "model": kb,
            "choices": [{"index": 0, "message": {"role": "assistant", "content": result.text},
                         "finish_reason": "stop"}],
            "usage": {"prompt_tokens": 0, "completion_tokens": 0, "total_tokens": 0},
            "korag": _extension(result)}


def _extension(answer: Answer) -> dict[str, Any]:
    """korag's extension field on OpenAI-format responses."""
    return {"mode": answer.mode, "model": answer.model, "grounded": answer.grounded, "notices": answer.notices,
            "citations": [c.model_dump() for c in answer.citations]}
