"""Which documents a search may look at. Applied inside retrieval, before ranking.

The lexical index scores only allowed rows (a 0/1 weight mask) and the vector index searches
only allowed ids (a FAISS ID selector), so k results come back even when most of a KB is
filtered out, and a filtered-out chunk can never surface. Access control builds on this.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, replace
from datetime import date, datetime

import numpy as np

from rag.acl import Reader, reader_clause


@dataclass(frozen=True)
class Filters:
    """All given conditions must hold. Empty filters allow everything."""

    documents: tuple[str, ...] = ()  # document ids
    tags: tuple[str, ...] = ()  # any of these tags
    folder: str | None = None  # source path prefix, e.g. "/srv/문서/인사"
    since: date | None = None  # updated on or after
    until: date | None = None  # updated on or before
    reader: Reader | None = None  # only documents this person may read (access control)

    def __bool__(self) -> bool:
        restricted = self.reader is not None and not self.reader.admin
        return bool(self.documents or self.tags or self.folder or self.since or self.until or restricted)

    def for_reader(self, reader: Reader | None) -> Filters:
        """These filters, narrowed to what `reader` may read (None: no access control)."""
        return self if reader is None else replace(self, reader=reader)

    def sql(self) -> tuple[str, list]:
        """A WHERE clause over `documents d` and its arguments."""
        clauses, args = [], []
        if self.documents:
            clauses.append(f"d.id IN ({','.join('?' * len(self.documents))})")
            args += list(self.documents)
        if self.tags:
            clauses.append(f"EXISTS (SELECT 1 FROM json_each(d.tags) t WHERE t.value IN ({','.join('?' * len(self.tags))}))")
            args += list(self.tags)
        if self.folder:
            prefix = self.folder.rstrip("/") + "/"
            clauses.append("substr(d.source, 1, ?) = ?")
            args += [len(prefix), prefix]
        if self.since:
            clauses.append("d.updated_at >= ?")
            args.append(datetime.combine(self.since, datetime.min.time()).timestamp())
        if self.until:
            clauses.append("d.updated_at < ?")
            args.append(datetime.combine(self.until, datetime.max.time()).timestamp())
        if self.reader is not None and not self.reader.admin:
            clause, more = reader_clause(self.reader)
            clauses.append(clause)
            args += more
        return (" AND ".join(clauses) or "1"), args


def mask_for(row_ids: np.ndarray, allowed: np.ndarray) -> np.ndarray:
    """0/1 weights per index row: 1 where the row's chunk id is allowed."""
    return np.isin(row_ids, allowed).astype(np.float32)


def tags_json(tags: list[str] | tuple[str, ...]) -> str:
    return json.dumps(sorted(set(tags)), ensure_ascii=False)
