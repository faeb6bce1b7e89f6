"""What every `korag` command shares: the consoles, the `--kb` option, one-line errors, and `Cli`,
the context object the root callback fills once (the settings) and hands to every command as `ctx.obj`.
"""
from __future__ import annotations

import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated, Optional

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from rag.errors import RetrievalError
from rag.settings import Settings

if TYPE_CHECKING:  # agents loads the parsers and models, rag.kb FAISS and Kiwi: imported where a command
    # needs them, so `korag --help` starts without them (tests/ui/test_cli_startup.py checks)
    from agents import Assistant
    from rag.acl import Reader
    from rag.kb import KnowledgeBase
    from rag.store import DocumentRecord

console = Console(highlight=False, soft_wrap=True)  # one result per line, even in a pipe
err_console = Console(stderr=True, highlight=False, soft_wrap=True)

# module level: typer resolves these annotations (strings, under `from __future__ import annotations`) here
KbOption = Annotated[Optional[str], typer.Option("--kb", help="Knowledge base name (default: KORAG_KB)")]


def fail(message: str, code: int = 1) -> typer.Exit:
    """Print one error line; the caller raises what this returns (`raise fail(...) from None`)."""
    err_console.print(f"[red]error:[/red] {escape(message)}")
    return typer.Exit(code)


def shown(name: str) -> str:
    """A file name safe for one terminal line: control characters shown as escapes."""
    return escape("".join(ch if ch.isprintable() else repr(ch)[1:-1] for ch in name))


@dataclass(frozen=True)
class Cli:
    """What the root callback hands every command (`ctx.obj`): the settings, read once, with `--user`."""

    settings: Settings

    @property
    def user(self) -> str | None:
        """--user / KORAG_USER: None for the operator (reads everything)."""
        return self.settings.user

    def assistant(self, kb: str | None, create: bool = False) -> Assistant:
        """The Python API over a KB (an existing one unless `create`) as the CLI's user, or a one-line error."""
        from agents import Assistant

        try:
            return Assistant(kb, self.settings, create=create, user=self.user)
        except RetrievalError as err:
            raise fail(str(err)) from None

    def open(self, kb: str | None, create: bool = False) -> KnowledgeBase:
        from rag.kb import KnowledgeBase

        try:
            return KnowledgeBase.open(self.settings, kb, create=create)
        except RetrievalError as err:
            raise fail(str(err)) from None

    def reader(self, knowledge: KnowledgeBase) -> Reader | None:
        """The `Reader` for --user / KORAG_USER in this KB; None for the operator (reads everything)."""
        return knowledge.reader(self.user) if self.user else None

    def require_admin(self, knowledge: KnowledgeBase) -> None:
        reader = self.reader(knowledge)
        if reader is not None and not reader.admin:
            raise fail(f"{reader.user} is not an admin of knowledge base {knowledge.name!r}")

    def document(self, knowledge: KnowledgeBase, ref: str) -> DocumentRecord:
        """A document the CLI's user may read (every document for the operator)."""
        try:
            return knowledge.document(ref, self.reader(knowledge))
        except RetrievalError as err:
            raise fail(str(err)) from None


def embed_with_progress(assistant: Assistant, background: bool = False) -> None:
    """Fill in dense vectors with a progress bar: here and now, or (`background`) by following the KB's
    background embedder. Ctrl-C keeps what is done (`korag embed` resumes; a background embedder goes on)."""
    if assistant.settings.embedder == "none":
        return
    status = assistant.vectors()
    if status.complete:
        return
    started = time.perf_counter()
    with Progress(TextColumn("벡터 임베딩 (dense vectors)"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=err_console, transient=True) as progress:
        task = progress.add_task("embed", total=status.total, completed=status.done)

        def show(done: int, total: int) -> None:  # the whole KB's chunks, either way
            progress.update(task, completed=done, total=total)

        try:
            if background:
                assistant.wait_for_vectors(show)
            else:
                assistant.embed(show)
        except KeyboardInterrupt:
            console.print("embedding interrupted: what is done is saved; "
                          + ("the background embedder goes on" if background else "`korag embed` continues"))
            return
        except RetrievalError as err:
            raise fail(str(err)) from None
    final = assistant.vectors()
    console.print(f"{final.label()} — {time.perf_counter() - started:.1f}s")
