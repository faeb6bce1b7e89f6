"""Schema migrations of kb.sqlite: ordered, named functions, each applied once and recorded.

The habit of simonw/llm's `migrations.py`: a KB keeps the names of the migrations it has had in
`_migrations`; opening it applies the missing ones in order, each in its own transaction, so a KB
written by any earlier korag upgrades once. A migration that has shipped is never edited: add one.
"""
from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable

Migration = Callable[[sqlite3.Connection], None]
MIGRATIONS: list[Migration] = []


def migration(fn: Migration) -> Migration:
    """Register `fn` as the next migration; its name is what the KB records."""
    MIGRATIONS.append(fn)
    return fn


def applied(db: sqlite3.Connection) -> list[str]:
    """Names of the migrations this KB has had, in the order they were applied."""
    if not db.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = '_migrations'").fetchone():
        return []
    return [r[0] for r in db.execute("SELECT name FROM _migrations ORDER BY rowid")]


def migrate(db: sqlite3.Connection) -> list[str]:
    """Apply the migrations `db` has not had, in order, each in one transaction; the names applied.

    `db` is in autocommit mode (isolation_level=None). An up-to-date KB is only read, so a reader
    opening it never waits for a writer's transaction; otherwise each migration re-checks inside
    its write transaction, since another process may have applied it meanwhile.
    """
    done = set(applied(db))
    if all(fn.__name__ in done for fn in MIGRATIONS):
        return []
    names = []
    for fn in MIGRATIONS:
        if fn.__name__ in done:
            continue
        db.execute("BEGIN IMMEDIATE")
        try:
            db.execute("CREATE TABLE IF NOT EXISTS _migrations (name TEXT PRIMARY KEY, applied_at REAL NOT NULL)")
            if not db.execute("SELECT 1 FROM _migrations WHERE name = ?", (fn.__name__,)).fetchone():
                fn(db)
                db.execute("INSERT INTO _migrations VALUES (?, ?)", (fn.__name__, time.time()))
                names.append(fn.__name__)
            db.execute("COMMIT")
        except BaseException:
            if db.in_transaction:  # after an I/O error SQLite has rolled back already
                db.execute("ROLLBACK")
            raise
    return names


def _script(db: sqlite3.Connection, sql: str) -> None:
    """Run several statements inside the caller's transaction (`executescript` would commit it)."""
    statement = ""
    for line in sql.splitlines(keepends=True):
        statement += line
        if sqlite3.complete_statement(statement):
            db.execute(statement)
            statement = ""


def _columns(db: sqlite3.Connection, table: str) -> set[str]:
    return {row[1] for row in db.execute(f"PRAGMA table_info({table})")}


# KBs written before migrations were recorded (korag ≤ 6659e76) hold some of what the first
# migrations make, so those check (IF NOT EXISTS, the column list) instead of assuming an empty file.

@migration
def m001_initial(db: sqlite3.Connection) -> None:
    """Documents, their versions, blocks and chunks (content morphemes), the meta table and jobs."""
    _script(db, """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS documents (
    id TEXT PRIMARY KEY,
    source TEXT NOT NULL UNIQUE,        -- where the file came from; identity across versions
    name TEXT NOT NULL,
    format TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    bytes INTEGER NOT NULL,
    pages INTEGER,
    title TEXT,
    pages_needing_ocr TEXT NOT NULL DEFAULT '[]',
    warnings TEXT NOT NULL DEFAULT '[]',
    tags TEXT NOT NULL DEFAULT '[]',
    version INTEGER NOT NULL DEFAULT 1,
    created_at REAL NOT NULL,
    updated_at REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS documents_sha256 ON documents(sha256);
CREATE TABLE IF NOT EXISTS versions (
    document_id TEXT NOT NULL,
    version INTEGER NOT NULL,
    sha256 TEXT NOT NULL,
    ingested_at REAL NOT NULL,
    PRIMARY KEY (document_id, version)
);
CREATE TABLE IF NOT EXISTS blocks (
    document_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    ordinal INTEGER NOT NULL,
    kind TEXT NOT NULL,
    page INTEGER,
    heading_path TEXT NOT NULL,
    text TEXT NOT NULL,
    rows TEXT,
    PRIMARY KEY (document_id, ordinal)
);
CREATE TABLE IF NOT EXISTS chunks (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    document_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    ordinal INTEGER NOT NULL,
    kind TEXT NOT NULL,
    page INTEGER,
    heading_path TEXT NOT NULL,
    start INTEGER NOT NULL,
    end INTEGER NOT NULL,
    text TEXT NOT NULL,
    morphemes TEXT NOT NULL             -- lexical terms, space-separated
);
CREATE INDEX IF NOT EXISTS chunks_document ON chunks(document_id, ordinal);
CREATE TABLE IF NOT EXISTS jobs (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    state TEXT NOT NULL,
    detail TEXT NOT NULL DEFAULT '{}',
    updated_at REAL NOT NULL
);
INSERT OR IGNORE INTO meta VALUES ('generation', '0');
""")


