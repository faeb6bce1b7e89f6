"""`Assistant`: the Python API over one knowledge base — ingest, search, ask, chat, summarize, extract.

    from agents import Assistant
    assistant = Assistant(kb="회사")
    assistant.ingest(["규정/"])
    answer = assistant.ask("출장 숙박비 한도는?")
    print(answer.text)                     # "… 1박 10만원입니다 [1]"
    for source in answer.citations:
        print(source.label(), source.quote)

    kim = assistant.as_user("김민수")          # limited to what 김민수 and their groups may read
"""
from __future__ import annotations

import copy
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from filelock import Timeout

from ingest import background
from ingest.samples import FILES as SAMPLE_FILES  # the bundled Korean sample documents (korag demo)
from agents.history import ChatHistory, history_for
from agents.types import Answer, Extraction, Summary
from rag.acl import Reader, parse_readers
from rag import embed_state
from rag.audit import AuditEntry
from rag.embed_state import Vectors, embed_lock
from rag.filters import Filters
from rag.kb import KnowledgeBase, SearchHit
from rag.retrieve import Mode, Retriever, embedder_for, reranker_for
from rag.settings import Settings

if TYPE_CHECKING:  # imported where used: `korag search` loads neither the parsers nor LangChain (bench/cli_startup.py)
    from agents.llm import LLM, ModelInfo
    from ingest.ocr import OcrResult
    from ingest.pipeline import FileResult, Ingestor


def llm_for(settings: Settings) -> LLM | None:
    """The configured LLM client, or None on the extractive default (without importing LangChain)."""
    if not settings.llm_base_url or not settings.llm_model:
        return None
    from agents.llm import llm_for as build

    return build(settings)


