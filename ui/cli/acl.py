"""`korag acl …` (users, groups, who may read each document) and `korag audit` (who asked what).

The CLI runs on the server with the KB's files at hand, so it acts as the operator (an admin)
unless `--user` / KORAG_USER says otherwise; ACL commands then need that user to be a KB admin.
"""
from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.markup import escape
from rich.table import Table

from rag.acl import AccessError, principal
from ui.cli.common import Cli, KbOption, console, fail

Readers = Annotated[list[str], typer.Argument(help="group:<name> or user:<name> (a bare name is a group)")]


def register(app: typer.Typer) -> None:
    acl_app = typer.Typer(help="Access control: users, groups (departments), who may read each document",
                          no_args_is_help=True)
    app.add_typer(acl_app, name="acl")

    def admin_kb(cli: Cli, kb: str | None):
        knowledge = cli.open(kb)
        cli.require_admin(knowledge)
        return knowledge

    @acl_app.command("list")
    def acl_list(ctx: typer.Context, kb: KbOption = None) -> None:
        """Users (with groups) and groups (with members) of a knowledge base."""
        knowledge = admin_kb(ctx.obj, kb)
        table = Table("user", "groups", "admin")
        for name, admin, groups in knowledge.store.access.users():
            table.add_row(escape(name), escape(", ".join(groups)), "yes" if admin else "")
        console.print(table)
        groups = Table("group", "members")
        for name, members in knowledge.store.access.groups():
            groups.add_row(escape(name), escape(", ".join(members)))
        console.print(groups)

    @acl_app.command("user")
    def acl_user(ctx: typer.Context,
                 name: Annotated[str, typer.Argument(help="User name (as in their API key: <user>:<digest>)")],
                 group: Annotated[Optional[list[str]], typer.Option("--group", "-g", help="A group (repeatable)")] = None,
                 admin: Annotated[bool, typer.Option("--admin", help="Manages the KB and reads all of it")] = False,
                 only: Annotated[bool, typer.Option("--only", help="In these groups only: leave every other")] = False,
                 remove: Annotated[bool, typer.Option("--remove", help="Remove the user")] = False,
                 kb: KbOption = None) -> None:
        """Add or update a user and their groups (or remove them)."""
        knowledge = admin_kb(ctx.obj, kb)
        try:
            if remove:
                if not knowledge.remove_user(name, by=ctx.obj.user):
                    raise fail(f"no user {name!r} in knowledge base {knowledge.name!r}")
                console.print(f"removed user {escape(name)}")
                return
            reader = knowledge.add_user(name, tuple(group or ()), admin, only, by=ctx.obj.user)
        except AccessError as err:
            raise fail(str(err)) from None
        console.print(f"{escape(str(reader))}")

    @acl_app.command("group")
    def acl_group(ctx: typer.Context, name: Annotated[str, typer.Argument(help="Group (department) name")],
                  member: Annotated[Optional[list[str]], typer.Option("--member", "-m", help="Add a user (repeatable)")] = None,
                  drop: Annotated[Optional[list[str]], typer.Option("--drop", help="Take a user out (repeatable)")] = None,
                  remove: Annotated[bool, typer.Option("--remove", help="Remove the group")] = False,
                  kb: KbOption = None) -> None:
        """Create a group, add or drop members (or remove it: its documents become admin-only, never public)."""
        knowledge = admin_kb(ctx.obj, kb)
        try:
            if remove:
                if not knowledge.remove_group(name, by=ctx.obj.user):
                    raise fail(f"no group {name!r} in knowledge base {knowledge.name!r}")
                console.print(f"removed group {escape(name)}")
                return
            knowledge.add_group(name, tuple(member or ()), by=ctx.obj.user)
            for user in drop or ():
                knowledge.set_membership(user, name, False, by=ctx.obj.user)
        except AccessError as err:
            raise fail(str(err)) from None
        members = dict(knowledge.store.access.groups()).get(name.strip(), ())
        console.print(f"{escape(name)}: {escape(', '.join(members))}")

    def change_readers(ctx: typer.Context, doc: str, kb: str | None, change) -> None:
        knowledge = admin_kb(ctx.obj, kb)
        record = ctx.obj.document(knowledge, doc)
        try:
            readers = change(set(knowledge.readers(record.id)))
            knowledge.set_readers(record.id, tuple(readers), by=ctx.obj.user)
        except AccessError as err:
            raise fail(str(err)) from None
        now = knowledge.readers(record.id)
        console.print(f"{escape(record.name)}: {escape(', '.join(now)) if now else '모두 (KB 전체)'}")

    @acl_app.command("grant")
    def acl_grant(ctx: typer.Context,
                  doc: Annotated[str, typer.Argument(help="Document id or file name")], readers: Readers,
                  kb: KbOption = None) -> None:
        """Let these users/groups read a document (a document with readers is closed to everyone else)."""
        change_readers(ctx, doc, kb, lambda now: now | {principal(r) for r in readers})

    @acl_app.command("revoke")
    def acl_revoke(ctx: typer.Context,
                   doc: Annotated[str, typer.Argument(help="Document id or file name")], readers: Readers,
                   kb: KbOption = None) -> None:
        """Take readers off a document; taking the last one off leaves it to admins, never to everyone."""
        from rag.acl import ADMINS_ONLY

        def revoke(now: set[str]) -> set[str]:
            left = now - {principal(r) for r in readers}
            return left or ({ADMINS_ONLY} if now else set())

        change_readers(ctx, doc, kb, revoke)

    @acl_app.command("open")
    def acl_open(ctx: typer.Context,
                 doc: Annotated[str, typer.Argument(help="Document id or file name")], kb: KbOption = None) -> None:
        """Open a document to everyone who can use the KB (clears its readers)."""
        change_readers(ctx, doc, kb, lambda now: set())

    @acl_app.command("show")
    def acl_show(ctx: typer.Context,
                 doc: Annotated[str, typer.Argument(help="Document id or file name")], kb: KbOption = None) -> None:
        """Who may read a document."""
        knowledge = admin_kb(ctx.obj, kb)
        record = ctx.obj.document(knowledge, doc)
        now = knowledge.readers(record.id)
        console.print(f"{escape(record.name)}: {escape(', '.join(now)) if now else '모두 (KB 전체)'}")

    @app.command()
    def audit(ctx: typer.Context, kb: KbOption = None,
              since: Annotated[Optional[datetime], typer.Option("--since", help="From (YYYY-MM-DD[THH:MM])")] = None,
              until: Annotated[Optional[datetime], typer.Option("--until", help="Until (YYYY-MM-DD[THH:MM])")] = None,
              user: Annotated[Optional[str], typer.Option("--of", help="Only this user's requests")] = None,
              action: Annotated[Optional[str], typer.Option("--action", help="ask, search, summarize, extract, agent, read, acl")] = None,
              fmt: Annotated[str, typer.Option("--format", help="jsonl | csv")] = "jsonl",
              output: Annotated[Optional[Path], typer.Option("--output", "-o", help="Write to this file (else stdout)")] = None,
              ) -> None:
        """Export the audit log: who asked what, and which documents answered (KB admins)."""
        if fmt not in ("jsonl", "csv"):
            raise fail("--format must be jsonl or csv")
        knowledge = admin_kb(ctx.obj, kb)
        text = knowledge.audit.export(knowledge.audit.entries(since, until, user, action), fmt)
        if output is None:
            typer.echo(text, nl=False)
        else:
            output.write_text(text, encoding="utf-8")
            console.print(f"wrote {text.count(chr(10)) - (fmt == 'csv')} entries to {escape(str(output))}")
