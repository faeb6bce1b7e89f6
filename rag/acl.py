"""Who may read which documents of a knowledge base: users, groups (departments) and readers.

A document with no readers is readable by everyone who can use the KB; a document with readers
(`user:김민수`, `group:인사팀`) only by those users and the members of those groups. `Reader` is the
person asking; it travels inside `Filters`, so the check happens inside retrieval (as an id mask
on both indexes, before fusion and reranking) and in every lookup of a document by id or name.
An unreadable document behaves exactly like one that does not exist.

Users, groups and readers live in kb.sqlite next to the documents (a KB is the unit a company
backs up and grants access to), so a backup restores its permissions with it.
"""
from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass

# Tables: acl_users, acl_groups, acl_members, acl_readers (rag/migrations.py, m003_access_control).

_NAME = re.compile(r"^[^\s:,/\\\x00-\x1f]{1,64}$")


class AccessError(ValueError):
    """A malformed principal, an unknown user or group, or an action the reader may not take."""


@dataclass(frozen=True)
class Reader:
    """The person a search or answer is for. `admin` reads (and manages) everything."""

    user: str | None = None
    groups: tuple[str, ...] = ()
    admin: bool = False

    @property
    def principals(self) -> tuple[str, ...]:
        own = (f"user:{self.user}",) if self.user else ()
        return own + tuple(f"group:{g}" for g in self.groups)

    def __str__(self) -> str:
        if self.admin:
            return f"{self.user or '운영자'} (관리자)"
        return f"{self.user} ({', '.join(self.groups)})" if self.groups else str(self.user)


OPERATOR = Reader(None, (), admin=True)  # the local CLI user, a keyless API: reads everything
ADMINS_ONLY = "group:@admin"  # a reader no one is a member of ('@' is reserved): only admins read it


def check_name(name: str, what: str = "name") -> str:
    name = name.strip()
    if not _NAME.match(name) or name.startswith("@"):
        raise AccessError(f"{what} {name!r} is not valid: 1–64 characters, no spaces, ':', ',', '/', leading '@' or control characters")
    return name


def principal(text: str) -> str:
    """'user:kim' / 'group:인사팀' as typed (a bare name means a group, as departments are the common case)."""
    kind, sep, name = text.strip().partition(":")
    if not sep:
        kind, name = "group", kind
    if kind not in ("user", "group"):
        raise AccessError(f"{text!r}: a reader is user:<name> or group:<name>")
    if f"{kind}:{name}" == ADMINS_ONLY:
        return ADMINS_ONLY
    return f"{kind}:{check_name(name, kind)}"


def touch(db: sqlite3.Connection) -> None:
    """Count a change of access, so cached sets of allowed chunks are recomputed."""
    db.execute("INSERT INTO meta VALUES ('acl_generation', '1')"
               " ON CONFLICT(key) DO UPDATE SET value = CAST(value AS INTEGER) + 1")


def parse_readers(values: Iterable[str]) -> tuple[str, ...]:
    """Readers as typed on a command line, a form or a list: each `user:…` / `group:…`, comma-separated
    lists allowed; raises `AccessError` naming a malformed one."""
    return tuple(principal(p) for value in values for p in value.split(",") if p.strip())


def _drop_principal(db: sqlite3.Connection, who: str) -> None:
    """Take a user or group off every document's readers. A document whose last reader goes away
    must not fall back to "everyone": it keeps ADMINS_ONLY as its reader."""
    orphaned = [r[0] for r in db.execute(
        "SELECT document_id FROM acl_readers WHERE principal = ? AND document_id NOT IN"
        " (SELECT document_id FROM acl_readers WHERE principal <> ?)", (who, who))]
    db.execute("DELETE FROM acl_readers WHERE principal = ?", (who,))
    db.executemany("INSERT INTO acl_readers VALUES (?, ?)", [(d, ADMINS_ONLY) for d in orphaned])


def reader_clause(reader: Reader) -> tuple[str, list]:
    """A SQL condition over `documents d`: the document has no readers, or names this reader."""
    principals = reader.principals
    marks = ",".join("?" * len(principals))
    named = f" OR EXISTS (SELECT 1 FROM acl_readers r WHERE r.document_id = d.id AND r.principal IN ({marks}))" \
        if principals else ""
    return f"(NOT EXISTS (SELECT 1 FROM acl_readers r WHERE r.document_id = d.id){named})", list(principals)


