"""The knowledge base on disk: atomic writes, versions, deletion, the write lock, the lexical index."""
from __future__ import annotations

import sqlite3

import pytest

from ingest.pipeline import Ingestor
from rag.errors import DocumentNotFound, InvalidName, KnowledgeBaseBusy, KnowledgeBaseNotFound
from rag.kb import KnowledgeBase
from rag.model import Chunk
from rag.settings import Settings


@pytest.fixture()
def settings(tmp_path) -> Settings:
    return Settings(home=tmp_path / "home", kb="test", lock_timeout_s=0.5)


@pytest.fixture()
def kb(settings) -> KnowledgeBase:
    return KnowledgeBase.open(settings, create=True)


@pytest.fixture()
def ingestor(kb, settings, kiwi) -> Ingestor:
    return Ingestor(kb, settings)


def test_missing_kb_is_a_clear_error(settings):
    with pytest.raises(KnowledgeBaseNotFound, match="korag ingest"):
        KnowledgeBase.open(settings, "없는kb")
    with pytest.raises(InvalidName):
        KnowledgeBase.open(settings, "../escape", create=True)


def test_two_homes_never_mix(tmp_path, kiwi):
    a = Settings(home=tmp_path / "a", kb="x")
    b = Settings(home=tmp_path / "b", kb="x")
    Ingestor(KnowledgeBase.open(a, create=True), a).ingest_bytes("출장비 규정입니다.".encode(), "a.txt")
    assert KnowledgeBase.names(a) == ["x"] and KnowledgeBase.names(b) == []


def test_same_bytes_twice_is_a_no_op(ingestor, kb):
    data = "연차휴가는 15일이다.".encode()
    first = ingestor.ingest_bytes(data, "휴가.txt")
    again = ingestor.ingest_bytes(data, "휴가-사본.txt")
    assert (first.status, again.status) == ("added", "unchanged")
    assert again.document_id == first.document_id
    assert kb.store.counts() == {"documents": 1, "chunks": 1}


def test_changed_file_replaces_its_chunks(ingestor, kb, tmp_path):
    path = tmp_path / "규정.txt"
    path.write_text("출장 일비는 2만원이다.", encoding="utf-8")
    first = ingestor.ingest_file(path)
    path.write_text("출장 숙박비는 7만원이다.", encoding="utf-8")
    second = ingestor.ingest_file(path)
    assert (first.status, second.status) == ("added", "updated")
    assert first.document_id == second.document_id
    doc = kb.document("규정.txt")
    assert doc.version == 2
    assert [h.chunk.text for h in kb.search_lexical("숙박비")] == ["출장 숙박비는 7만원이다."]
    assert kb.search_lexical("일비") == []
    stored = list((kb.path / "files").rglob("*.txt"))
    assert len(stored) == 1 and stored[0].read_text(encoding="utf-8") == "출장 숙박비는 7만원이다."


def test_delete_removes_chunks_index_entries_and_file(ingestor, kb):
    ingestor.ingest_bytes("보안 지침: 비밀번호는 90일마다 바꾼다.".encode(), "보안.txt")
    ingestor.ingest_bytes("복지 안내: 건강검진은 매년 실시한다.".encode(), "복지.txt")
    assert kb.search_lexical("비밀번호")
    kb.delete_document("보안.txt")
    assert kb.search_lexical("비밀번호") == []
    assert [d.name for d in kb.documents()] == ["복지.txt"]
    assert kb.store.counts() == {"documents": 1, "chunks": 1}
    assert len(list((kb.path / "files").rglob("*.txt"))) == 1
    with pytest.raises(DocumentNotFound):
        kb.document("보안.txt")


def test_failed_write_leaves_the_kb_as_it_was(ingestor, kb):
    ingestor.ingest_bytes("기존 문서입니다. 연차는 15일이다.".encode(), "기존.txt")
    before = kb.store.counts()
    generation = kb.store.generation()
    from ingest.loaders import load

    parsed = load("새 문서. 출장비 규정.".encode(), "새.txt")
    bad = [Chunk(text=None, morphemes=(), page=None, heading_path=(), ordinal=0, start=0, end=1)]  # NOT NULL
    with pytest.raises(sqlite3.IntegrityError):
        kb.add_document("upload:새.txt", b"x", "ab" * 32, parsed, bad)
    assert kb.store.counts() == before
    assert kb.store.generation() == generation
    assert not list((kb.path / "files").rglob("abab*"))  # the staged original was removed


