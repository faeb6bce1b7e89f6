"""What the Python API returns: answers, summaries and extractions with their sources (pydantic, so the
HTTP API and the portal can serialise them as they are), and the chat `Message` the tasks pass around."""
from __future__ import annotations

from dataclasses import dataclass

from typing import Any, Literal

from pydantic import BaseModel, Field, computed_field

from rag.model import citation_label

Mode = Literal["llm", "extractive", "agent"]
Role = str  # "system" | "user" | "assistant"
Message = tuple[Role, str]  # one chat turn: (role, text) — history, prompts and the LLM client all use it


class Source(BaseModel):
    """A cited passage: [n] in the text points here — chunk, document, page and character span."""

    n: int = Field(description="The number used in the text, [n]")
    chunk_id: int
    document_id: str
    document: str = Field(description="The document's file name")
    page: int | None = None
    start: int = Field(description="Character span in the document's extracted text")
    end: int
    quote: str = Field(description="The cited text (a sentence, or the passage when the model cited all of it)")
    heading_path: list[str] = Field(default_factory=list)
    score: float | None = None
    boxes: list[tuple[float, float, float, float]] = Field(
        default_factory=list, description="OCR'd pages: regions of the page image (left, top, right, bottom as "
                                          "fractions of width and height) the passage was read from")

    @computed_field  # type: ignore[prop-decorator]
    @property
    def citation(self) -> str:
        """"규정.hwp › 제12조(대부한도) ① · 3쪽": what every surface shows for this source."""
        return citation_label(self.document, self.heading_path, self.page)

    def label(self) -> str:
        return f"[{self.n}] {self.citation}"


class Result(BaseModel):
    """What every task result says about how it was made."""

    mode: Mode = Field(description="'llm' (the configured model), 'extractive' (no LLM: sentences picked "
                                   "from the documents), or 'agent' (the tool-calling agent)")
    model: str | None = Field(None, description="The LLM that produced it, when one did")
    notices: list[str] = Field(default_factory=list, description="Things a person should know: fallbacks, licences")


class Usage(BaseModel):
    """What an answer cost in tokens, and who counted them."""

    prompt_tokens: int = Field(description="LLM: the prompts sent (question rewrite included); extractive: "
                                           "the question and the passages read")
    completion_tokens: int = Field(description="The answer's tokens")
    counted_by: Literal["llm", "kiwi"] = Field(description="'llm': the LLM server's own counts; 'kiwi': Kiwi "
                                                           "morphemes (extractive answers: no LLM tokenizer)")

    @property
    def total_tokens(self) -> int:
        return self.prompt_tokens + self.completion_tokens


class Answer(Result):
    question: str
    text: str
    citations: list[Source] = Field(default_factory=list)
    grounded: bool = Field(description="False when the documents did not support an answer")
    related: list[Source] = Field(default_factory=list, description="When not grounded (extractive): the closest "
                                  "passages, also named in the text as 관련 문서")
    usage: Usage | None = Field(None, description="Tokens: the LLM's counts, or Kiwi morphemes when extractive")
    standalone_question: str | None = Field(None, description="A follow-up rewritten to stand alone")
    tools_used: list[str] = Field(default_factory=list, description="Agent mode: the tools called, in order")
    steps: int = Field(0, description="Agent mode: model turns that called tools")


class Summary(Result):
    document_id: str | None = None
    document: str | None = None
    text: str
    citations: list[Source] = Field(default_factory=list)
    method: Literal["whole", "map-reduce", "extractive"]


class ExtractedField(BaseModel):
    value: Any = None
    source: Source | None = None
    how: str | None = Field(None, description="What gave the value (no LLM): the label, the 공문 header part, the column")
    reason: str | None = Field(None, description="Why the value is null (no LLM): e.g. no label names the field")


class Extraction(Result):
    document_id: str | None = None
    document: str | None = None
    data: dict[str, Any]
    fields: dict[str, ExtractedField] = Field(default_factory=dict)
    missing: list[str] = Field(default_factory=list, description="Schema properties nothing was found for")
    attempts: int = 1


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return "; ".join(_cell(v) for v in value)
    if isinstance(value, dict):
        import json

        return json.dumps(value, ensure_ascii=False)
    return str(value)


def field_rows(extraction: Extraction) -> list[dict[str, str]]:
    """One row per schema field, as the CLI, the portal and the CSV show it: value ("" when null), the
    document, page, character span and quoted text it came from, and how it was found or why not."""
    out = []
    for name, value in extraction.data.items():
        field = extraction.fields.get(name)
        src = field.source if field else None
        why = (field.how or "") if field and value is not None else (field.reason if field and field.reason else "")
        out.append({"필드": name, "값": _cell(value), "문서": src.document if src else "",
                    "쪽": str(src.page or "") if src else "", "위치": f"{src.start}–{src.end}" if src else "",
                    "근거": src.quote if src else "", "이유": why})
    return out


@dataclass
class TokenMeter:
    """Tokens the LLM server counted over the calls made for one task (OpenAI's `usage`, summed)."""

    prompt_tokens: int = 0
    completion_tokens: int = 0
    calls: int = 0

    def add(self, prompt_tokens: int, completion_tokens: int) -> None:
        self.prompt_tokens += prompt_tokens
        self.completion_tokens += completion_tokens
        self.calls += 1

    def add_usage(self, usage: dict[str, int] | None) -> None:
        """langchain's `usage_metadata` (input_tokens, output_tokens), as the server reported it."""
        if usage:
            self.add(int(usage.get("input_tokens") or 0), int(usage.get("output_tokens") or 0))