class Access:
    """Users, groups and document readers of one KB (the SQL half; `KnowledgeBase` holds the lock)."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db

    # -- people ----------------------------------------------------------------------------------
    def reader(self, user: str, admin: bool = False) -> Reader:
        """The reader for a user name: their groups from this KB; an admin here if marked so."""
        row = self.db.execute("SELECT admin FROM acl_users WHERE name = ?", (user,)).fetchone()
        groups = tuple(r[0] for r in self.db.execute(
            "SELECT group_name FROM acl_members WHERE user_name = ? ORDER BY group_name", (user,)))
        return Reader(user, groups, admin or bool(row and row[0]))

    def users(self) -> list[tuple[str, bool, tuple[str, ...]]]:
        """(name, admin, groups) for every user."""
        rows = self.db.execute("SELECT name, admin FROM acl_users ORDER BY name").fetchall()
        return [(name, bool(admin), self.reader(name).groups) for name, admin in rows]

    def groups(self) -> list[tuple[str, tuple[str, ...]]]:
        """(name, members) for every group."""
        rows = self.db.execute("SELECT name FROM acl_groups ORDER BY name").fetchall()
        return [(g, tuple(r[0] for r in self.db.execute(
            "SELECT user_name FROM acl_members WHERE group_name = ? ORDER BY user_name", (g,)))) for (g,) in rows]

    def add_user(self, db: sqlite3.Connection, name: str, groups: tuple[str, ...] = (), admin: bool = False,
                 only: bool = False) -> None:
        """Add (or update) a user and put them in `groups`; `only`: and take them out of every other group."""
        name = check_name(name, "user")
        touch(db)
        if only:
            db.execute(f"DELETE FROM acl_members WHERE user_name = ? AND group_name NOT IN ({','.join('?' * len(groups))})",
                       (name, *[g.strip() for g in groups]))
        db.execute("INSERT INTO acl_users (name, admin) VALUES (?, ?) ON CONFLICT(name) DO UPDATE SET admin = ?",
                   (name, int(admin), int(admin)))
        for group in groups:
            group = check_name(group, "group")
            db.execute("INSERT OR IGNORE INTO acl_groups VALUES (?)", (group,))
            db.execute("INSERT OR IGNORE INTO acl_members VALUES (?, ?)", (group, name))

    def remove_user(self, db: sqlite3.Connection, name: str) -> bool:
        touch(db)
        _drop_principal(db, f"user:{name}")
        return db.execute("DELETE FROM acl_users WHERE name = ?", (name,)).rowcount > 0

    def add_group(self, db: sqlite3.Connection, name: str) -> None:
        db.execute("INSERT OR IGNORE INTO acl_groups VALUES (?)", (check_name(name, "group"),))

    def remove_group(self, db: sqlite3.Connection, name: str) -> bool:
        """Remove a group; documents readable only by it become readable by admins only, not by everyone."""
        touch(db)
        _drop_principal(db, f"group:{name}")
        return db.execute("DELETE FROM acl_groups WHERE name = ?", (name,)).rowcount > 0

    def set_membership(self, db: sqlite3.Connection, user: str, group: str, member: bool) -> None:
        if member:
            self.add_user(db, user, (group,), admin=self.reader(user).admin)
        else:
            touch(db)
            db.execute("DELETE FROM acl_members WHERE group_name = ? AND user_name = ?", (group, user))

    # -- documents -------------------------------------------------------------------------------
    def readers(self, document_id: str) -> tuple[str, ...]:
        """The document's readers; () means everyone who can use the KB."""
        return tuple(r[0] for r in self.db.execute(
            "SELECT principal FROM acl_readers WHERE document_id = ? ORDER BY principal", (document_id,)))

    def set_readers(self, db: sqlite3.Connection, document_id: str, readers: tuple[str, ...]) -> None:
        """Replace the document's readers (inside the caller's transaction); () opens it to the whole KB."""
        readers = tuple(sorted({principal(p) for p in readers}))
        touch(db)
        db.execute("DELETE FROM acl_readers WHERE document_id = ?", (document_id,))
        for p in readers:
            kind, _, name = p.partition(":")
            if kind == "group" and p != ADMINS_ONLY:
                db.execute("INSERT OR IGNORE INTO acl_groups VALUES (?)", (name,))
        db.executemany("INSERT INTO acl_readers VALUES (?, ?)", [(document_id, p) for p in readers])
