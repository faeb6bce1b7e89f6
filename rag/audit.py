"""The audit log of a knowledge base: who asked what, which documents answered, and who was refused.

One JSON object per line in <kb>/audit.jsonl, appended with O_APPEND under a lock file, so the
API, the portal and the CLI can write to one KB's log at once and a line is never interleaved.
The log lives in the KB directory: backing up or deleting a KB backs up or deletes its log.
"""
from __future__ import annotations

import csv
import io
import json
import os
import time
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from filelock import FileLock

FIELDS = ("time", "user", "groups", "action", "query", "mode", "documents", "chunks", "status")


@dataclass(frozen=True)
class AuditEntry:
    """One request: who, what they did and asked, which documents (ids and names) it showed them."""

    user: str  # "(operator)" for the local CLI and keyless API
    action: str  # search, ask, chat, agent, summarize, extract, read, acl; denied (a refused API request)
    query: str
    groups: tuple[str, ...] = ()
    mode: str | None = None  # llm / extractive for answers
    documents: tuple[tuple[str, str], ...] = ()  # (id, name) cited or shown, in order
    chunks: tuple[int, ...] = ()
    status: int | None = None  # denied: the HTTP status the request was answered with (403, 404)
    time: float = field(default_factory=time.time)

    def as_dict(self) -> dict:
        d = asdict(self)
        d["time"] = datetime.fromtimestamp(self.time, timezone.utc).isoformat(timespec="milliseconds")
        d["documents"] = [{"id": i, "name": n} for i, n in self.documents]
        return d


class AuditLog:
    """Append-only JSON lines; `entries` reads them back filtered, `export` writes JSON lines or CSV."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = FileLock(str(path.with_name(".audit.lock")))

    def append(self, entry: AuditEntry) -> None:
        line = (json.dumps(entry.as_dict(), ensure_ascii=False) + "\n").encode("utf-8")
        with self._lock:
            fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640)
            try:
                os.write(fd, line)
            finally:
                os.close(fd)

    def entries(self, since: datetime | None = None, until: datetime | None = None,
                user: str | None = None, action: str | None = None) -> Iterator[dict]:
        """Entries in the order written, within [since, until] and of one user / action if given."""
        try:
            handle = self.path.open(encoding="utf-8")
        except FileNotFoundError:
            return
        low = since.astimezone(timezone.utc).isoformat() if since else None
        high = until.astimezone(timezone.utc).isoformat() if until else None
        with handle:
            for line in handle:
                try:
                    entry = json.loads(line)
                except json.JSONDecodeError:  # a line cut by a crash mid-write: skip it, keep the rest
                    continue
                stamp = entry.get("time", "")
                if (low and stamp < low) or (high and stamp > high):
                    continue
                if (user and entry.get("user") != user) or (action and entry.get("action") != action):
                    continue
                yield entry

    @staticmethod
    def export(entries: Iterable[dict], fmt: str = "jsonl") -> str:
        """The entries as JSON lines or CSV (documents as `name (id)` joined by `; `)."""
        if fmt == "jsonl":
            return "".join(json.dumps(e, ensure_ascii=False) + "\n" for e in entries)
        if fmt != "csv":
            raise ValueError("format must be jsonl or csv")
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(FIELDS)
        for e in entries:
            docs = "; ".join(f"{d['name']} ({d['id']})" for d in e.get("documents", []))
            writer.writerow([e.get("time"), e.get("user"), ";".join(e.get("groups") or []), e.get("action"),
                             e.get("query"), e.get("mode") or "", docs, ";".join(map(str, e.get("chunks") or [])),
                             e.get("status") or ""])
        return out.getvalue()