def test_one_writer_at_a_time(settings, kb):
    other = KnowledgeBase.open(settings)
    with kb.writing():
        with pytest.raises(KnowledgeBaseBusy):
            with other.writing():
                pass
    with other.writing():  # free again once released
        pass


def test_reader_never_uses_a_stale_lexical_index(settings, ingestor, kb):
    reader = KnowledgeBase.open(settings)
    ingestor.ingest_bytes("첫 문서: 회의실 예약 규정.".encode(), "a.txt")
    assert reader.search_lexical("회의실")
    ingestor.ingest_bytes("둘째 문서: 주차장 이용 안내.".encode(), "b.txt")
    # the writer's throttled refresh may not have published yet; the reader still sees b
    assert [h.document.name for h in reader.search_lexical("주차장")] == ["b.txt"]


def test_kb_delete_removes_the_directory(settings, kb):
    KnowledgeBase.delete(settings, "test")
    assert not kb.path.exists()
    assert KnowledgeBase.names(settings) == []


def test_filters_apply_inside_the_index(settings, kb, kiwi, tmp_path):
    from datetime import date, timedelta

    from rag.filters import Filters

    hr, finance = tmp_path / "인사", tmp_path / "재무"
    hr.mkdir(), finance.mkdir()
    (hr / "휴가.txt").write_text("연차휴가 신청은 전자결재로 한다. 휴가 규정.", encoding="utf-8")
    (finance / "예산.txt").write_text("예산 집행 규정. 휴가 기간의 출장 예산은 인당 30만원이다.", encoding="utf-8")
    Ingestor(kb, settings, tags=("인사",)).ingest_paths([hr])
    Ingestor(kb, settings, tags=("재무",)).ingest_paths([finance])
    assert {h.document.name for h in kb.search_lexical("휴가", 10)} == {"휴가.txt", "예산.txt"}
    assert [h.document.name for h in kb.search_lexical("휴가", 10, Filters(tags=("재무",)))] == ["예산.txt"]
    assert [h.document.name for h in kb.search_lexical("휴가", 10, Filters(folder=str(hr)))] == ["휴가.txt"]
    only = kb.document("예산.txt").id
    assert [h.document.name for h in kb.search_lexical("휴가", 10, Filters(documents=(only,)))] == ["예산.txt"]
    tomorrow = date.today() + timedelta(days=1)
    assert kb.search_lexical("휴가", 10, Filters(since=tomorrow)) == []
    assert len(kb.search_lexical("휴가", 10, Filters(until=tomorrow))) == 2
    # k results even when the filtered-out document ranks higher for the query
    assert [h.document.name for h in kb.search_lexical("연차휴가 신청", 1, Filters(tags=("재무",)))] == ["예산.txt"]
    kb.store.set_tags(only, ["공개"])
    assert kb.search_lexical("휴가", 10, Filters(tags=("재무",))) == []


def test_user_dictionary_applies_at_indexing_and_query_time(settings, kb, kiwi):
    ingestor = Ingestor(kb, settings)
    ingestor.ingest_bytes("한빛전자 품질 기준은 매년 개정한다.".encode(), "품질.txt")
    ingestor.ingest_bytes("한빛 아파트 전자 출입문 이용 안내.".encode(), "출입.txt")
    before = {h.document.name for h in kb.search_lexical("한빛전자", 5)}
    assert before == {"품질.txt", "출입.txt"}  # 한빛/전자 split: the company name leaks into other text
    redone = kb.set_user_words([("한빛전자", "NNP")])
    assert redone == 2
    assert "한빛전자" in kb.store.all_chunks()[0].morphemes
    assert [h.document.name for h in kb.search_lexical("한빛전자", 5)] == ["품질.txt"]
    # and new documents are split with it
    Ingestor(kb, settings).ingest_bytes("한빛전자 협력업체 등록 안내.".encode(), "협력.txt")
    assert {h.document.name for h in kb.search_lexical("한빛전자", 5)} == {"품질.txt", "협력.txt"}
