"""The LLM client: any OpenAI-compatible server, first of all vLLM, through LangChain's OpenAI integration.

Chat models go through `ChatOpenAI` (the server applies the model's chat template); models without a
chat template (42dot LLM-SFT, KoAlpaca, Polyglot-ko) get korag's completion template through
`/v1/completions`. Tokens are counted with the served model's tokenizer (vLLM's `/tokenize`) when the
server has it, else with a conservative estimate (`estimate_tokens`).
"""
from __future__ import annotations

import json
import logging
import math
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import openai
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, SystemMessage
from langchain_openai import ChatOpenAI, OpenAI

from agents.errors import LLMOutputError, LLMUnavailable
from agents.presets import ModelPreset, find_preset
from agents.types import Message, TokenMeter  # noqa: F401  (TokenMeter: where callers found it)
from rag.settings import Settings

log = logging.getLogger(__name__)

# Without the model's tokenizer: Korean BPE vocabularies spend about one token per Hangul syllable
# (Llama 3: 1.0-1.5, Korean-extended vocabularies less), English about one per four characters. We
# over-count on purpose (1.3 per syllable, 1 per 3 other characters) so a prompt never overflows.
_HANGUL = re.compile(r"[\uac00-\ud7a3\u1100-\u11ff\u3130-\u318f]")
_DEFAULT_CONTEXT = 4096
SERVER_RETRY_S = 30.0  # how often a server that did not answer GET /v1/models is asked again


def estimate_tokens(text: str) -> int:
    """A conservative token count for Korean/English text when the model's tokenizer is unavailable."""
    hangul = len(_HANGUL.findall(text))
    return math.ceil(hangul * 1.3 + (len(text) - hangul) / 3)


@dataclass(frozen=True)
class ModelInfo:
    """What the server says about the configured model."""

    model: str
    context_length: int
    preset: str | None
    licence: str | None
    commercial: bool | None


