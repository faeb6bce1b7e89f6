"""`Assistant`: the Python API over one knowledge base — ingest, search, ask, chat, summarize, extract.

    from agents import Assistant
    assistant = Assistant(kb="회사")
    assistant.ingest(["규정/"])
    answer = assistant.ask("출장 숙박비 한도는?")
    print(answer.text)                     # "… 1박 10만원입니다 [1]"
    for source in answer.citations:
        print(source.label(), source.quote)
"""
from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from ingest.pipeline import FileResult, Ingestor, expand_paths
from ingest.samples import FILES as SAMPLE_FILES  # the bundled Korean sample documents (korag demo)
from ingest import queue as jobs  # the ingest job queue and its errors, for the CLI and HTTP API (ui imports agents)
from agents.history import ChatHistory, history_for
from agents.llm import LLM, ModelInfo, llm_for
from agents.types import Answer, Extraction, Summary
from agents.vision import OcrResult
from rag.filters import Filters
from rag.kb import KnowledgeBase, SearchHit
from rag.retrieve import Mode, Retriever, embedder_for, reranker_for
from rag.settings import Settings


class Assistant:
    """One knowledge base and the heavy objects (Kiwi) needed to fill and query it."""

    def __init__(self, kb: str | None = None, settings: Settings | None = None, create: bool = True) -> None:
        self.settings = settings or Settings()
        self.kb = KnowledgeBase.open(self.settings, kb, create=create)
        self._ingestor: Ingestor | None = None
        self._retriever: Retriever | None = None
        self.llm: LLM | None = llm_for(self.settings)  # None: the extractive default
        self.history: ChatHistory = history_for(self.settings.chat_history_url, self.kb.name,
                                                self.settings.chat_history_turns)

    @property
    def retriever(self) -> Retriever:
        """Built on first use: loading the embedder costs a second or two."""
        if self._retriever is None:
            self._retriever = Retriever(self.kb, embedder_for(self.settings), reranker_for(self.settings),
                                        rerank_top=self.settings.rerank_top)
        return self._retriever

    @property
    def ingestor(self) -> Ingestor:
        if self._ingestor is None:
            self._ingestor = Ingestor(self.kb, self.settings)
        return self._ingestor

    @staticmethod
    def files(paths: Iterable[str | Path]) -> list[Path]:
        """The files `ingest` would read: those named, and those under folders named."""
        return expand_paths(paths)

    def ingest(self, paths: Iterable[str | Path], on_result: Callable[[FileResult], None] | None = None,
               tags: Iterable[str] = ()) -> list[FileResult]:
        """Ingest files and folders (recursive); one `FileResult` per file, failures included."""
        self.ingestor.tags = tuple(tags)
        return self.ingestor.ingest_paths(paths, on_result=on_result)

    def ingest_bytes(self, data: bytes, name: str) -> FileResult:
        """Ingest an upload."""
        return self.ingestor.ingest_bytes(data, name)

    def search(self, query: str, k: int = 5, filters: Filters | None = None, mode: Mode = "hybrid") -> list[SearchHit]:
        """The k best passages for a Korean question or keywords, within `filters`.

        `mode`: "hybrid" (BM25 + dense, the default; BM25 alone until vectors exist), "lexical", "dense".
        """
        return self.retriever.search(query, k, mode, filters)

    def embed(self, on_progress: Callable[[int, int], None] | None = None) -> int:
        """Fill in dense vectors for chunks that have none yet; returns how many were embedded."""
        if self.retriever.embedder is None:
            return 0
        return self.kb.embed_pending(self.retriever.embedder, on_progress)

    # --- answering ---

    @property
    def workspace(self):
        from agents.tasks import Workspace

        return Workspace(self.kb, self.retriever, self.settings, self.llm)

    @property
    def mode(self) -> str:
        """'llm' when a model is configured, else 'extractive'."""
        return "llm" if self.llm is not None else "extractive"

    def model_info(self) -> ModelInfo | None:
        """The configured model as its server reports it (context length, preset, licence); None without one."""
        return self.llm.info() if self.llm is not None else None

    def ask(self, question: str, history: list[tuple[str, str]] = (), filters: Filters | None = None,
            k: int | None = None) -> Answer:
        """Answer from the documents with citations [n]; `answer.mode` says whether an LLM wrote it."""
        from agents.tasks import answer

        return answer(self.workspace, question, list(history), filters, k)

    def stream(self, question: str, history: list[tuple[str, str]] = (), filters: Filters | None = None,
               k: int | None = None) -> Iterator[str | Answer]:
        """Yields the answer's text piece by piece as the model writes it, then the finished `Answer`."""
        from agents.tasks import stream_answer

        return stream_answer(self.workspace, question, list(history), filters, k)

    def chat(self, message: str, conversation: str = "default", filters: Filters | None = None,
             agent: bool = False) -> Answer:
        """One turn of a conversation: follow-ups are rewritten to stand alone; the turn is remembered."""
        history = self.history.messages(conversation)
        result = self.agent(message, history) if agent else self.ask(message, history, filters)
        self.history.append(conversation, "user", message)
        self.history.append(conversation, "assistant", result.text)
        return result

    def chat_stream(self, message: str, conversation: str = "default",
                    filters: Filters | None = None) -> Iterator[str | Answer]:
        """`chat`, streamed: text pieces, then the `Answer`; the turn is remembered once it is complete."""
        history = self.history.messages(conversation)
        for item in self.stream(message, history, filters):
            if isinstance(item, Answer):
                self.history.append(conversation, "user", message)
                self.history.append(conversation, "assistant", item.text)
            yield item

    def agent(self, request: str, history: list[tuple[str, str]] = ()) -> Answer:
        """An open-ended request handled by the tool-calling agent (needs an LLM with tool calling)."""
        from agents.agent import run_agent

        return run_agent(self.workspace, request, list(history))

    def summarize(self, document: str, length: str = "medium", style: str = "paragraph",
                  pages: tuple[int, int] | None = None, chunk_ids: list[int] | None = None) -> Summary:
        """Summarize a document (id or file name), or a page range / chosen chunks of it."""
        from agents.summarize import select_chunks, summarize

        record = self.kb.document(document)
        return summarize(self.workspace, record, select_chunks(self.workspace, record, pages, chunk_ids),
                         length, style)

    def ocr(self, source: str | Path | bytes, engine: str | None = None, pages: list[int] | None = None,
            name: str | None = None, on_page: Callable[[int, int], None] | None = None) -> list[OcrResult]:
        """OCR an image or a PDF (every page, or `pages`): one `OcrResult` per page, words with pixel boxes.

        `engine`: "tesseract" or "varco" (default: KORAG_OCR_ENGINE). Nothing is stored in the KB.
        """
        from agents.vision import engine_for, ocr_file

        chosen = engine_for(self.settings, engine) if engine else None
        return list(ocr_file(source, self.settings, chosen, name, pages, on_page))

    def extract(self, document: str, schema: dict[str, Any] | type) -> Extraction:
        """Fill a JSON Schema (or pydantic model) from a document; each field with its source."""
        from agents.extract import extract

        return extract(self.workspace, self.kb.document(document), schema)

