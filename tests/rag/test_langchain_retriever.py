"""The LangChain retriever returns cited passages from a real KB."""
from __future__ import annotations

from ingest.pipeline import Ingestor
from rag.filters import Filters
from rag.kb import KnowledgeBase
from rag.langchain import KoragRetriever
from rag.retrieve import Retriever
from rag.settings import Settings


def test_retriever_returns_documents_with_citations(tmp_path, kiwi):
    settings = Settings(home=tmp_path, kb="lc", embedder="none")
    kb = KnowledgeBase.open(settings, create=True)
    Ingestor(kb, settings).ingest_bytes("# 출장비\n\n숙박비는 1박 7만원을 한도로 한다.".encode(), "출장.md")
    Ingestor(kb, settings).ingest_bytes("보안 점검은 분기마다 실시한다.".encode(), "보안.txt")
    retriever = KoragRetriever.from_settings(kb="lc", settings=settings, k=2)
    docs = retriever.invoke("숙박비 한도")
    assert docs[0].page_content.endswith("숙박비는 1박 7만원을 한도로 한다.")
    assert docs[0].metadata["source"] == "출장.md" and docs[0].metadata["heading_path"] == ["출장비"]
    only_security = KoragRetriever(retriever=Retriever(kb), k=2, mode="lexical",
                                   filters=Filters(documents=(kb.document("보안.txt").id,)))
    assert [d.metadata["source"] for d in only_security.invoke("숙박비 점검")] == ["보안.txt"]
