"""The API's answering routes: ask (JSON or SSE, or the tool-calling agent), summarize, extract.

The OpenAI-compatible chat is in openai.py, OCR of an upload in ocr.py.
"""
from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any, Literal

from fastapi import APIRouter
from fastapi.concurrency import iterate_in_threadpool, run_in_threadpool
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, Field

from agents.errors import AgentError
from agents.types import Answer, Extraction, Summary
from ui.api.deps import KbReader
from ui.api.errors import ApiError, agent_failure
from ui.api.models import FiltersIn
from ui.api.routes.search import filters_of

router = APIRouter()


class AskIn(BaseModel):
    question: str = Field(min_length=1, max_length=4000, examples=["부장 숙박비 한도는?"])
    conversation: str | None = Field(None, max_length=200, description="Keep history under this id (multi-turn)")
    history: list[tuple[Literal["user", "assistant"], str]] = Field(
        default_factory=list, description="Earlier turns, when the client keeps the history itself")
    k: int | None = Field(None, ge=1, le=50, description="Passages to retrieve (default KORAG_ANSWER_PASSAGES)")
    filters: FiltersIn | None = None
    stream: bool = Field(False, description="Server-sent events: `delta` events, then one `answer` event")
    agent: bool = Field(False, description="Let the tool-calling agent handle an open-ended request")


class SummarizeIn(BaseModel):
    document: str = Field(description="Document id or file name")
    length: Literal["short", "medium", "long"] = "medium"
    style: Literal["paragraph", "bullets"] = "paragraph"
    pages: tuple[int, int] | None = Field(None, description="First and last page, inclusive")


class ExtractIn(BaseModel):
    document: str = Field(description="Document id or file name")
    json_schema: dict[str, Any] = Field(alias="schema", description="A JSON Schema for an object with properties")


def _sse(event: str, data: str) -> str:
    return f"event: {event}\ndata: {data}\n\n"



def _events(items: Iterator[str | Answer]) -> Iterator[str]:
    try:
        for item in items:
            if isinstance(item, Answer):
                yield _sse("answer", item.model_dump_json())
            else:
                yield _sse("delta", json.dumps({"text": item}, ensure_ascii=False))
    except (AgentError, ValueError) as err:  # the stream has begun: report in-band
        yield _sse("error", json.dumps({"error": type(err).__name__, "detail": str(err)}, ensure_ascii=False))


@router.post("/kbs/{kb}/ask", response_model=Answer, tags=["answers"],
             responses={200: {"content": {"text/event-stream": {}}, "description": "JSON, or SSE with stream=true"}})
async def ask(body: AskIn, assistant: KbReader):
    """Answer from the KB with citations [n] (LLM, or extractive when none is configured; `mode` says),
    from the documents the caller may read."""
    filters = filters_of(assistant, body.filters)
    history = list(body.history)
    if body.stream and not body.agent:
        if body.conversation:
            items = assistant.chat_stream(body.question, body.conversation, filters)
        else:
            items = assistant.stream(body.question, history, filters, body.k)
        return StreamingResponse(iterate_in_threadpool(_events(items)), media_type="text/event-stream",
                                 headers={"Cache-Control": "no-cache"})
    try:
        if body.conversation:
            return await run_in_threadpool(assistant.chat, body.question, body.conversation, filters, body.agent)
        if body.agent:
            return await run_in_threadpool(assistant.agent, body.question, history)
        return await run_in_threadpool(assistant.ask, body.question, history, filters, body.k)
    except (AgentError, ValueError) as err:
        raise agent_failure(err) from err


@router.post("/kbs/{kb}/summarize", response_model=Summary, tags=["answers"])
def summarize(body: SummarizeIn, assistant: KbReader) -> Summary:
    """Summarize a document (or a page range): whole, map-reduce when long, extractive without an LLM."""
    try:
        return assistant.summarize(body.document, body.length, body.style, pages=body.pages)
    except (AgentError, ValueError) as err:
        raise agent_failure(err) from err


@router.post("/kbs/{kb}/extract", response_model=Extraction, tags=["answers"])
def extract(body: ExtractIn, assistant: KbReader) -> Extraction:
    """Fill a JSON Schema from a document; each field with its source; 422 when the model can't."""
    import jsonschema

    try:
        return assistant.extract(body.document, body.json_schema)
    except jsonschema.SchemaError as err:
        raise ApiError(422, "invalid_schema", f"invalid JSON Schema: {err.message}") from err
    except (AgentError, ValueError) as err:
        raise agent_failure(err) from err
