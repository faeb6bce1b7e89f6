"""An OpenAI-compatible `POST /v1/chat/completions` + `GET /v1/models`, so existing OpenAI clients and
chat UIs can use korag.

The chat answers from the knowledge base named by `model` (or the `X-Korag-KB` header); citations ride
along in the extension field `korag` (non-streamed: on the response; streamed: on the last chunk),
which OpenAI clients ignore and korag-aware clients read. Streamed, the answer arrives as it is
produced: the LLM's token deltas, or one cited sentence at a time when korag answers extractively.
`usage` counts tokens: the LLM server's own counts (question rewrite included), or Kiwi morphemes of
the question and passages read and of the answer when extractive (`korag.usage_counted_by` says
which). Errors, before or during a stream, are OpenAI's `{"error": {"message", "type", "code", "param"}}`.
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

from agents import Assistant
from agents.errors import AgentError
from agents.types import Answer
from rag.errors import KnowledgeBaseNotFound
from rag.kb import KnowledgeBase
from ui.api.deps import Assistants, AssistantsDep, CallerDep, SettingsDep
from ui.api.errors import DOMAIN_ERRORS, ApiError, agent_failure, detail_of, openai_error, status_of
from ui.keys import Caller

router = APIRouter()


class ChatMessage(BaseModel):
    role: Literal["system", "user", "assistant", "tool", "developer"]
    content: str | list[dict[str, Any]] | None = None


class StreamOptions(BaseModel):
    include_usage: bool = Field(False, description="Send a last chunk with `usage` (and no choices) before [DONE]")


class ChatCompletionIn(BaseModel):
    """The OpenAI chat-completions request; korag reads model (the KB), messages, stream and stream_options."""

    model: str = Field(description="Knowledge base name (or any name plus the X-Korag-KB header)")
    messages: list[ChatMessage] = Field(min_length=1)
    stream: bool = False
    stream_options: StreamOptions | None = None


def _text(content: str | list[dict[str, Any]] | None) -> str:
    if isinstance(content, list):
        return "".join(part.get("text", "") for part in content if part.get("type") == "text")
    return content or ""


def _model(name: str) -> dict[str, Any]:
    return {"id": name, "object": "model", "created": 0, "owned_by": "korag"}


@router.get("/models", tags=["openai-compatible"])
def models(settings: SettingsDep) -> dict[str, Any]:
    """Knowledge bases as OpenAI "models", so chat UIs can offer them."""
    return {"object": "list", "data": [_model(n) for n in KnowledgeBase.names(settings)]}


@router.get("/models/{model}", tags=["openai-compatible"])
def model(model: str, assistants: AssistantsDep, who: CallerDep) -> dict[str, Any]:
    """One knowledge base as an OpenAI "model" (404 `model_not_found` when there is none by that name)."""
    _assistant(assistants, model, who)
    return _model(model)


def _assistant(assistants: Assistants, kb: str, who: Caller) -> Assistant:
    try:
        return assistants.assistant(kb, who)
    except KnowledgeBaseNotFound as err:
        raise ApiError(404, "model_not_found", f"there is no knowledge base {kb!r}: the model names a korag "
                                               "knowledge base (GET /v1/models lists them)", param="model") from err


def _usage(answer: Answer) -> dict[str, int]:
    usage = answer.usage
    prompt, completion = (usage.prompt_tokens, usage.completion_tokens) if usage else (0, 0)
    return {"prompt_tokens": prompt, "completion_tokens": completion, "total_tokens": prompt + completion}


def _extension(answer: Answer) -> dict[str, Any]:
    """korag's extension field on OpenAI-format responses."""
    return {"mode": answer.mode, "model": answer.model, "grounded": answer.grounded, "notices": answer.notices,
            "citations": [c.model_dump() for c in answer.citations],
            "usage_counted_by": answer.usage.counted_by if answer.usage else None}


def _failure(err: Exception) -> dict[str, Any]:
    """An error raised once the stream has begun, as the OpenAI event that ends it."""
    if isinstance(err, DOMAIN_ERRORS):
        status, code = status_of(err)
        return openai_error(status, code, detail_of(err))
    failure = agent_failure(err)
    return openai_error(failure.status, failure.code, failure.detail)


@router.post("/chat/completions", tags=["openai-compatible"])
async def chat_completions(body: ChatCompletionIn, assistants: AssistantsDep, who: CallerDep,
                           x_korag_kb: str | None = Header(None)):
    """OpenAI-compatible chat over a KB: the last user message is the question, earlier turns the
    history; citations in the extension field `korag` (`citations`, `mode`, `notices`, `usage_counted_by`)."""
    kb = x_korag_kb or body.model
    assistant = _assistant(assistants, kb, who)
    turns = [(m.role, _text(m.content)) for m in body.messages if m.role in ("user", "assistant")]
    if not turns or turns[-1][0] != "user" or not turns[-1][1].strip():
        raise ApiError(400, "invalid_request", "the last message must be the user's question", param="messages")
    question, history = turns[-1][1], turns[:-1]
    completion_id, created = f"chatcmpl-{uuid.uuid4().hex[:24]}", int(time.time())
    head = {"id": completion_id, "object": "chat.completion.chunk", "created": created, "model": kb}
    if body.stream:
        with_usage = body.stream_options is not None and body.stream_options.include_usage

        def event(payload: dict[str, Any]) -> str:
            return "data: " + json.dumps(payload, ensure_ascii=False) + "\n\n"

        def chunk(delta: dict[str, Any], finish: str | None = None, **extra: Any) -> str:
            usage = {"usage": None} if with_usage else {}  # OpenAI: null on every chunk but the last
            return event({**head, "choices": [{"index": 0, "delta": delta, "finish_reason": finish}], **usage, **extra})

        def chunks() -> Iterator[str]:
            yield chunk({"role": "assistant", "content": ""})
            try:
                for item in assistant.stream(question, history):
                    if isinstance(item, Answer):
                        yield chunk({}, "stop", korag=_extension(item))
                        if with_usage:
                            yield event({**head, "choices": [], "usage": _usage(item)})
                    else:
                        yield chunk({"content": item})
            except (AgentError, ValueError, *DOMAIN_ERRORS) as err:  # the stream has begun: report in-band
                yield event(_failure(err))
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
            "usage": _usage(result), "korag": _extension(result)}