class Assistant:
    """One knowledge base and the heavy objects (Kiwi) needed to fill and query it."""

    def __init__(self, kb: str | None = None, settings: Settings | None = None, create: bool = True,
                 user: str | None = None) -> None:
        self.settings = settings or Settings()
        self.kb = KnowledgeBase.open(self.settings, kb, create=create)
        self._ingestor: Ingestor | None = None
        self._retriever: Retriever | None = None
        # who is asking: None is the operator (reads everything); a user reads only what they may
        self.reader: Reader | None = self.kb.reader(user) if user else None
        self.llm: LLM | None = llm_for(self.settings)  # None: the extractive default
        self.history: ChatHistory = history_for(self.settings.chat_history_url, self.kb.name,
                                                self.settings.chat_history_turns)

    def as_user(self, user: str | None, admin: bool = False) -> Assistant:
        """This Assistant for one person: the same KB, indexes and LLM, limited to what they may read.

        Cheap (no model is loaded again); the API and portal make one per request, so group
        membership changes apply at once.
        """
        self.retriever  # built once, shared by every per-user copy  # noqa: B018
        other = copy.copy(self)
        other.reader = self.kb.reader(user, admin) if user else None
        return other

    def documents(self):
        """The documents this Assistant's user may read."""
        return self.kb.documents(self.reader)

    def document(self, ref: str):
        """A document by id or file name that this Assistant's user may read (DocumentNotFound otherwise)."""
        return self.kb.document(ref, self.reader)

    def audit(self, action: str, query: str, hits_or_sources: Iterable = (), mode: str | None = None) -> None:
        """Append one request of this Assistant's user to the KB's audit log (KORAG_AUDIT_LOG)."""
        if not self.settings.audit_log:
            return
        docs: dict[str, str] = {}
        chunks: list[int] = []
        for item in hits_or_sources:  # SearchHit or Source
            if isinstance(item, SearchHit):
                docs.setdefault(item.document.id, item.document.name)
                chunks.append(item.chunk.id)
            else:
                docs.setdefault(item.document_id, item.document)
                chunks.append(item.chunk_id)
        reader = self.reader
        self.kb.audit.append(AuditEntry(user=(reader.user if reader and reader.user else "(operator)"),
                                        groups=reader.groups if reader else (), action=action, query=query,
                                        mode=mode, documents=tuple(docs.items()), chunks=tuple(chunks)))

    @property
    def retriever(self) -> Retriever:
        """Built on first use: loading the embedder costs a second or two."""
        if self._retriever is None:
            self._retriever = Retriever(self.kb, embedder_for(self.settings), reranker_for(self.settings),
                                        rerank_top=self.settings.rerank_top)
        return self._retriever

    @property
    def ingestor(self) -> Ingestor:
        from ingest.pipeline import Ingestor

        if self._ingestor is None:
            self._ingestor = Ingestor(self.kb, self.settings)
        return self._ingestor

    @staticmethod
    def files(paths: Iterable[str | Path]) -> list[Path]:
        """The files `ingest` would read: those named, and those under folders named."""
        from ingest.pipeline import expand_paths

        return expand_paths(paths)

    def _ingestor_for(self, tags: Iterable[str], readers: Iterable[str] | None,
                      ocr_engine: str | None = None) -> Ingestor:
        """An Ingestor for one call (its own tags, readers, uploader, OCR engine), sharing the warmed splitter."""
        from ingest.pipeline import Ingestor

        return Ingestor(self.kb, self.settings, splitter=self.ingestor.splitter, tags=tuple(tags),
                        readers=parse_readers(readers) if readers is not None else None,
                        uploader=self.reader, ocr_engine=ocr_engine)

    def ingest(self, paths: Iterable[str | Path], on_result: Callable[[FileResult], None] | None = None,
               tags: Iterable[str] = (), readers: Iterable[str] | None = None,
               on_ocr_page: Callable[[str, int, int], None] | None = None,
               ocr_engine: str | None = None, embed: bool = True) -> list[FileResult]:
        """Ingest files and folders (recursive); one `FileResult` per file, failures included.

        Returns once the documents are searchable (by keywords); with `embed`, the KB's background
        embedder then fills in their dense vectors (`vectors()` follows it, `wait_for_vectors()` waits).
        `readers` (`group:인사팀`, `user:김민수`) restrict who may read what is ingested; None: the whole KB.
        `on_ocr_page(name, done, total)` follows OCR of scans and images (a 300-page scan takes minutes).
        `ocr_engine` ("auto", "tesseract", "scene", "varco") reads scans and images (None: KORAG_OCR_ENGINE).
        """
        ingestor = self._ingestor_for(tags, readers, ocr_engine)
        ingestor.on_ocr_page = on_ocr_page
        results = ingestor.ingest_paths(paths, on_result=on_result)
        if embed and any(r.status in ("added", "updated") for r in results):
            self.embed_in_background()
        return results

    def ingest_bytes(self, data: bytes, name: str, tags: Iterable[str] = (),
                     readers: Iterable[str] | None = None, ocr_engine: str | None = None,
                     embed: bool = True) -> FileResult:
        """Ingest an upload; searchable on return, vectors follow in the background (see `ingest`)."""
        result = self._ingestor_for(tags, readers, ocr_engine).ingest_bytes(data, name)
        if embed and result.status in ("added", "updated"):
            self.embed_in_background()
        return result

    # --- dense vectors: nobody waits for them ---

    def embed_in_background(self) -> bool:
        """Start the KB's background embedder unless one runs (or vectors are off); True if started."""
        return background.start(self.settings, self.kb.name)

    def vectors(self) -> Vectors:
        """The KB's dense vectors: how many chunks have one, and whether an embedder is at work."""
        return embed_state.vectors(self.kb)

    def document_vectors(self, doc_ids: list[str] | None = None) -> dict[str, Vectors]:
        """Per document: its chunks with a vector out of its chunks."""
        return embed_state.document_vectors(self.kb, doc_ids)

    def wait_for_vectors(self, on_progress: Callable[[int, int], None] | None = None,
                         poll_s: float = 0.5, timeout_s: float | None = None) -> Vectors:
        """Block until every chunk has a vector or no embedder is left at work (`korag ingest --wait`)."""
        deadline = None if timeout_s is None else time.monotonic() + timeout_s
        while True:
            status = self.vectors()
            if on_progress is not None:
                on_progress(status.done, status.total)
            if status.complete or not status.embedding or (deadline is not None and time.monotonic() > deadline):
                return status
            time.sleep(poll_s)

    def search(self, query: str, k: int = 5, filters: Filters | None = None, mode: Mode = "hybrid") -> list[SearchHit]:
        """The k best passages for a Korean question or keywords, within `filters`.

        `mode`: "hybrid" (BM25 + dense, the default; BM25 alone until vectors exist), "lexical", "dense".
        """
        hits = self.workspace.search(query, k, mode, filters)
        self.audit("search", query, hits)
        return hits

    def embed(self, on_progress: Callable[[int, int], None] | None = None) -> int:
        """Fill in dense vectors for chunks that have none yet, here and now; returns how many were embedded.

        Holds the KB's embed lock, so it never doubles a background embedder's work: while one runs,
        this follows it instead and returns 0. `on_progress(done, total)` counts the whole KB's chunks.
        """
        if self.retriever.embedder is None:
            return 0
        lock = embed_lock(self.kb.path)
        try:
            lock.acquire(timeout=0)
        except Timeout:
            self.wait_for_vectors(on_progress)
            return 0
        try:
            before = self.vectors()
            return self.kb.embed_pending(
                self.retriever.embedder,
                None if on_progress is None else lambda n, _: on_progress(before.done + n, before.total))
        finally:
            lock.release()

    # --- answering ---

    @property
    def workspace(self):
        from agents.tasks import Workspace

        return Workspace(self.kb, self.retriever, self.settings, self.llm, self.reader)

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

        result = answer(self.workspace, question, list(history), filters, k)
        self.audit("ask", question, result.citations, result.mode)
        return result

    def stream(self, question: str, history: list[tuple[str, str]] = (), filters: Filters | None = None,
               k: int | None = None) -> Iterator[str | Answer]:
        """Yields the answer's text piece by piece as the model writes it, then the finished `Answer`."""
        from agents.tasks import stream_answer

        for item in stream_answer(self.workspace, question, list(history), filters, k):
            if isinstance(item, Answer):
                self.audit("ask", question, item.citations, item.mode)
            yield item

    def chat(self, message: str, conversation: str = "default", filters: Filters | None = None,
             agent: bool = False) -> Answer:
        """One turn of a conversation: follow-ups are rewritten to stand alone; the turn is remembered."""
        conversation = self._conversation(conversation)
        history = self.history.messages(conversation)
        result = self.agent(message, history) if agent else self.ask(message, history, filters)
        self.history.append(conversation, "user", message)
        self.history.append(conversation, "assistant", result.text)
        return result

    def _conversation(self, conversation: str) -> str:
        """Conversations are per user: one person can never read another's by guessing its id."""
        return f"{self.reader.user}/{conversation}" if self.reader is not None and self.reader.user else conversation

    def chat_stream(self, message: str, conversation: str = "default",
                    filters: Filters | None = None) -> Iterator[str | Answer]:
        """`chat`, streamed: text pieces, then the `Answer`; the turn is remembered once it is complete."""
        conversation = self._conversation(conversation)
        history = self.history.messages(conversation)
        for item in self.stream(message, history, filters):
            if isinstance(item, Answer):
                self.history.append(conversation, "user", message)
                self.history.append(conversation, "assistant", item.text)
            yield item

    def agent(self, request: str, history: list[tuple[str, str]] = ()) -> Answer:
        """An open-ended request handled by the tool-calling agent (needs an LLM with tool calling)."""
        from agents.agent import run_agent

        result = run_agent(self.workspace, request, list(history))
        self.audit("agent", request, result.citations, result.mode)
        return result

    def summarize(self, document: str, length: str = "medium", style: str = "paragraph",
                  pages: tuple[int, int] | None = None, chunk_ids: list[int] | None = None) -> Summary:
        """Summarize a document (id or file name), or a page range / chosen chunks of it."""
        from agents.summarize import select_chunks, summarize

        record = self.document(document)
        result = summarize(self.workspace, record, select_chunks(self.workspace, record, pages, chunk_ids),
                           length, style)
        self.audit("summarize", record.name, result.citations, result.mode)
        return result

    def ocr(self, source: str | Path | bytes, engine: str | None = None, pages: list[int] | None = None,
            name: str | None = None, on_page: Callable[[int, int], None] | None = None) -> list[OcrResult]:
        """OCR an image or a PDF (every page, or `pages`): one `OcrResult` per page, words with pixel boxes.

        `engine`: "auto", "tesseract", "scene" or "varco" (default: KORAG_OCR_ENGINE; with "auto" each
        result's `engine` says which read the page and `chosen` why). Nothing is stored in the KB.
        """
        from agents.ocr import read_pages

        return list(read_pages(self.settings, source, engine, pages, name, on_page))

    def extract(self, document: str, schema: dict[str, Any] | type) -> Extraction:
        """Fill a JSON Schema (or pydantic model) from a document; each field with its source."""
        from agents.extract import extract

        record = self.document(document)
        result = extract(self.workspace, record, schema)
        self.audit("extract", record.name, [f.source for f in result.fields.values() if f.source], result.mode)
        return result