class LLM:
    """One configured model on one OpenAI-compatible server."""

    def __init__(self, settings: Settings) -> None:
        if not settings.llm_base_url or not settings.llm_model:
            raise LLMUnavailable("no LLM configured: set KORAG_LLM_BASE_URL and KORAG_LLM_MODEL")
        self.settings = settings
        self.base_url = settings.llm_base_url.rstrip("/")
        self.model = settings.llm_model
        self.preset: ModelPreset | None = find_preset(self.model, settings.llm_preset)
        common = dict(base_url=self.base_url, api_key=settings.llm_api_key, model=self.model,
                      temperature=settings.llm_temperature, max_tokens=settings.llm_max_tokens,
                      timeout=settings.llm_timeout_s, max_retries=settings.llm_max_retries)
        self.chat_model = ChatOpenAI(**common, stream_usage=True)
        self._completion = OpenAI(**common) if self.completion_style else None
        self._server_context: int | None = None
        self._asked_server = False
        self._ask_again_at = 0.0
        self._tokenize_ok: bool | None = None  # unknown until tried once

    @property
    def completion_style(self) -> bool:
        return self.preset is not None and self.preset.format == "completion"

    @property
    def root_url(self) -> str:
        """vLLM serves /tokenize beside /v1, not under it."""
        return self.base_url[:-3] if self.base_url.endswith("/v1") else self.base_url

    @property
    def licence_notice(self) -> str | None:
        return self.preset.licence_notice if self.preset else None

    # --- what the server says ---

    def info(self) -> ModelInfo:
        """Ask the server about the model (GET /v1/models); raises `LLMUnavailable` when it can't answer."""
        try:
            response = httpx.get(f"{self.base_url}/models", timeout=min(10.0, self.settings.llm_timeout_s),
                                 headers={"Authorization": f"Bearer {self.settings.llm_api_key}"})
            response.raise_for_status()
            models = response.json().get("data", [])
        except (httpx.HTTPError, ValueError) as exc:
            raise LLMUnavailable(f"LLM server {self.base_url} is not answering: {exc}") from exc
        served = next((m for m in models if m.get("id") == self.model), None)
        if served is None:
            ids = ", ".join(m.get("id", "?") for m in models) or "none"
            raise LLMUnavailable(f"LLM server {self.base_url} does not serve {self.model!r} (it serves: {ids})")
        if served.get("max_model_len"):
            self._server_context = int(served["max_model_len"])
        p = self.preset
        return ModelInfo(self.model, self.context_length, p.name if p else None, p.licence if p else None,
                         p.commercial if p else None)

    @property
    def context_length(self) -> int:
        """Tokens the model sees: the setting, else what vLLM reports, else the preset's, else 4096."""
        if self.settings.llm_context_length:
            return self.settings.llm_context_length
        # once it answered; while it is down (vLLM still loading: compose starts korag first), again
        # at most every SERVER_RETRY_S, so a request neither waits on it nor keeps a stale length
        if not self._asked_server and time.monotonic() >= self._ask_again_at:
            self._asked_server = True  # before asking: info() reads context_length back
            try:
                self.info()
            except LLMUnavailable:
                self._asked_server = False
                self._ask_again_at = time.monotonic() + SERVER_RETRY_S
        if self._server_context and self.preset:
            return min(self._server_context, self.preset.context_length)  # vLLM may serve it shorter
        return self._server_context or (self.preset.context_length if self.preset else _DEFAULT_CONTEXT)

    def count_tokens(self, text: str) -> int:
        """Tokens in `text` by the model's own tokenizer (vLLM /tokenize), else `estimate_tokens`."""
        if self._tokenize_ok is not False:
            try:
                response = httpx.post(f"{self.root_url}/tokenize", json={"model": self.model, "prompt": text},
                                      timeout=min(10.0, self.settings.llm_timeout_s))
                if response.status_code == 200:
                    self._tokenize_ok = True
                    return int(response.json()["count"])
                self._tokenize_ok = False  # not vLLM, or an old one: estimate from now on
            except (httpx.HTTPError, KeyError, ValueError):
                self._tokenize_ok = False
        return estimate_tokens(text)

    # --- generation ---

    def generate(self, messages: list[Message], meter: TokenMeter | None = None, **kwargs: Any) -> str:
        """The model's reply to the conversation; its token counts are added to `meter` when given."""
        with server_errors(self.base_url):
            if self._completion is not None:
                prompt = self._prompt(messages)
                text = self._completion.invoke(prompt, stop=list(self.preset.stop), **kwargs).strip()
                self._count_completion(meter, prompt, text)
                return text
            reply = self.chat_model.invoke(_lc(messages), **kwargs)
        if meter is not None:
            meter.add_usage(reply.usage_metadata)
        return _text(reply)

    def _count_completion(self, meter: TokenMeter | None, prompt: str, text: str) -> None:
        # langchain's completion client drops the server's `usage`: count with its tokenizer (/tokenize)
        if meter is not None:
            meter.add(self.count_tokens(prompt), self.count_tokens(text))

    def stream(self, messages: list[Message], meter: TokenMeter | None = None) -> Iterator[str]:
        """The reply as it is generated, piece by piece; `LLMUnavailable` if the server breaks off.

        With `meter`, the server's token counts (its last event's `usage`) are added once the reply is complete.
        """
        shown = 0
        try:
            with server_errors(self.base_url):
                if self._completion is not None:
                    prompt, pieces = self._prompt(messages), []
                    for piece in self._completion.stream(prompt, stop=list(self.preset.stop)):
                        shown += 1
                        pieces.append(piece)
                        yield piece
                    self._count_completion(meter, prompt, "".join(pieces))
                    return
                finished = False
                for chunk in self.chat_model.stream(_lc(messages)):
                    finished = finished or bool(chunk.response_metadata.get("finish_reason"))
                    if meter is not None and chunk.usage_metadata:  # stream_usage: the last event carries it
                        meter.add_usage(chunk.usage_metadata)
                    if chunk.content:
                        shown += 1
                        yield chunk.content if isinstance(chunk.content, str) else _text(chunk)
                if not finished:
                    # the connection closed without the last event (server killed, a proxy cut it):
                    # the text so far is not the whole reply and must not pass for one
                    raise LLMUnavailable(f"LLM server {self.base_url} closed the stream before the reply's end")
        except LLMUnavailable as err:
            if shown:  # "not reachable" would puzzle a reader who has half an answer on screen
                raise LLMUnavailable(f"LLM server {self.base_url} broke off its reply after {shown} pieces: "
                                     f"{err}") from err
            raise

    def generate_json(self, messages: list[Message], schema: dict[str, Any], name: str = "result") -> Any:
        """A JSON reply constrained by `schema` (vLLM structured outputs via `response_format`), parsed."""
        response_format = {"type": "json_schema", "json_schema": {"name": name, "schema": schema}}
        if self._completion is not None:
            raw = self.generate(messages, extra_body={"response_format": response_format})
        else:
            raw = self.generate(messages, response_format=response_format)
        try:
            return json.loads(_strip_fence(raw))
        except json.JSONDecodeError as exc:
            raise LLMOutputError(f"the model's reply is not valid JSON ({exc.msg} at {exc.pos})", raw) from exc

    def _prompt(self, messages: list[Message]) -> str:
        system = "\n".join(text for role, text in messages if role == "system")
        turns = [(role, text) for role, text in messages if role != "system"]
        return self.preset.render(system, turns)


def _lc(messages: list[Message]) -> list[BaseMessage]:
    kinds = {"system": SystemMessage, "user": HumanMessage, "assistant": AIMessage}
    return [kinds[role](content=text) for role, text in messages]


def _text(message: BaseMessage) -> str:
    content = message.content
    if isinstance(content, list):  # content blocks
        content = "".join(part.get("text", "") if isinstance(part, dict) else str(part) for part in content)
    return (content or "").strip()


def _strip_fence(raw: str) -> str:
    """Models without constrained decoding often wrap JSON in ``` fences."""
    match = re.fullmatch(r"\s*```(?:json)?\s*(.*?)\s*```\s*", raw, re.S)
    return match.group(1) if match else raw


class server_errors:
    """Turns the OpenAI client's exceptions into `LLMUnavailable` naming the server and the cause."""

    def __init__(self, url: str) -> None:
        self.url = url

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind, exc, tb) -> bool:
        if exc is None:
            return False
        if isinstance(exc, openai.APITimeoutError):
            raise LLMUnavailable(f"LLM server {self.url} timed out") from exc
        if isinstance(exc, openai.APIConnectionError):
            raise LLMUnavailable(f"LLM server {self.url} is not reachable: {exc}") from exc
        if isinstance(exc, openai.APIStatusError):
            raise LLMUnavailable(f"LLM server {self.url} answered HTTP {exc.status_code}: {_message(exc)}") from exc
        return False


def _message(exc: openai.APIStatusError) -> str:
    body = exc.body if isinstance(exc.body, dict) else {}
    return str(body.get("message") or (body.get("error") or {}).get("message") or exc.message)


def llm_for(settings: Settings) -> LLM | None:
    """The configured LLM, or None when korag runs on its extractive default."""
    if not settings.llm_base_url or not settings.llm_model:
        return None
    return LLM(settings)
