"""The API's answering routes: ask (JSON or SSE), summarize, extract, agent, and an OpenAI-compatible
`POST /v1/chat/completions` + `GET /v1/models` so existing OpenAI clients and chat UIs can use korag.

The OpenAI-compatible route answers from the knowledge base named by `model` (or the `X-Korag-KB`
header); citations ride along in the extension field `korag` (non-streamed: on the response; streamed:
on the last chunk), which OpenAI clients ignore and korag-aware clients read.
"""
from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator
from typing import Any, Literal

from fastapi import APIRouter, Depends, File, Form, Header, UploadFile
from fastapi.concurrency import iterate_in_threadpool, run_in_threadpool
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, Field

from agents.errors import AgentError, ContextOverflow, ExtractionFailed, LLMUnavailable
from agents.types import Answer, Extraction, Summary
from rag.errors import DocumentNotFound
from rag.filters import Filters
from rag.kb import KnowledgeBase
from ui.api_auth import Caller, caller
from ui.api_models import FiltersIn


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


def _sse(event: str, data: str) -> str:
    return f"event: {event}\ndata: {data}\n\n"


def answer_routes(v1: APIRouter, service, api_error) -> None:
    """Register the answering routes on the /v1 router (sharing its key check and error mapping)."""

    def filters_of(assistant, body: FiltersIn | None) -> Filters | None:
        if body is None:
            return None
        try:
            documents = tuple(assistant.document(ref).id for ref in body.documents)
        except DocumentNotFound as err:
            raise api_error(422, "unknown_document_in_filter", str(err)) from err
        return Filters(documents, tuple(body.tags), body.folder, body.since, body.until)

    def agent_failure(err: Exception):
        if isinstance(err, ContextOverflow):
            return api_error(422, "context_overflow", str(err))
        if isinstance(err, ExtractionFailed):
            return api_error(422, "extraction_failed", f"{err} — model output: {err.raw[:500]}")
        if isinstance(err, LLMUnavailable):
            return api_error(503, "llm_unavailable", str(err))
        return api_error(422, "cannot_answer", str(err))

    def stream_events(items: Iterator[str | Answer]) -> Iterator[str]:
        try:
            for item in items:
                if isinstance(item, Answer):
                    yield _sse("answer", item.model_dump_json())
                else:
                    yield _sse("delta", json.dumps({"text": item}, ensure_ascii=False))
        except (AgentError, ValueError) as err:  # the stream has begun: report in-band
            yield _sse("error", json.dumps({"error": type(err).__name__, "detail": str(err)}, ensure_ascii=False))

    @v1.post("/kbs/{kb}/ask", response_model=Answer, tags=["answers"],
             responses={200: {"content": {"text/event-stream": {}}, "description": "JSON, or SSE with stream=true"}})
    async def ask(kb: str, body: AskIn, who: Caller = Depends(caller)):
        """Answer from the KB with citations [n] (LLM, or extractive when none is configured; `mode` says),
        from the documents the caller may read."""
        assistant = service.assistant(kb, who)
        filters = filters_of(assistant, body.filters)
        history = list(body.history)
        if body.stream and not body.agent:
            if body.conversation:
                items = assistant.chat_stream(body.question, body.conversation, filters)
            else:
                items = assistant.stream(body.question, history, filters, body.k)
            return StreamingResponse(iterate_in_threadpool(stream_events(items)), media_type="text/event-stream",
                                     headers={"Cache-Control": "no-cache"})
        try:
            if body.conversation:
                return await run_in_threadpool(assistant.chat, body.question, body.conversation, filters, body.agent)
            if body.agent:
                return await run_in_threadpool(assistant.agent, body.question, history)
            return await run_in_threadpool(assistant.ask, body.question, history, filters, body.k)
        except (AgentError, ValueError) as err:
            raise agent_failure(err) from err

    @v1.post("/kbs/{kb}/summarize", response_model=Summary, tags=["answers"])
    def summarize(kb: str, body: SummarizeIn, who: Caller = Depends(caller)) -> Summary:
        """Summarize a document (or a page range): whole, map-reduce when long, extractive without an LLM."""
        try:
            return service.assistant(kb, who).summarize(body.document, body.length, body.style, pages=body.pages)
        except (AgentError, ValueError) as err:
            raise agent_failure(err) from err

    @v1.post("/kbs/{kb}/extract", response_model=Extraction, tags=["answers"])
    def extract(kb: str, body: ExtractIn, who: Caller = Depends(caller)) -> Extraction:
        """Fill a JSON Schema from a document; each field with its source; 422 when the model can't."""
        import jsonschema

        try:
            return service.assistant(kb, who).extract(body.document, body.json_schema)
        except jsonschema.SchemaError as err:
            raise api_error(422, "invalid_schema", f"invalid JSON Schema: {err.message}") from err
        except (AgentError, ValueError) as err:
            raise agent_failure(err) from err

    @v1.post("/ocr", tags=["ocr"])
    def ocr(file: UploadFile = File(description="An image (PNG, JPEG, TIFF, WebP, BMP) or a PDF"),
            engine: Literal["auto", "tesseract", "scene", "varco"] | None = Form(
                None, description="auto (per page: Tesseract for documents, scene text for photos), tesseract, "
                                  "scene or varco. Default: KORAG_OCR_ENGINE. Each page says which engine read "
                                  "it (`engine`) and, with auto, why (`chosen`)"),
            pages: str | None = Form(None, description="PDF pages, e.g. 1,3")) -> dict[str, Any]:
        """OCR an upload (nothing is stored): per page, the text and the words with pixel boxes."""
        from ingest.errors import IngestError

        data = file.file.read(service.settings.max_file_mb * 2**20 + 1)
        if len(data) > service.settings.max_file_mb * 2**20:
            raise api_error(413, "file_too_large", f"{file.filename}: over KORAG_MAX_FILE_MB")
        try:
            wanted = [int(p) for p in pages.split(",")] if pages else None
        except ValueError as err:
            raise api_error(422, "invalid_request", f"pages must look like 1,3, not {pages!r}") from err
        assistant = service.any_assistant()
        try:
            results = assistant.ocr(data, engine=engine, pages=wanted, name=file.filename or "upload")
        except IngestError as err:
            raise api_error(415 if type(err).__name__ == "UnsupportedFormat" else 422, "cannot_ocr", str(err)) from err
        except (AgentError, ValueError) as err:
            raise agent_failure(err) from err
        return {"file": file.filename, "pages": [r.to_dict() for r in results]}

    @v1.get("/models", tags=["openai-compatible"])
    def models() -> dict[str, Any]:
        """Knowledge bases as OpenAI "models", so chat UIs can offer them."""
        names = KnowledgeBase.names(service.settings)
        return {"object": "list", "data": [{"id": n, "object": "model", "owned_by": "korag"} for n in names]}

    @v1.post("/chat/completions", tags=["openai-compatible"])
    async def chat_completions(body: ChatCompletionIn, x_korag_kb: str | None = Header(None),
                               who: Caller = Depends(caller)):
        """OpenAI-compatible chat over a KB: the last user message is the question, earlier turns the
        history; citations in the extension field `korag` (`citations`, `mode`, `notices`)."""
        kb = x_korag_kb or body.model
        assistant = service.assistant(kb, who)
        turns = [(m.role, _text(m.content)) for m in body.messages if m.role in ("user", "assistant")]
        if not turns or turns[-1][0] != "user":
            raise api_error(422, "invalid_request", "the last message must be the user's question")
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
