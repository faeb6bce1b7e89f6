"""How far a KB's dense vectors are, and who is filling them in: "검색 가능 · 벡터 n/m" on every surface.

One embedder per KB at a time (the background embedder, `korag embed`, a worker) holds <kb>/.embed.lock;
the background embedder writes its progress to <kb>/.embed.json. Counting is rag's (vectors.faiss
against kb.sqlite); starting an embedder is ingest's (ingest/background.py).
"""
from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from filelock import FileLock, Timeout

if TYPE_CHECKING:
    from rag.kb import KnowledgeBase

LOCK = ".embed.lock"
STATE = ".embed.json"


@dataclass(frozen=True)
class EmbedderState:
    """Is an embedder working on this KB, and how far the background one is in its current run."""

    running: bool
    pid: int | None = None
    done: int = 0
    total: int = 0
    error: str | None = None  # why the last background run stopped early


@dataclass(frozen=True)
class Vectors:
    """Chunks with a dense vector out of all chunks (all of them are searchable by keywords already)."""

    done: int
    total: int
    embedding: bool  # an embedder is at work on the KB now
    error: str | None = None

    @property
    def complete(self) -> bool:
        return self.done >= self.total

    def label(self) -> str:
        """The line every surface shows, e.g. "검색 가능 · 벡터 120/217 (임베딩 중)"."""
        note = ""
        if not self.complete:
            note = " (임베딩 중)" if self.embedding else (f" (멈춤: {self.error})" if self.error
                                                          else " (대기: korag embed)")
        return f"검색 가능 · 벡터 {self.done}/{self.total}{note}"


def embed_lock(kb_path: Path) -> FileLock:
    return FileLock(str(kb_path / LOCK))


def _saved(kb_path: Path) -> dict:
    try:
        return json.loads((kb_path / STATE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def process_alive(pid: int | None) -> bool:
    """Is there a process with this id (another user's counts)?"""
    if not pid:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process: alive
        return True
    return True


def running(kb_path: Path) -> bool:
    """True while some process holds the KB's embed lock, or a background embedder just started
    (its Python is still loading: it takes the lock within a few seconds, or exits)."""
    lock = embed_lock(kb_path)
    try:
        lock.acquire(timeout=0)
    except Timeout:
        return True
    lock.release()
    saved = _saved(kb_path)
    return bool(saved.get("starting")) and process_alive(saved.get("pid"))


def state(kb_path: Path) -> EmbedderState:
    """The background embedder's last written state (`running`: see `running`)."""
    saved = _saved(kb_path)
    return EmbedderState(running(kb_path), saved.get("pid"), saved.get("done", 0), saved.get("total", 0),
                         saved.get("error"))


def write_state(kb_path: Path, done: int, total: int, error: str | None = None, pid: int | None = None,
                starting: bool = False) -> None:
    """Record the background embedder's progress (`starting`: written by its parent at spawn)."""
    body = json.dumps({"pid": pid or os.getpid(), "done": done, "total": total, "error": error,
                       "starting": starting, "at": time.time()})
    tmp = kb_path / f"{STATE}.{os.getpid()}.tmp"
    try:
        tmp.write_text(body, encoding="utf-8")
        os.replace(tmp, kb_path / STATE)
    except OSError:  # a full disk must not stop the embedding itself
        tmp.unlink(missing_ok=True)


def vectors(kb: KnowledgeBase) -> Vectors:
    """The whole KB's vectors."""
    counts = kb.vector_counts()
    status = state(kb.path)
    return Vectors(sum(d for d, _ in counts.values()), sum(t for _, t in counts.values()), status.running,
                   status.error)


def document_vectors(kb: KnowledgeBase, doc_ids: list[str] | None = None) -> dict[str, Vectors]:
    """Per document (every one, or those named): its chunks with a vector out of its chunks."""
    embedding = running(kb.path)
    return {doc: Vectors(done, total, embedding) for doc, (done, total) in kb.vector_counts(doc_ids).items()}
