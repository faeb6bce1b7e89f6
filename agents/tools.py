"""The agent's tools (LangChain tools): search the documents, read a page or section, summarize, extract,
and OCR an image. Every passage a tool shows the model gets a number [n] that the final answer can cite;
`Citations` maps those numbers back to chunks.
"""
from __future__ import annotations

import functools
import json
from dataclasses import dataclass, field

from langchain_core.tools import BaseTool, StructuredTool
from pydantic import BaseModel, Field

from agents.prompts import quote_data
from agents.tasks import Workspace, label, source
from agents.types import Source
from agents.vision_tools import make_tools as make_vision_tools
from rag.errors import DocumentNotFound
from rag.kb import SearchHit

_READ_LIMIT = 6000  # characters one read_document call returns; the agent can ask for the next page


@dataclass
class Citations:
    """Passages shown to the agent during one request, numbered in the order they were shown."""

    hits: list[SearchHit] = field(default_factory=list)

    def number(self, hit: SearchHit) -> int:
        for i, seen in enumerate(self.hits):
            if seen.chunk.id == hit.chunk.id:
                return i + 1
        self.hits.append(hit)
        return len(self.hits)

    def sources(self, numbers: list[int]) -> list[Source]:
        return [source(n, self.hits[n - 1]) for n in numbers if 1 <= n <= len(self.hits)]


class SearchArgs(BaseModel):
    query: str = Field(description="검색할 질문이나 핵심어 (한국어)")
    k: int = Field(5, ge=1, le=20, description="가져올 구절 수")


class ReadArgs(BaseModel):
    document: str = Field(description="문서 id 또는 파일 이름")
    page: int | None = Field(None, description="읽을 쪽 번호 (없으면 처음부터)")
    section: str | None = Field(None, description="읽을 절·장 제목의 일부 (예: '제3장')")


class SummarizeArgs(BaseModel):
    document: str = Field(description="문서 id 또는 파일 이름")
    length: str = Field("medium", description="short | medium | long")


class ExtractArgs(BaseModel):
    document: str = Field(description="문서 id 또는 파일 이름")
    json_schema: str = Field(description="추출할 항목의 JSON Schema (문자열)")


def _shown(citations: Citations, hits: list[SearchHit]) -> str:
    if not hits:
        return "관련 구절이 없습니다."
    return "\n\n".join(f"[{citations.number(h)}] {label(h)}\n{quote_data(h.chunk.text)}" for h in hits)


def _told_to_model(tool):
    """A bad document name or schema is the model's mistake to correct: answer it as text, not an exception."""

    @functools.wraps(tool)
    def wrapped(*args, **kwargs) -> str:
        try:
            return tool(*args, **kwargs)
        except (DocumentNotFound, ValueError) as error:  # json.JSONDecodeError is a ValueError
            return f"오류: {error}"

    return wrapped


def make_tools(ws: Workspace, citations: Citations) -> list[BaseTool]:
    """The tools bound to one knowledge base; passages they show are numbered in `citations`."""

    def search_documents(query: str, k: int = 5) -> str:
        return _shown(citations, ws.search(query, k, "hybrid"))

    def read_document(document: str, page: int | None = None, section: str | None = None) -> str:
        from agents.summarize import select_chunks

        record = ws.document(document)
        chunks = select_chunks(ws, record, (page, page) if page is not None else None)
        if section:
            chunks = [c for c in chunks if any(section in h for h in c.heading_path) or section in c.text[:80]]
        picked, size = [], 0
        for chunk in chunks:
            if size + len(chunk.text) > _READ_LIMIT and picked:
                break
            picked.append(SearchHit(chunk=chunk, document=record, score=0.0))
            size += len(chunk.text)
        return _shown(citations, picked) if picked else f"{record.name}: 해당 쪽/절에 본문이 없습니다."

    def summarize_document(document: str, length: str = "medium") -> str:
        from agents.summarize import select_chunks, summarize

        record = ws.document(document)
        return summarize(ws, record, select_chunks(ws, record), length if length in ("short", "medium", "long")
                         else "medium").text

    def extract_from_document(document: str, json_schema: str) -> str:
        from agents.extract import extract

        result = extract(ws, ws.document(document), json.loads(json_schema))
        return json.dumps(result.data, ensure_ascii=False)

    read_document, summarize_document, extract_from_document = map(
        _told_to_model, (read_document, summarize_document, extract_from_document))
    tools = [
        StructuredTool.from_function(search_documents, name="search_documents", args_schema=SearchArgs,
                                     description="지식베이스 문서에서 질문과 관련된 구절을 찾습니다. 결과의 [n]으로 인용하세요."),
        StructuredTool.from_function(read_document, name="read_document", args_schema=ReadArgs,
                                     description="문서의 특정 쪽이나 절을 읽습니다."),
        StructuredTool.from_function(summarize_document, name="summarize", args_schema=SummarizeArgs,
                                     description="문서 하나를 요약합니다."),
        StructuredTool.from_function(extract_from_document, name="extract", args_schema=ExtractArgs,
                                     description="문서에서 JSON Schema의 항목을 뽑아 JSON으로 돌려줍니다."),
    ]
    tools += make_vision_tools(ws.settings, ws.kb, ws.reader)  # ocr_page; ask_image… with a VLM
    return tools
