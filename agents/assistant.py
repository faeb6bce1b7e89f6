"""`Assistant`: the Python API over one knowledge base (ingest and search, so far).

    from agents import Assistant
    assistant = Assistant(kb="회사")
    assistant.ingest(["규정/"])
    for hit in assistant.search("출장 숙박비 한도"):
        print(hit.document.name, hit.chunk.page, hit.chunk.text)
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

from ingest.pipeline import FileResult, Ingestor, expand_paths
from ingest.samples import FILES as SAMPLE_FILES  # the bundled Korean sample documents (korag demo)
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