@migration
def m002_chunk_boxes(db: sqlite3.Connection) -> None:
    """OCR'd chunks keep where they were read: JSON [[left, top, right, bottom], …] page fractions."""
    if "boxes" not in _columns(db, "chunks"):
        db.execute("ALTER TABLE chunks ADD COLUMN boxes TEXT")


@migration
def m003_access_control(db: sqlite3.Connection) -> None:
    """Users, groups and each document's readers (rag/acl.py)."""
    _script(db, """
CREATE TABLE IF NOT EXISTS acl_users (name TEXT PRIMARY KEY, admin INTEGER NOT NULL DEFAULT 0);
CREATE TABLE IF NOT EXISTS acl_groups (name TEXT PRIMARY KEY);
CREATE TABLE IF NOT EXISTS acl_members (
    group_name TEXT NOT NULL REFERENCES acl_groups(name) ON DELETE CASCADE,
    user_name TEXT NOT NULL REFERENCES acl_users(name) ON DELETE CASCADE,
    PRIMARY KEY (group_name, user_name)
);
CREATE TABLE IF NOT EXISTS acl_readers (
    document_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    principal TEXT NOT NULL,            -- 'user:<name>' or 'group:<name>'
    PRIMARY KEY (document_id, principal)
);
CREATE INDEX IF NOT EXISTS acl_readers_principal ON acl_readers(principal, document_id);
""")


def mark_terms_stale(db: sqlite3.Connection, why: str) -> None:
    """Record that the chunks' lexical terms are of an older format, if the KB has chunks.

    A migration cannot re-tokenize: that needs Kiwi with the KB's user dictionary and minutes for a
    large KB, under the KB's write lock. So it only marks the terms; the first writer re-tokenizes
    (`KnowledgeBase._upgrade_terms`), and until then searches use the old terms.
    """
    if db.execute("SELECT 1 FROM chunks LIMIT 1").fetchone():
        db.execute("INSERT OR REPLACE INTO meta VALUES ('terms_stale', ?)", (why,))


@migration
def m004_noun_pair_terms(db: sqlite3.Connection) -> None:
    """Lexical terms gained adjacent noun pairs (시중_은행); chunks tokenized without them are stale.

    korag before migrations recorded its term format in meta 'terms' (none: unigrams only).
    """
    row = db.execute("SELECT value FROM meta WHERE key = 'terms'").fetchone()
    if row is None or row[0] != "content-morphemes+noun-pairs-v2":
        mark_terms_stale(db, "m004_noun_pair_terms")
    db.execute("DELETE FROM meta WHERE key = 'terms'")


@migration
def m005_drop_jobs(db: sqlite3.Connection) -> None:
    """The jobs table was never used: ingest jobs live in Redis (ingest/queue.py)."""
    db.execute("DROP TABLE IF EXISTS jobs")


@migration
def m006_drop_schema_version(db: sqlite3.Connection) -> None:
    """meta 'schema_version' (never bumped) gave way to `_migrations`."""
    db.execute("DELETE FROM meta WHERE key = 'schema_version'")


@migration
def m007_issue16_terms_json(db: sqlite3.Connection) -> None:
    """Chunk terms are stored as a JSON array (rag/store.py `encode_terms`), not space-joined.

    Kiwi returns some names as one token with a space in it ("테드 번디"); stored space-joined they
    came back as two terms that no question term matched. The tokens are gone from the old column,
    so the chunks are re-tokenized (by the next writer), not converted in SQL.
    """
    mark_terms_stale(db, "m007_issue16_terms_json")


@migration
def m008_issue15_block_kinds(db: sqlite3.Connection) -> None:
    """Blocks gained kinds (form, annex, note, label, header, footer) and a 공문 header field's `label`.

    `kind` was already a free TEXT column on blocks and chunks, so only the label is new; documents
    ingested before keep "paragraph"/"text" kinds until re-ingested.
    """
    if "label" not in _columns(db, "blocks"):
        db.execute("ALTER TABLE blocks ADD COLUMN label TEXT")
