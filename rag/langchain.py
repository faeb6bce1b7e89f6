"""A LangChain `BaseRetriever` over a korag knowledge base, for people who bring their own chains.

    from rag.langchain import KoragRetriever
    retriever = KoragRetriever.from_settings(kb="회사", k=5)
    docs = retriever.invoke("출장 숙박비 한도")
    kim = KoragRetriever.from_settings(kb="회사", user="김민수")   # only what 김민수 may read
"""
from __future__ import annotations

from typing import Any

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict

from rag.filters import Filters
from rag.kb import KnowledgeBase
from rag.model import citation_label
from rag.retrieve import Retriever, embedder_for, reranker_for
from rag.settings import Settings


class KoragRetriever(BaseRetriever):
    """Passages of one KB as LangChain `Document`s; metadata carries the citation."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    retriever: Any  # a rag.retrieve.Retriever (Any: pydantic cannot validate it)
    k: int = 5
    mode: str = "hybrid"
    filters: Filters | None = None

    @classmethod
    def from_settings(cls, kb: str | None = None, settings: Settings | None = None, user: str | None = None,
                      **kwargs: Any) -> KoragRetriever:
        """A retriever over the named KB with the embedder and reranker the settings configure;
        with `user`, limited (inside the indexes) to the documents that user may read."""
        settings = settings or Settings()
        knowledge = KnowledgeBase.open(settings, kb)
        if user is not None:
            kwargs["filters"] = (kwargs.get("filters") or Filters()).for_reader(knowledge.reader(user))
        return cls(retriever=Retriever(knowledge, embedder_for(settings), reranker_for(settings),
                                       rerank_top=settings.rerank_top), **kwargs)

    def _get_relevant_documents(self, query: str, *, run_manager: CallbackManagerForRetrieverRun) -> list[Document]:
        hits = self.retriever.search(query, self.k, self.mode, self.filters)
        return [
            Document(
                page_content=hit.chunk.text,
                metadata={
                    "document_id": hit.document.id,
                    "source": hit.document.name,
                    "page": hit.chunk.page,
                    "heading_path": list(hit.chunk.heading_path),
                    "citation": citation_label(hit.document.name, hit.chunk.heading_path, hit.chunk.page),
                    "kind": hit.chunk.kind,
                    "chunk_id": hit.chunk.id,
                    "start": hit.chunk.start,
                    "end": hit.chunk.end,
                    "score": hit.score,
                },
                id=str(hit.chunk.id),
            )
            for hit in hits
        ]
