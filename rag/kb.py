"""A knowledge base: one directory holding kb.sqlite, the lexical index and the original files.

Writers take the KB's lock, so one document is written at a time; a document is written in one
SQLite transaction, so a crash mid-ingest leaves the KB as it was before that document.
"""
from __future__ import annotations

import hashlib
import logging
import os
import re
import shutil
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from filelock import FileLock, Timeout

from rag.acl import OPERATOR, Reader
from rag.audit import AuditEntry, AuditLog
from rag.errors import DocumentNotFound, InvalidName, KnowledgeBaseBusy, KnowledgeBaseNotFound
from rag.dense import DenseStore, check_embedder, embed_in_batches
from rag.embed import Embedder
from rag.filters import Filters, mask_for
from rag.vectors import VectorIndex
from rag.lexical import LexicalHit, LexicalIndex
from rag.model import Chunk, ParsedDocument, heading_prefix
from kiwipiepy import Kiwi

from rag.morphemes import kiwi_with, lexical_terms_many, lexical_terms_of
from rag.settings import Settings
from rag.store import DocumentRecord, Store

log = logging.getLogger(__name__)

_KB_NAME = re.compile(r"^[\w][\w.-]{0,63}$")


def document_id(source: str) -> str:
    """Stable id of a document across versions: derived from where it came from."""
    return hashlib.sha256(source.encode("utf-8")).hexdigest()[:16]


@dataclass(frozen=True)
class SearchHit:
    chunk: Chunk
    document: DocumentRecord
    score: float


def indexed_text(chunk: Chunk) -> str:
    """The text a chunk's lexical terms come from: its heading path, unless the text starts with it."""
    prefix = heading_prefix(chunk.text, chunk.heading_path)
    return " ".join(prefix) + "\n" + chunk.text if prefix else chunk.text


