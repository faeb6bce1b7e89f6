"""What the Python API returns: answers, summaries and extractions with their sources (pydantic, so the
HTTP API and the portal can serialise them as they are), and the chat `Message` the tasks pass around."""
from __future__ import annotations

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


class Answer(Result):
    question: str
    text: str
    citations: list[Source] = Field(default_factory=list)
    grounded: bool = Field(description="False when the documents did not support an answer")
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


class Extraction(Result):
    document_id: str | None = None
    document: str | None = None
    data: dict[str, Any]
    fields: dict[str, ExtractedField] = Field(default_factory=dict)
    missing: list[str] = Field(default_factory=list, description="Schema properties nothing was found for")
    attempts: int = 1
