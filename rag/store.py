"""kb.sqlite: documents, their blocks and chunks, versions and access.

SQLite in WAL mode, so readers never block on (or see half of) a write transaction; every
change to one document happens in one transaction. The schema is rag/migrations.py's.
"""
from __future__ import annotations

import json
import logging
import sqlite3
import threading
import time
from collections import OrderedDict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from rag.acl import Access, Reader, reader_clause
from rag.filters import Filters, tags_json
from rag.model import Block, Box, Chunk, ParsedDocument, heading_prefix
from rag.migrations import migrate

log = logging.getLogger(__name__)

@dataclass(frozen=True)
class DocumentRecord:
    """A document as the knowledge base knows it."""

    id: str
    source: str
    name: str
    format: str
    sha256: str
    bytes: int
    pages: int | None
    title: str | None
    pages_needing_ocr: tuple[int, ...]
    version: int
    chunks: int
    updated_at: float


class Store:
    """The SQLite half of a knowledge base. One connection per thread."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._local = threading.local()
        self._allowed: OrderedDict[tuple, np.ndarray] = OrderedDict()  # allowed_chunk_ids, most recent last
        self._allowed_lock = threading.Lock()
        applied = migrate(self.db)
        if applied:
            log.info("migrated %s: %s", path, ", ".join(applied))

    @property
    def db(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = sqlite3.connect(self.path, timeout=60, isolation_level=None, check_same_thread=False)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA foreign_keys=ON")
            conn.execute("PRAGMA synchronous=NORMAL")
            self._local.conn = conn
        return conn

    def close(self) -> None:
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
            self._local.conn = None

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        db = self.db
        db.execute("BEGIN IMMEDIATE")
        try:
            yield db
            db.execute("COMMIT")
        except BaseException:
            # After an I/O error (disk full) SQLite has rolled back already: a second ROLLBACK would fail
            # and hide the real error. A COMMIT that fails with SQLITE_BUSY leaves it open: roll back.
            if db.in_transaction:
                db.execute("ROLLBACK")
            raise

    # -- meta --------------------------------------------------------------------------------
    def meta(self, key: str, default: str | None = None) -> str | None:
        row = self.db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else default

    def meta_all(self) -> dict[str, str]:
        return dict(self.db.execute("SELECT key, value FROM meta"))

    def set_embedder(self, name: str | None, dim: int | None) -> None:
        """Record (or forget, with None) which embedder made the KB's vectors."""
        with self.transaction() as db:
            if name is None:
                db.execute("DELETE FROM meta WHERE key IN ('embedder', 'embedder_dim')")
            else:
                db.execute("INSERT OR REPLACE INTO meta VALUES ('embedder', ?)", (name,))
                db.execute("INSERT OR REPLACE INTO meta VALUES ('embedder_dim', ?)", (str(dim),))

    def generation(self) -> int:
        """Bumped by every write; an index built from an older generation is stale."""
        return int(self.meta("generation", "0"))

    @staticmethod
    def _bump(db: sqlite3.Connection) -> None:
        db.execute("UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'generation'")

    # -- access control ----------------------------------------------------------------------
    @property
    def access(self) -> Access:
        """Users, groups and readers (writes go through `transaction()`)."""
        return Access(self.db)

    # -- documents ---------------------------------------------------------------------------
    # `reader`: only documents that person may read; None reads all (the operator, the pipeline)
    def document_by_sha(self, sha256: str, reader: Reader | None = None) -> DocumentRecord | None:
        return self._one("WHERE d.sha256 = ?", (sha256,), reader)

    def document_by_source(self, source: str) -> DocumentRecord | None:
        return self._one("WHERE d.source = ?", (source,))

    def find_documents(self, ref: str, reader: Reader | None = None) -> list[DocumentRecord]:
        """Documents whose id, id prefix or file name is `ref`, compared literally: `_` and `%` in a
        reference are characters, not LIKE wildcards (`______` must not name every document)."""
        return self._many("WHERE (d.id = ? OR d.name = ? OR (length(?) >= 6 AND substr(d.id, 1, length(?)) = ?))",
                          (ref, ref, ref, ref, ref), reader)

    def documents_by_id(self, ids: set[str]) -> dict[str, DocumentRecord]:
        if not ids:
            return {}
        return {d.id: d for d in self._many(f"WHERE d.id IN ({','.join('?' * len(ids))})", tuple(ids))}

    def documents(self, reader: Reader | None = None) -> list[DocumentRecord]:
        return self._many("", (), reader)

    def _select(self, where: str) -> str:
        return ("SELECT d.id, d.source, d.name, d.format, d.sha256, d.bytes, d.pages, d.title, d.pages_needing_ocr,"
                " d.version, (SELECT count(*) FROM chunks c WHERE c.document_id = d.id), d.updated_at"
                f" FROM documents d {where} ORDER BY d.name, d.id")

    def _one(self, where: str, args: tuple, reader: Reader | None = None) -> DocumentRecord | None:
        rows = self._many(where, args, reader)
        return rows[0] if rows else None

    def _many(self, where: str, args: tuple, reader: Reader | None = None) -> list[DocumentRecord]:
        if reader is not None and not reader.admin:
            clause, more = reader_clause(reader)
            where = f"{where} AND {clause}" if where else f"WHERE {clause}"
            args = (*args, *more)
        return [
            DocumentRecord(r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], tuple(json.loads(r[8])), r[9], r[10], r[11])
            for r in self.db.execute(self._select(where), args)
        ]

    def put_document(self, doc_id: str, source: str, sha256: str, size: int, parsed: ParsedDocument,
                     chunks: list[Chunk], tags: tuple[str, ...] = (), readers: tuple[str, ...] | None = None) -> list[int]:
        """Insert or replace a document with its blocks and chunks in one transaction; chunk ids.

        `readers` replace the document's readers in the same transaction, so a restricted document is
        never readable by everyone, not even for a moment; None keeps a new version's earlier readers.
        """
        with self.transaction() as db:
            row = db.execute("SELECT version FROM documents WHERE id = ?", (doc_id,)).fetchone()
            version = (row[0] + 1) if row else 1
            now = time.time()
            db.execute("DELETE FROM chunks WHERE document_id = ?", (doc_id,))
            db.execute("DELETE FROM blocks WHERE document_id = ?", (doc_id,))
            db.execute(
                "INSERT INTO documents (id, source, name, format, sha256, bytes, pages, title, pages_needing_ocr,"
                " warnings, version, created_at, updated_at, tags) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)"
                " ON CONFLICT(id) DO UPDATE SET name=excluded.name, format=excluded.format, sha256=excluded.sha256,"
                " bytes=excluded.bytes, pages=excluded.pages, title=excluded.title,"
                " pages_needing_ocr=excluded.pages_needing_ocr, warnings=excluded.warnings,"
                " version=excluded.version, updated_at=excluded.updated_at,"
                " tags=CASE WHEN excluded.tags = '[]' THEN documents.tags ELSE excluded.tags END",
                (doc_id, source, parsed.name, parsed.format, sha256, size, parsed.page_count, parsed.title,
                 json.dumps(list(parsed.pages_needing_ocr)), json.dumps(list(parsed.warnings)), version, now, now, tags_json(tags)),
            )
            db.execute("INSERT OR REPLACE INTO versions (document_id, version, sha256, ingested_at) VALUES (?,?,?,?)",
                       (doc_id, version, sha256, now))
            db.executemany(
                "INSERT INTO blocks (document_id, ordinal, kind, page, heading_path, text, rows, label)"
                " VALUES (?,?,?,?,?,?,?,?)",
                [(doc_id, i, b.kind, b.page, json.dumps(b.heading_path, ensure_ascii=False), b.text,
                  json.dumps(b.rows, ensure_ascii=False) if b.rows is not None else None, b.label)
                 for i, b in enumerate(parsed.blocks)],
            )
            ids = []
            for c in chunks:
                cur = db.execute(
                    "INSERT INTO chunks (document_id, ordinal, kind, page, heading_path, start, end, text, morphemes,"
                    " boxes) VALUES (?,?,?,?,?,?,?,?,?,?)",
                    (doc_id, c.ordinal, c.kind, c.page, json.dumps(c.heading_path, ensure_ascii=False),
                     c.start, c.end, c.text, encode_terms(c.morphemes), _boxes_json(c.boxes)),
                )
                ids.append(cur.lastrowid)
            if readers is not None:
                self.access.set_readers(db, doc_id, readers)
            self._bump(db)
        return ids

    def delete_document(self, doc_id: str) -> bool:
        with self.transaction() as db:
            db.execute("DELETE FROM chunks WHERE document_id = ?", (doc_id,))
            db.execute("DELETE FROM blocks WHERE document_id = ?", (doc_id,))
            db.execute("DELETE FROM versions WHERE document_id = ?", (doc_id,))
            db.execute("DELETE FROM acl_readers WHERE document_id = ?", (doc_id,))
            deleted = db.execute("DELETE FROM documents WHERE id = ?", (doc_id,)).rowcount
            self._bump(db)
        return bool(deleted)

    def sha_in_use(self, sha256: str) -> bool:
        return self.db.execute("SELECT 1 FROM documents WHERE sha256 = ?", (sha256,)).fetchone() is not None

    # -- blocks and chunks -------------------------------------------------------------------
    def blocks(self, doc_id: str) -> list[Block]:
        return [
            Block(text=r[0], kind=r[1], page=r[2], heading_path=tuple(json.loads(r[3])),
                  rows=tuple(tuple(row) for row in json.loads(r[4])) if r[4] else None, label=r[5])
            for r in self.db.execute(
                "SELECT text, kind, page, heading_path, rows, label FROM blocks WHERE document_id = ? ORDER BY ordinal",
                (doc_id,))
        ]

    def chunk_terms(self) -> tuple[list[int], list[list[str]]]:
        """Every chunk id with its morphemes, for (re)building the lexical index.

        Each distinct term is one string object shared by every chunk that has it: 100k chunks hold
        ~15M terms but ~1M distinct ones, and separate copies cost ~0.8 GB while the index builds.
        """
        ids, terms, distinct = [], [], {}
        for chunk_id, morphemes in self.db.execute("SELECT id, morphemes FROM chunks ORDER BY id"):
            ids.append(chunk_id)
            terms.append([distinct.setdefault(t, t) for t in decode_terms(morphemes)])
        return ids, terms

    def chunks(self, ids: list[int]) -> dict[int, Chunk]:
        if not ids:
            return {}
        marks = ",".join("?" * len(ids))
        rows = self.db.execute(
            f"SELECT id, document_id, ordinal, kind, page, heading_path, start, end, text, morphemes, boxes"
            f" FROM chunks WHERE id IN ({marks})", ids)
        return {r[0]: _chunk(r) for r in rows}

    def chunks_with_documents(self, ids: list[int]) -> tuple[dict[int, Chunk], dict[str, DocumentRecord]]:
        """Chunks and their documents read in one snapshot, so a hit never pairs a chunk with another
        version of its document, nor loses its document to a delete committed between the two reads."""
        db = self.db
        begin = not db.in_transaction  # inside a writer's own transaction the reads share it already
        if begin:
            db.execute("BEGIN")  # deferred: a read transaction, which in WAL mode sees one committed state
        try:
            chunks = self.chunks(ids)
            return chunks, self.documents_by_id({c.document_id for c in chunks.values()})
        finally:
            if begin:
                db.execute("COMMIT")

    def chunk_ids(self) -> np.ndarray:
        return np.fromiter((r[0] for r in self.db.execute("SELECT id FROM chunks ORDER BY id")), dtype=np.int64)

    def chunk_ids_by_document(self, doc_ids: list[str] | None = None) -> dict[str, np.ndarray]:
        """Chunk ids per document (every document, or those named), each ascending."""
        where, args = "", ()
        if doc_ids is not None:
            if not doc_ids:
                return {}
            where, args = f" WHERE document_id IN ({','.join('?' * len(doc_ids))})", tuple(doc_ids)
        found: dict[str, list[int]] = {d: [] for d in doc_ids or ()}
        for doc_id, chunk_id in self.db.execute(f"SELECT document_id, id FROM chunks{where} ORDER BY id", args):
            found.setdefault(doc_id, []).append(chunk_id)
        return {d: np.asarray(ids, dtype=np.int64) for d, ids in found.items()}

    def chunk_texts(self, ids: list[int]) -> list[tuple[int, str]]:
        """(id, text to embed) in id order; the heading path is prepended where the text lacks it."""
        found = self.chunks(ids)
        return [(i, _with_heading(found[i])) for i in sorted(found)]

    def all_chunks(self) -> list[Chunk]:
        rows = self.db.execute(
            "SELECT id, document_id, ordinal, kind, page, heading_path, start, end, text, morphemes, boxes"
            " FROM chunks ORDER BY id")
        return [_chunk(r) for r in rows]

    def set_morphemes(self, terms: list[tuple[int, list[str]]]) -> None:
        """New lexical terms for every chunk (user dictionary changed, or terms marked stale by a
        migration), in one transaction that also clears the stale mark."""
        with self.transaction() as db:
            db.executemany("UPDATE chunks SET morphemes = ? WHERE id = ?", [(encode_terms(t), i) for i, t in terms])
            db.execute("DELETE FROM meta WHERE key = 'terms_stale'")
            self._bump(db)

    def terms_stale(self) -> str | None:
        """The migration that made the stored chunk terms out of date, or None when they are current."""
        return self.meta("terms_stale")

    def document_chunks(self, doc_id: str) -> list[Chunk]:
        rows = self.db.execute(
            "SELECT id, document_id, ordinal, kind, page, heading_path, start, end, text, morphemes, boxes"
            " FROM chunks WHERE document_id = ? ORDER BY ordinal", (doc_id,))
        return [_chunk(r) for r in rows]

    def allowed_chunk_ids(self, filters: Filters) -> np.ndarray:
        """Ids of the chunks of documents that pass `filters` (sorted).

        Cached per (generation, access generation, filters): every search of a user pays for this
        set, ~50 ms at 100k chunks, and it only changes when documents or access change.
        """
        key = (self.generation(), self.meta("acl_generation", "0"), filters)
        with self._allowed_lock:
            cached = self._allowed.get(key)
            if cached is not None:
                self._allowed.move_to_end(key)
                return cached
        where, args = filters.sql()
        rows = self.db.execute(
            f"SELECT c.id FROM chunks c JOIN documents d ON d.id = c.document_id WHERE {where} ORDER BY c.id", args)
        found = np.fromiter((r[0] for r in rows), dtype=np.int64)
        found.setflags(write=False)  # shared between searches
        with self._allowed_lock:
            self._allowed[key] = found
            while len(self._allowed) > 64:
                self._allowed.popitem(last=False)
        return found

    def set_tags(self, doc_id: str, tags: list[str] | tuple[str, ...]) -> None:
        with self.transaction() as db:
            db.execute("UPDATE documents SET tags = ? WHERE id = ?", (tags_json(tags), doc_id))
            self._bump(db)

    def tags(self, doc_id: str) -> tuple[str, ...]:
        row = self.db.execute("SELECT tags FROM documents WHERE id = ?", (doc_id,)).fetchone()
        return tuple(json.loads(row[0])) if row else ()

    def counts(self, reader: Reader | None = None) -> dict[str, int]:
        where, args = Filters(reader=reader).sql()
        docs = self.db.execute(f"SELECT count(*) FROM documents d WHERE {where}", args).fetchone()[0]
        chunks = self.db.execute(f"SELECT count(*) FROM chunks c JOIN documents d ON d.id = c.document_id"
                                 f" WHERE {where}", args).fetchone()[0]
        return {"documents": docs, "chunks": chunks}