class KnowledgeBase:
    """Open with `KnowledgeBase.open(settings, name)`; create with `create=True`."""

    def __init__(self, path: Path, settings: Settings) -> None:
        self.path = path
        self.name = path.name
        self.settings = settings
        self.store = Store(path / "kb.sqlite")
        self._lock = FileLock(str(path / ".write.lock"))
        self.dense = DenseStore(path / "vectors.faiss", settings.hnsw_threshold)
        self._lexical: LexicalIndex | None = None
        self._user_words: tuple[int, tuple[tuple[str, str], ...]] | None = None
        self._lexical_lock = threading.Lock()
        self._last_refresh = 0.0

    @classmethod
    def open(cls, settings: Settings, name: str | None = None, create: bool = False) -> KnowledgeBase:
        name = name or settings.kb
        if not _KB_NAME.match(name):
            raise InvalidName(f"{name!r} is not a valid knowledge base name (letters, digits, - _ . only)")
        path = settings.kb_path(name)
        if not (path / "kb.sqlite").exists():
            if not create:
                raise KnowledgeBaseNotFound(f"no knowledge base {name!r} under {settings.home}; "
                                            f"create it with `korag ingest PATH --kb {name}`")
            (path / "files").mkdir(parents=True, exist_ok=True)
            (path / "lexical").mkdir(exist_ok=True)
        return cls(path, settings)

    @staticmethod
    def names(settings: Settings) -> list[str]:
        if not settings.home.exists():
            return []
        return sorted(p.name for p in settings.home.iterdir() if (p / "kb.sqlite").exists())

    @staticmethod
    def delete(settings: Settings, name: str) -> None:
        kb = KnowledgeBase.open(settings, name)
        with kb.writing():
            kb.store.close()
            shutil.rmtree(kb.path)

    def close(self) -> None:
        self.store.close()

    # -- writing ---------------------------------------------------------------------------------
    @contextmanager
    def writing(self) -> Iterator[None]:
        """Hold the KB's write lock (re-entrant); raises KnowledgeBaseBusy on timeout."""
        try:
            self._lock.acquire(timeout=self.settings.lock_timeout_s)
        except Timeout as err:
            raise KnowledgeBaseBusy(f"knowledge base {self.name!r} is being written by another process") from err
        try:
            yield
        finally:
            self._lock.release()

    def file_path(self, sha256: str, name: str) -> Path:
        suffix = Path(name).suffix.lower()[:10]
        return self.path / "files" / sha256[:2] / f"{sha256}{suffix}"

    def add_document(self, source: str, data: bytes, sha256: str, parsed: ParsedDocument,
                     chunks: list[Chunk], tags: tuple[str, ...] = (),
                     readers: tuple[str, ...] | None = None) -> tuple[str, list[int]]:
        """Store a parsed document (replacing an earlier version from the same source).

        `readers` (`user:…`, `group:…`) restrict who may read it, set in the same transaction;
        None keeps an earlier version's readers (a new document is then readable by the whole KB).
        """
        doc_id = document_id(source)
        with self.writing():
            original = self.file_path(sha256, parsed.name)
            previous = self.store.document_by_source(source)
            if self.settings.keep_originals and not original.exists():
                original.parent.mkdir(parents=True, exist_ok=True)
                staging = original.with_name(original.name + f".{os.getpid()}.tmp")
                try:
                    staging.write_bytes(data)
                    os.replace(staging, original)
                except BaseException:  # disk full: no half-written original left behind
                    staging.unlink(missing_ok=True)
                    raise
            try:
                ids = self.store.put_document(doc_id, source, sha256, len(data), parsed, chunks, tags, readers)
            except BaseException:
                if not self.store.sha_in_use(sha256):
                    original.unlink(missing_ok=True)
                raise
            if previous is not None and previous.sha256 != sha256 and not self.store.sha_in_use(previous.sha256):
                self.file_path(previous.sha256, previous.name).unlink(missing_ok=True)
            log.info("stored document %s (%s): %d chunks", doc_id, parsed.name, len(ids))
        self.refresh_lexical(throttle_s=2.0)
        return doc_id, ids

    def delete_document(self, ref: str) -> DocumentRecord:
        doc = self.document(ref)
        with self.writing():
            chunk_ids = np.asarray([c.id for c in self.store.document_chunks(doc.id)], dtype=np.int64)
            self.store.delete_document(doc.id)
            index = self.dense.index_for_update()  # a copy: searches in this process use the saved one
            if index is not None and len(chunk_ids) and index.remove(chunk_ids):
                self.dense.save(index)
            if not self.store.sha_in_use(doc.sha256):
                self.file_path(doc.sha256, doc.name).unlink(missing_ok=True)
            log.info("deleted document %s (%s)", doc.id, doc.name)
        self.refresh_lexical()
        return doc

    # -- reading ---------------------------------------------------------------------------------
    def documents(self, reader: Reader | None = None) -> list[DocumentRecord]:
        """Every document, or those `reader` may read."""
        return self.store.documents(reader)

    def document(self, ref: str, reader: Reader | None = None) -> DocumentRecord:
        """A document by id, id prefix (6+ chars) or original file name.

        With a `reader`, a document they may not read is not found, with the same message as one
        that does not exist: its existence is not revealed.
        """
        found = self.store.find_documents(ref, reader)
        if not found:
            raise DocumentNotFound(f"no document {ref!r} in knowledge base {self.name!r}")
        if len(found) > 1:
            ids = ", ".join(d.id for d in found)
            raise DocumentNotFound(f"{ref!r} names several documents ({ids}); use the id")
        return found[0]

    def has_content(self, sha256: str, reader: Reader | None = None) -> DocumentRecord | None:
        return self.store.document_by_sha(sha256, reader)

    # -- access control --------------------------------------------------------------------------
    @property
    def audit(self) -> AuditLog:
        """Who asked what and which documents answered (<kb>/audit.jsonl)."""
        return AuditLog(self.path / "audit.jsonl")

    def reader(self, user: str | None, admin: bool = False) -> Reader:
        """The `Reader` for a user name (their groups in this KB); no name is the operator (admin)."""
        return OPERATOR if user is None else self.store.access.reader(user, admin)

    def readers(self, ref: str) -> tuple[str, ...]:
        return self.store.access.readers(self.document(ref).id)

    # Every change of access takes the write lock, runs in one transaction and is recorded in the
    # audit log with `by`, the admin who made it (None: the operator).
    def _change_access(self, by: str | None, work: Callable[[sqlite3.Connection], str | None]) -> None:
        with self.writing(), self.store.transaction() as db:
            change = work(db)  # None: nothing changed, nothing to record
        if change and self.settings.audit_log:
            self.audit.append(AuditEntry(by or "(operator)", "acl", change))

    def set_readers(self, ref: str, readers: tuple[str, ...], by: str | None = None) -> DocumentRecord:
        """Replace a document's readers; () opens it to everyone who can use the KB."""
        doc = self.document(ref)

        def work(db) -> str:
            self.store.access.set_readers(db, doc.id, readers)
            return f"readers of {doc.name} ({doc.id}): {list(self.store.access.readers(doc.id)) or 'everyone'}"

        self._change_access(by, work)
        return doc

    def add_user(self, name: str, groups: tuple[str, ...] = (), admin: bool = False, only: bool = False,
                 by: str | None = None) -> Reader:
        """Add or update a user, in `groups` (`only`: in no others); `admin` manages this KB and reads all of it."""
        def work(db) -> str:
            self.store.access.add_user(db, name, groups, admin, only)
            reader = self.store.access.reader(name.strip())
            return f"user {reader.user}: groups={list(reader.groups)} admin={reader.admin}"

        self._change_access(by, work)
        return self.store.access.reader(name.strip())

    def remove_user(self, name: str, by: str | None = None) -> bool:
        return self._remove_access("user", self.store.access.remove_user, name, by)

    def add_group(self, name: str, members: tuple[str, ...] = (), by: str | None = None) -> None:
        def work(db) -> str:
            self.store.access.add_group(db, name)
            for user in members:
                self.store.access.set_membership(db, user, name, True)
            return f"group {name}: +{list(members)}"

        self._change_access(by, work)

    def remove_group(self, name: str, by: str | None = None) -> bool:
        return self._remove_access("group", self.store.access.remove_group, name, by)

    def _remove_access(self, kind: str, remove: Callable, name: str, by: str | None) -> bool:
        """Remove a user or group (`remove(db, name)`), audited when something was removed."""
        removed = False

        def work(db) -> str | None:
            nonlocal removed
            removed = remove(db, name)
            return f"remove {kind} {name}" if removed else None

        self._change_access(by, work)
        return removed

    def set_membership(self, user: str, group: str, member: bool, by: str | None = None) -> None:
        def work(db) -> str:
            self.store.access.set_membership(db, user, group, member)
            return f"group {group}: {'+' if member else '-'}{[user]}"

        self._change_access(by, work)

    # -- dense vectors ---------------------------------------------------------------------------
    def pending_embeddings(self) -> np.ndarray:
        """Ids of chunks that have no vector yet."""
        index = self.dense.index()
        have = index.ids() if index is not None else np.zeros(0, dtype=np.int64)
        return np.setdiff1d(self.store.chunk_ids(), have, assume_unique=True)

    def vector_counts(self, doc_ids: list[str] | None = None) -> dict[str, tuple[int, int]]:
        """Per document: (chunks with a vector, chunks), for "벡터 n/m" on every surface."""
        index = self.dense.index()
        have = index.ids() if index is not None else np.zeros(0, dtype=np.int64)
        counts: dict[str, tuple[int, int]] = {}
        for doc_id, ids in self.store.chunk_ids_by_document(doc_ids).items():
            counts[doc_id] = (int(np.isin(ids, have, assume_unique=True).sum()), int(ids.size))
        return counts

    def embed_pending(self, embedder: Embedder, on_progress: Callable[[int, int], None] | None = None,
                      batch: int | None = None, only: np.ndarray | None = None) -> int:
        """Embed every chunk without a vector (or those among `only`); returns how many were embedded.

        Embedding runs outside the write lock (it is slow); each batch is added under the lock to
        the latest saved index, skipping chunks deleted meanwhile, and saved atomically.
        """
        check_embedder(self.store.meta_all(), embedder)
        pending = self.pending_embeddings()
        if only is not None:  # one job's chunks: its progress counts nothing else
            pending = np.intersect1d(pending, np.asarray(only, dtype=np.int64))
        texts = self.store.chunk_texts(pending.tolist())
        pruned = False

        def commit(ids: np.ndarray, vectors: np.ndarray) -> None:
            nonlocal pruned
            with self.writing():
                check_embedder(self.store.meta_all(), embedder)
                index = (self.dense.index_for_update()  # a copy: searches in this process use the saved one
                         or VectorIndex(embedder.dim, hnsw_threshold=self.settings.hnsw_threshold))
                live = self.store.chunk_ids()
                if not pruned:  # vectors of chunks replaced or deleted since the last run
                    stale = np.setdiff1d(index.ids(), live)
                    if len(stale):
                        index.remove(stale)
                    pruned = True
                keep = np.isin(ids, live) & ~np.isin(ids, index.ids())
                index.add(ids[keep], vectors[keep])
                self.store.set_embedder(embedder.name, embedder.dim)
                self.dense.save(index)

        return embed_in_batches(texts, embedder, batch or self.settings.embed_batch, commit, on_progress)

    def reset_embeddings(self) -> None:
        """Drop every vector and forget the embedder (before re-embedding with another model)."""
        with self.writing():
            self.dense.drop()
            self.store.set_embedder(None, None)

    # -- user dictionary -------------------------------------------------------------------------
    def user_words(self) -> tuple[tuple[str, str], ...]:
        """The KB's user dictionary: (word, Kiwi tag) pairs from <kb>/userdict.tsv."""
        path = self.path / "userdict.tsv"
        try:
            stamp = path.stat().st_mtime_ns
        except FileNotFoundError:
            return ()
        if self._user_words is not None and self._user_words[0] == stamp:  # queries call this: skip the read
            return self._user_words[1]
        words = []
        for line in path.read_text(encoding="utf-8").splitlines():
            form, _, tag = line.partition("\t")
            if form.strip():
                words.append((form.strip(), tag.strip() or "NNP"))
        self._user_words = (stamp, tuple(sorted(set(words))))
        return self._user_words[1]

    def kiwi(self) -> Kiwi:
        """The Kiwi for this KB: the shared one, or one with the KB's user dictionary."""
        return kiwi_with(self.user_words(), self.settings.kiwi_workers)

    def set_user_words(self, words: list[tuple[str, str]]) -> int:
        """Replace the user dictionary and re-tokenize every chunk with it; returns chunks redone."""
        with self.writing():
            staging = self.path / f".userdict.{os.getpid()}.tmp"
            staging.write_text("".join(f"{w}\t{t}\n" for w, t in sorted(set(words))), encoding="utf-8")
            os.replace(staging, self.path / "userdict.tsv")
            redone = self._retokenize()
        self.refresh_lexical()
        return redone

    def _retokenize(self) -> int:
        """Recompute every chunk's lexical terms from its text (the caller holds the write lock)."""
        chunks = self.store.all_chunks()
        terms = lexical_terms_many(self.kiwi(), [indexed_text(c) for c in chunks])
        self.store.set_morphemes([(c.id, t) for c, t in zip(chunks, terms)])
        return len(chunks)

    def _upgrade_terms(self) -> None:
        """Re-tokenize a KB whose terms a migration marked stale (once, by the first writer)."""
        if not self.store.terms_stale():
            return
        with self.writing():
            why = self.store.terms_stale()
            if why:
                started = time.monotonic()
                redone = self._retokenize()
                log.info("re-tokenized %d chunks of %s for lexical terms (%s) in %.1f s",
                         redone, self.name, why, time.monotonic() - started)

    # -- lexical index ---------------------------------------------------------------------------
    def refresh_lexical(self, throttle_s: float = 0.0) -> None:
        """Rebuild the BM25 index if kb.sqlite changed since it was built (writers only)."""
        if throttle_s and time.monotonic() - self._last_refresh < throttle_s:
            return
        with self.writing():
            self._upgrade_terms()
            generation = self.store.generation()
            current = LexicalIndex.load(self.path / "lexical")
            if current is None or current.generation != generation:
                ids, terms = self.store.chunk_terms()
                current = LexicalIndex.build(ids, terms, generation)
                try:
                    current.save(self.path / "lexical")
                except OSError as err:  # disk full: kb.sqlite has the document; readers rebuild from it
                    log.warning("could not save the lexical index of %s (%s); it is rebuilt from kb.sqlite "
                                "in memory until a save succeeds", self.name, err)
            with self._lexical_lock:
                self._lexical = current
        self._last_refresh = time.monotonic()

    def lexical(self) -> LexicalIndex:
        """The live lexical index; built in memory when the saved one is behind kb.sqlite."""
        generation = self.store.generation()
        with self._lexical_lock:
            if self._lexical is not None and self._lexical.generation == generation:
                return self._lexical
            if self.store.terms_stale():  # made by an older korag (see rag/migrations.py): upgrade it
                try:
                    self._upgrade_terms()
                except KnowledgeBaseBusy:  # a writer holds it: search the old terms until it is done
                    log.warning("knowledge base %s has lexical terms of an older korag and is busy; "
                                "the next write re-tokenizes it", self.name)
                generation = self.store.generation()
            index = LexicalIndex.load(self.path / "lexical")
            if index is None or index.generation != generation:
                ids, terms = self.store.chunk_terms()
                index = LexicalIndex.build(ids, terms, generation)
            self._lexical = index
            return index

    def search_lexical(self, query: str, k: int = 5, filters: Filters | None = None) -> list[SearchHit]:
        """BM25 over Kiwi morphemes; `filters` restrict the candidates inside the index."""
        terms = lexical_terms_of(self.kiwi(), query)
        index = self.lexical()
        mask = mask_for(index.chunk_ids, self.store.allowed_chunk_ids(filters)) if filters else None
        hits: list[LexicalHit] = index.search(terms, k, mask)
        chunks, docs = self.store.chunks_with_documents([h.chunk_id for h in hits])  # one snapshot
        return [SearchHit(chunks[h.chunk_id], docs[chunks[h.chunk_id].document_id], h.score)
                for h in hits if h.chunk_id in chunks]
