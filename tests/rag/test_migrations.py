"""kb.sqlite migrations: a KB written by an earlier korag opens, upgrades once, and is searchable."""
from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from rag import migrations
from rag.kb import KnowledgeBase
from rag.migrations import MIGRATIONS, applied, migrate
from rag.settings import Settings
from rag.store import Store

DATA = Path(__file__).parent / "data"
NAMES = [fn.__name__ for fn in MIGRATIONS]


def restore(dump: str, home: Path, name: str = "old") -> Settings:
    """A KB directory whose kb.sqlite is the dump (the rest of a KB directory is rebuilt from it)."""
    (home / name).mkdir(parents=True)
    db = sqlite3.connect(home / name / "kb.sqlite")
    db.executescript((DATA / dump).read_text(encoding="utf-8"))
    db.close()
    return Settings(home=home, kb=name, embedder="none")


def schema(db: sqlite3.Connection) -> dict[str, list[tuple]]:
    """Every table's columns (name, type, not null, default, primary key) and index names."""
    tables = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
    shape = {t: [tuple(c[1:]) for c in db.execute(f"PRAGMA table_info({t})")] for t in tables}
    shape["indexes"] = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'index' ORDER BY name")]
    return shape


def test_a_kb_written_before_migrations_opens_and_upgrades_once(tmp_path):
    settings = restore("kb_before_migrations.sql", tmp_path)
    kb = KnowledgeBase.open(settings)
    db = kb.store.db
    assert applied(db) == NAMES
    tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert "jobs" not in tables and {"documents", "chunks", "acl_readers", "_migrations"} <= tables
    assert "schema_version" not in kb.store.meta_all() and "terms" not in kb.store.meta_all()
    # its terms already had noun pairs, but space-joined: m007 marks them for re-tokenizing
    assert kb.store.terms_stale() == "m007_issue16_terms_json"
    assert "시중_은행" in kb.store.all_chunks()[0].morphemes

    assert [h.document.name for h in kb.search_lexical("시중은행 금리", 1)] == ["대출규정.txt"]
    assert [h.document.name for h in kb.search_lexical("개인정보 보호 교육", 1)] == ["보안교육.txt"]
    assert kb.document("대출규정.txt").chunks == 1
    recorded = db.execute("SELECT name, applied_at FROM _migrations ORDER BY rowid").fetchall()
    kb.close()

    again = KnowledgeBase.open(settings)  # a second open applies nothing
    assert again.store.db.execute("SELECT name, applied_at FROM _migrations ORDER BY rowid").fetchall() == recorded
    assert migrate(again.store.db) == []
    assert [h.document.name for h in again.search_lexical("대부한도", 1)] == ["대출규정.txt"]


def test_a_kb_from_before_noun_pairs_is_retokenized_by_its_first_search(tmp_path):
    settings = restore("kb_content_morphemes_v1.sql", tmp_path)
    kb = KnowledgeBase.open(settings)
    assert applied(kb.store.db) == NAMES
    # unigrams only until re-tokenized (the stale mark names the last migration that set it)
    assert kb.store.terms_stale() == "m007_issue16_terms_json"
    assert not any("_" in t for c in kb.store.all_chunks() for t in c.morphemes)

    assert [h.document.name for h in kb.search_lexical("시중은행 금리", 1)] == ["대출규정.txt"]
    assert kb.store.terms_stale() is None
    assert "시중_은행" in kb.store.all_chunks()[0].morphemes
    generation = kb.store.generation()
    kb.close()

    again = KnowledgeBase.open(settings)
    assert [h.document.name for h in again.search_lexical("개인정보 보호 교육", 1)] == ["보안교육.txt"]
    assert again.store.generation() == generation  # re-tokenized once


def test_a_new_kb_has_every_migration_and_the_same_schema_as_an_upgraded_one(tmp_path):
    new = KnowledgeBase.open(Settings(home=tmp_path / "new", kb="new", embedder="none"), create=True)
    assert applied(new.store.db) == NAMES
    assert new.store.terms_stale() is None  # no chunks: nothing to re-tokenize
    assert new.store.generation() == 0
    old = KnowledgeBase.open(restore("kb_before_migrations.sql", tmp_path / "old"))
    assert schema(new.store.db) == schema(old.store.db)


def test_a_failing_migration_leaves_no_trace_and_runs_again_next_time(tmp_path, monkeypatch):
    path = tmp_path / "kb.sqlite"
    db = sqlite3.connect(path, isolation_level=None)
    assert migrate(db) == NAMES

    def m999_broken(db: sqlite3.Connection) -> None:
        db.execute("CREATE TABLE half_done (x)")
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(migrations, "MIGRATIONS", [*MIGRATIONS, m999_broken])
    with pytest.raises(RuntimeError):
        migrate(db)
    assert not db.in_transaction
    assert applied(db) == NAMES
    assert db.execute("SELECT 1 FROM sqlite_master WHERE name = 'half_done'").fetchone() is None


def test_a_kb_from_before_ocr_boxes_gains_the_column(tmp_path):
    """Moved from tests/ingest/test_ocr_ingest.py: the first layout's chunks had no boxes column."""
    path = tmp_path / "kb.sqlite"
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("BEGIN")
    migrations.m001_initial(db)  # what korag bb4d723 wrote, with no record of migrations
    db.execute("COMMIT")
    assert "boxes" not in {row[1] for row in db.execute("PRAGMA table_info(chunks)")}
    db.close()
    Store(path).close()
    db = sqlite3.connect(path)
    assert "boxes" in {row[1] for row in db.execute("PRAGMA table_info(chunks)")}
    assert applied(db) == NAMES