def _with_heading(chunk: Chunk) -> str:
    prefix = heading_prefix(chunk.text, chunk.heading_path)
    return " > ".join(prefix) + "\n" + chunk.text if prefix else chunk.text


def _chunk(r: tuple) -> Chunk:
    return Chunk(id=r[0], document_id=r[1], ordinal=r[2], kind=r[3], page=r[4],
                 heading_path=tuple(json.loads(r[5])), start=r[6], end=r[7], text=r[8],
                 morphemes=tuple(decode_terms(r[9])), boxes=tuple(Box(*b) for b in json.loads(r[10])) if r[10] else ())


def _boxes_json(boxes: tuple[Box, ...]) -> str | None:
    return json.dumps([[b.left, b.top, b.right, b.bottom] for b in boxes]) if boxes else None


def encode_terms(terms: Iterable[str]) -> str:
    """A chunk's lexical terms as kb.sqlite stores them: a JSON array.

    Kiwi returns some names as one token with a space inside ("테드 번디", "젭 스튜어트"); the
    space-joined format this replaced split them in two, so the question's whole token never
    matched (issue 16). A JSON array keeps any token whole.
    """
    return json.dumps(list(terms), ensure_ascii=False, separators=(",", ":"))


def decode_terms(stored: str) -> list[str]:
    """The terms `encode_terms` stored; a KB written before m007_issue16_terms_json holds them
    space-joined (no term starts with "[": content tags are words, numbers and hanja)."""
    return json.loads(stored) if stored.startswith("[") else stored.split()
