"""Lexical terms: content morphemes plus adjacent noun pairs, and the upgrade of older KBs."""
from __future__ import annotations

import sqlite3

from ingest.pipeline import Ingestor
from rag.kb import KnowledgeBase
from rag.lexical import LexicalIndex
from rag.morphemes import content_terms, lexical_terms_of, noun_pairs
from rag.settings import Settings

PHRASE = "올해 상반기에는 전 직원이 개인 정보 보호 교육을 이수해야 하며, 부서장은 이수 현황을 인사 시스템에서 확인한다."
SCATTERED = "교육 일정은 개인이 정하고, 보호 장비와 정보 게시판을 확인한다."
QUERY = "개인정보 보호 교육"


def test_noun_pairs_join_neighbours_written_together_or_one_space_apart(kiwi):
    assert noun_pairs(kiwi.tokenize("시중은행 인가 요건")) == ["시중_은행", "은행_인가", "인가_요건"]
    assert noun_pairs(kiwi.tokenize("AI 모델")) == ["ai_모델"]  # foreign words lower-cased like unigrams
    assert noun_pairs(kiwi.tokenize("은행의 인가")) == []  # a particle between: two phrases
    assert noun_pairs(kiwi.tokenize("은행, 인가")) == []  # punctuation between
    assert noun_pairs(kiwi.tokenize("은행    인가")) == []  # far apart
    terms = lexical_terms_of(kiwi, "시중은행 인가")
    assert terms[:3] == ["시중", "은행", "인가"] and "시중_은행" in terms


def test_a_phrase_outranks_its_words_scattered(tmp_path, kiwi):
    settings = Settings(home=tmp_path, kb="t")
    kb = KnowledgeBase.open(settings, create=True)
    ingestor = Ingestor(kb, settings)
    ingestor.ingest_bytes(PHRASE.encode(), "phrase.txt")
    ingestor.ingest_bytes(SCATTERED.encode(), "scattered.txt")
    assert [h.document.name for h in kb.search_lexical(QUERY, 2)] == ["phrase.txt", "scattered.txt"]
    # the same two texts with unigrams only rank the other way: the pairs make the difference
    unigrams = LexicalIndex.build([1, 2], [content_terms(kiwi.tokenize(t)) for t in (PHRASE, SCATTERED)], 0)
    assert [h.chunk_id for h in unigrams.search(content_terms(kiwi.tokenize(QUERY)), 2)] == [2, 1]


def test_a_kb_from_an_older_korag_is_retokenized_once(tmp_path, kiwi):
    settings = Settings(home=tmp_path, kb="old")
    kb = KnowledgeBase.open(settings, create=True)
    assert kb.store.terms_stale() is None  # a new KB starts on today's terms
    Ingestor(kb, settings).ingest_bytes(PHRASE.encode(), "phrase.txt")
    Ingestor(kb, settings).ingest_bytes(SCATTERED.encode(), "scattered.txt")
    kb.close()
    # what korag wrote before noun pairs: unigrams only, no term version in meta, and (once migrations
    # were recorded) the noun-pair migration not yet applied
    db = sqlite3.connect(tmp_path / "old" / "kb.sqlite")
    for chunk_id, text in db.execute("SELECT id, text FROM chunks").fetchall():
        db.execute("UPDATE chunks SET morphemes = ? WHERE id = ?", (" ".join(content_terms(kiwi.tokenize(text))), chunk_id))
    db.execute("DELETE FROM meta WHERE key = 'terms'")
    db.execute("DELETE FROM _migrations WHERE name = 'm004_noun_pair_terms'")
    db.execute("UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'generation'")
    db.commit()
    db.close()

    old = KnowledgeBase.open(settings)
    assert old.store.terms_stale() == "m004_noun_pair_terms"
    hits = old.search_lexical(QUERY, 2)  # the first search upgrades it
    assert [h.document.name for h in hits] == ["phrase.txt", "scattered.txt"]
    assert old.store.terms_stale() is None
    assert any("_" in t for c in old.store.all_chunks() for t in c.morphemes)
    generation = old.store.generation()
    KnowledgeBase.open(settings).search_lexical(QUERY, 2)
    assert old.store.generation() == generation  # once: a second process finds it done


NAME = "테드 번디는 1970년대 미국에서 활동한 연쇄살인범으로, 플로리다에서 체포되었다."
OTHER = "번디 가문의 테드 농장은 해마다 가을에 문을 연다. 번디 농장의 사과가 유명하다."


def test_a_token_with_a_space_survives_storage_and_matches_the_question(tmp_path, kiwi):
    assert "테드 번디" in lexical_terms_of(kiwi, NAME)  # Kiwi keeps the name as one token
    settings = Settings(home=tmp_path, kb="names")
    kb = KnowledgeBase.open(settings, create=True)
    Ingestor(kb, settings).ingest_bytes(NAME.encode(), "bundy.txt")
    Ingestor(kb, settings).ingest_bytes(OTHER.encode(), "farm.txt")
    assert "테드 번디" in kb.store.document_chunks(kb.document("bundy.txt").id)[0].morphemes
    ids, terms = kb.store.chunk_terms()
    assert any("테드 번디" in t for t in terms)
    assert [h.document.name for h in kb.search_lexical("테드 번디는 누구인가?", 2)] == ["bundy.txt"]  # the name alone


def test_a_kb_with_space_joined_terms_is_retokenized_by_the_json_migration(tmp_path, kiwi):
    settings = Settings(home=tmp_path, kb="old")
    kb = KnowledgeBase.open(settings, create=True)
    Ingestor(kb, settings).ingest_bytes(NAME.encode(), "bundy.txt")
    Ingestor(kb, settings).ingest_bytes(OTHER.encode(), "farm.txt")
    kb.close()
    # what korag wrote before m007: terms joined by spaces, so "테드 번디" came back as 테드, 번디
    db = sqlite3.connect(tmp_path / "old" / "kb.sqlite")
    for chunk_id, text in db.execute("SELECT id, text FROM chunks").fetchall():
        db.execute("UPDATE chunks SET morphemes = ? WHERE id = ?", (" ".join(lexical_terms_of(kiwi, text)), chunk_id))
    db.execute("DELETE FROM _migrations WHERE name = 'm007_issue16_terms_json'")
    db.execute("UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'generation'")
    db.commit()
    db.close()

    old = KnowledgeBase.open(settings)
    assert old.store.terms_stale() == "m007_issue16_terms_json"
    assert "테드 번디" not in {t for c in old.store.all_chunks() for t in c.morphemes}  # read back split
    hits = old.search_lexical("테드 번디는 누구인가?", 2)  # the first search re-tokenizes
    assert [h.document.name for h in hits] == ["bundy.txt"]
    assert old.store.terms_stale() is None
    stored = old.store.db.execute("SELECT morphemes FROM chunks ORDER BY id LIMIT 1").fetchone()[0]
    assert stored.startswith("[") and "테드 번디" in stored
