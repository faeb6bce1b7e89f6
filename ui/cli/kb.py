"""`korag kb …` (knowledge bases, their user dictionary) and `korag docs …` (the documents in one)."""
from __future__ import annotations

from typing import Annotated, Optional

import typer
from rich.markup import escape
from rich.table import Table

from rag import embed_state
from rag.errors import RetrievalError
from ui.cli.common import Cli, KbOption, console, embed_with_progress, fail

kb_app = typer.Typer(help="Knowledge bases: list, info, delete", no_args_is_help=True)
docs_app = typer.Typer(help="Documents in a knowledge base: list, show, delete", no_args_is_help=True)
dict_app = typer.Typer(help="The KB's user dictionary (company terms, 약어, product codes)", no_args_is_help=True)
kb_app.add_typer(dict_app, name="dict")


@kb_app.command("list")
def kb_list(ctx: typer.Context) -> None:
    """List knowledge bases under KORAG_HOME."""
    from rag.kb import KnowledgeBase

    settings = ctx.obj.settings
    names = KnowledgeBase.names(settings)
    if not names:
        console.print(f"no knowledge bases under {settings.home}")
    for name in names:
        knowledge = KnowledgeBase.open(settings, name)
        c = knowledge.store.counts()
        console.print(f"{name}\t{c['documents']} documents\t{c['chunks']} chunks")


@kb_app.command("info")
def kb_info(ctx: typer.Context, name: Annotated[Optional[str], typer.Argument()] = None) -> None:
    """Show a knowledge base's location and size."""
    knowledge = ctx.obj.open(name)
    c = knowledge.store.counts()
    size = sum(p.stat().st_size for p in knowledge.path.rglob("*") if p.is_file())
    meta = knowledge.store.meta_all()
    state = embed_state.state(knowledge.path)
    vectors = embed_state.vectors(knowledge)
    worker = f", background embedder pid {state.pid}" if state.running and state.pid else ""
    console.print(f"name:       {knowledge.name}\npath:       {knowledge.path}\ndocuments:  {c['documents']}\n"
                  f"chunks:     {c['chunks']}\nlexical:    {len(knowledge.lexical())} chunks indexed\n"
                  f"status:     {vectors.label()}\n"
                  f"dense:      {vectors.done} vectors ({meta.get('embedder', 'none yet')}), "
                  f"{vectors.total - vectors.done} pending{worker}\n"
                  f"disk:       {size / 2**20:.1f} MiB")


@dict_app.command("list")
def dict_list(ctx: typer.Context, kb: KbOption = None) -> None:
    """Show the user dictionary."""
    for form, tag in ctx.obj.open(kb).user_words():
        console.print(f"{form}\t{tag}")


@dict_app.command("add")
def dict_add(ctx: typer.Context,
             words: Annotated[list[str], typer.Argument(help="Words Kiwi should keep whole")], kb: KbOption = None,
             tag: Annotated[str, typer.Option("--tag", help="Kiwi POS tag (NNP proper noun, NNG noun, SL, …)")] = "NNP",
             ) -> None:
    """Add words and re-tokenize the KB with them."""
    knowledge = ctx.obj.open(kb)
    redone = knowledge.set_user_words(list(knowledge.user_words()) + [(w, tag) for w in words])
    console.print(f"{len(knowledge.user_words())} words; {redone} chunks re-tokenized")


@dict_app.command("remove")
def dict_remove(ctx: typer.Context, words: list[str], kb: KbOption = None) -> None:
    """Remove words and re-tokenize the KB without them."""
    knowledge = ctx.obj.open(kb)
    redone = knowledge.set_user_words([(w, t) for w, t in knowledge.user_words() if w not in set(words)])
    console.print(f"{len(knowledge.user_words())} words; {redone} chunks re-tokenized")


@kb_app.command("reembed")
def kb_reembed(ctx: typer.Context, kb: KbOption = None) -> None:
    """Drop the KB's vectors and embed every chunk with the configured embedder."""
    assistant = ctx.obj.assistant(kb)
    assistant.kb.reset_embeddings()
    embed_with_progress(assistant)


@kb_app.command("delete")
def kb_delete(ctx: typer.Context, name: str,
              yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask")] = False) -> None:
    """Delete a knowledge base and everything in it."""
    if not yes and not typer.confirm(f"Delete knowledge base {name!r} and all its documents?"):
        raise typer.Exit(1)
    from rag.kb import KnowledgeBase

    try:
        KnowledgeBase.delete(ctx.obj.settings, name)
    except RetrievalError as err:
        raise fail(str(err)) from None
    console.print(f"deleted {name}")


@docs_app.command("list")
def docs_list(ctx: typer.Context, kb: KbOption = None) -> None:
    """List documents: id, name, format, pages, chunks."""
    cli: Cli = ctx.obj
    knowledge = cli.open(kb)
    table = Table("id", "name", "format", "pages", "chunks", "version", "status")
    documents = knowledge.documents(cli.reader(knowledge))
    vectors = embed_state.document_vectors(knowledge, [d.id for d in documents])
    for d in documents:
        status = vectors[d.id].label() if d.id in vectors else ""
        table.add_row(d.id, escape(d.name), d.format, str(d.pages or ""), str(d.chunks), str(d.version), status)
    console.print(table)


@docs_app.command("show")
def docs_show(ctx: typer.Context, doc: Annotated[str, typer.Argument(help="Document id or file name")],
              kb: KbOption = None) -> None:
    """Print a document's extracted text with page/section markers."""
    cli: Cli = ctx.obj
    knowledge = cli.open(kb)
    record = cli.document(knowledge, doc)
    console.print(f"[bold]{escape(record.name)}[/bold] ({record.format}, id {record.id}, version {record.version})")
    unit = {"pdf": "page", "pptx": "slide", "xlsx": "sheet", "hwp": "section", "hwpx": "section"}.get(record.format, "part")
    page = object()
    for block in knowledge.store.blocks(record.id):
        if block.page != page:
            page = block.page
            if page is not None:
                console.print(f"\n[dim]── {unit} {page} ──[/dim]")
        prefix = "#" * min(len(block.heading_path) or 1, 6) + " " if block.kind == "heading" else ""
        console.print(escape(prefix + block.text))
    if record.pages_needing_ocr:
        console.print(f"\n[yellow]pages without a text layer (need OCR): {list(record.pages_needing_ocr)}[/yellow]")


@docs_app.command("tag")
def docs_tag(ctx: typer.Context, doc: str,
             tags: Annotated[list[str], typer.Argument(help="The document's tags (replaces the old ones)")],
             kb: KbOption = None) -> None:
    """Set a document's tags (used by `korag search --tag`)."""
    cli: Cli = ctx.obj
    knowledge = cli.open(kb)
    cli.require_admin(knowledge)
    record = cli.document(knowledge, doc)
    knowledge.store.set_tags(record.id, tags)
    console.print(f"{record.name}: {', '.join(knowledge.store.tags(record.id))}")


@docs_app.command("delete")
def docs_delete(ctx: typer.Context, doc: str, kb: KbOption = None) -> None:
    """Delete a document: its chunks, index entries and stored original."""
    cli: Cli = ctx.obj
    knowledge = cli.open(kb)
    cli.require_admin(knowledge)
    try:
        record = knowledge.delete_document(doc)
    except RetrievalError as err:
        raise fail(str(err)) from None
    console.print(f"deleted {record.name} ({record.id})")


def register(app: typer.Typer) -> None:
    app.add_typer(kb_app, name="kb")
    app.add_typer(docs_app, name="docs")
