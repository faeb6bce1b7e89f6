"""`korag ask | chat | summarize | extract | models`: the answering commands (`register(app)` adds them)."""
from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.markup import escape

from ui.cli.common import KbOption, console, err_console, fail

MODE_LABELS = {"llm": "LLM 답변", "extractive": "추출형 · LLM 없음", "agent": "에이전트"}


def _label(result) -> str:
    model = f" · {result.model}" if result.model else ""
    return f"[{MODE_LABELS.get(result.mode, result.mode)}{model}]"


def _print_sources(console, result) -> None:
    for source in result.citations:
        quote = " ".join(source.quote.split())
        quote = quote[:160] + ("…" if len(quote) > 160 else "")
        console.print(f"  [bold]{escape(source.label())}[/bold]  [dim]{escape(quote)}[/dim]")


def _print_notices(err_console, result) -> None:
    for notice in result.notices:
        err_console.print(f"[yellow]※ {escape(notice)}[/yellow]")


def _agent_errors() -> tuple[type[Exception], ...]:
    """What an answering command reports in one line (never a traceback); imported late: agents is heavy."""
    from agents.errors import AgentError
    from rag.errors import RetrievalError

    return (AgentError, RetrievalError, ValueError)


def register(app: typer.Typer) -> None:
    def show_answer(result, as_json: bool, streamed: bool = False) -> None:
        if as_json:
            console.print_json(result.model_dump_json())
            return
        if not streamed:
            console.print(escape(result.text))
        console.print(f"[dim]{escape(_label(result))}[/dim]")
        _print_sources(console, result)
        _print_notices(err_console, result)

    def stream_to_console(items):
        from agents.types import Answer

        final = None
        for item in items:
            if isinstance(item, Answer):
                final = item
            else:
                sys.stdout.write(item)
                sys.stdout.flush()
        sys.stdout.write("\n")
        return final

    @app.command()
    def ask(ctx: typer.Context, question: Annotated[str, typer.Argument(help="질문")], kb: KbOption = None,
            k: Annotated[Optional[int], typer.Option("-k", help="Passages to retrieve")] = None,
            doc: Annotated[Optional[list[str]], typer.Option("--doc", help="Only this document (repeatable)")] = None,
            tag: Annotated[Optional[list[str]], typer.Option("--tag", help="Only documents with this tag")] = None,
            agent: Annotated[bool, typer.Option("--agent", help="Let the tool-calling agent handle it")] = False,
            as_json: Annotated[bool, typer.Option("--json", help="Print the answer as JSON")] = False) -> None:
        """Answer a question from the documents with numbered citations (streamed when an LLM is configured)."""
        from rag.filters import Filters

        assistant = ctx.obj.assistant(kb)
        filters = Filters(tuple(ctx.obj.document(assistant.kb, d).id for d in doc or ()), tuple(tag or ()))
        try:
            if agent:
                show_answer(assistant.agent(question), as_json)
            elif as_json or assistant.llm is None:
                show_answer(assistant.ask(question, filters=filters, k=k), as_json)
            else:
                show_answer(stream_to_console(assistant.stream(question, filters=filters, k=k)), False, streamed=True)
        except _agent_errors() as err:
            raise fail(str(err)) from None

    @app.command()
    def chat(ctx: typer.Context, kb: KbOption = None,
             conversation: Annotated[str, typer.Option("--conversation", "-c", help="Conversation id")] = "cli") -> None:
        """Talk with the documents: follow-up questions keep the conversation's context. Empty line or /exit ends."""
        assistant = ctx.obj.assistant(kb)
        mode = MODE_LABELS["llm"] + f" · {assistant.llm.model}" if assistant.llm else MODE_LABELS["extractive"]
        err_console.print(f"[dim]kb {assistant.kb.name!r} · {mode} · /reset 대화 초기화 · /exit 끝내기[/dim]")
        while True:
            try:
                message = input("질문> ").strip()
            except EOFError:
                break
            if not message or message in ("/exit", "/quit"):
                break
            if message == "/reset":
                assistant.history.clear(conversation)
                continue
            try:
                final = stream_to_console(assistant.chat_stream(message, conversation))
            except _agent_errors() as err:
                err_console.print(f"[red]error:[/red] {escape(str(err))}")
                continue
            if final.standalone_question:
                err_console.print(f"[dim](검색한 질문: {escape(final.standalone_question)})[/dim]")
            show_answer(final, False, streamed=True)

    @app.command()
    def summarize(ctx: typer.Context,
                  doc: Annotated[str, typer.Argument(help="Document id or file name")], kb: KbOption = None,
                  length: Annotated[str, typer.Option("--length", help="short | medium | long")] = "medium",
                  style: Annotated[str, typer.Option("--style", help="paragraph | bullets")] = "paragraph",
                  pages: Annotated[Optional[str], typer.Option("--pages", help="Page range, e.g. 3-7")] = None,
                  as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
        """Summarize a document (or a page range): whole, map-reduce when long, extractive without an LLM."""
        assistant = ctx.obj.assistant(kb)
        page_range = None
        if pages:
            first, _, last = pages.partition("-")
            if not first.isdigit() or (last and not last.isdigit()):
                raise fail(f"--pages must look like 3-7 or 4, not {pages!r}")
            page_range = (int(first), int(last or first))
        try:
            result = assistant.summarize(doc, length, style, pages=page_range)
        except _agent_errors() as err:
            raise fail(str(err)) from None
        if as_json:
            console.print_json(result.model_dump_json())
            return
        console.print(escape(result.text))
        console.print(f"[dim]{escape(_label(result))} · {result.method}[/dim]")
        _print_sources(console, result)
        _print_notices(err_console, result)

    @app.command()
    def extract(ctx: typer.Context, doc: Annotated[str, typer.Argument(help="Document id or file name")],
                schema: Annotated[Path, typer.Option("--schema", help="JSON Schema file", exists=True, dir_okay=False)],
                kb: KbOption = None,
                as_json: Annotated[bool, typer.Option("--json", help="Print everything (fields, sources) as JSON")] = False,
                ) -> None:
        """Extract fields from a document into JSON following a JSON Schema; each field with its source."""
        from agents.errors import ExtractionFailed

        assistant = ctx.obj.assistant(kb)
        try:
            spec = json.loads(schema.read_text(encoding="utf-8"))
        except (json.JSONDecodeError, UnicodeDecodeError) as err:
            raise fail(f"{schema}: not a JSON file ({err})") from None
        try:
            result = assistant.extract(doc, spec)
        except ExtractionFailed as err:
            raise fail(f"{err}\n--- model output ---\n{err.raw[:2000]}") from None
        except Exception as err:  # jsonschema.SchemaError and the agent errors: one line each
            if err.__class__.__name__ in ("SchemaError",):
                raise fail(f"{schema}: invalid JSON Schema: {err.message}") from None
            if isinstance(err, _agent_errors()):
                raise fail(str(err)) from None
            raise
        if as_json:
            console.print_json(result.model_dump_json())
            return
        console.print_json(json.dumps(result.data, ensure_ascii=False))
        console.print(f"[dim]{escape(_label(result))}[/dim]")
        from agents.types import field_rows

        for row in field_rows(result):  # per field: value, where it was read (span), or 찾지 못함 and why
            value = "[yellow]찾지 못함[/yellow]" if row["값"] == "" else f"[bold]{escape(row['값'])}[/bold]"
            where = f"{row['문서']}{' p.' + row['쪽'] if row['쪽'] else ''} [{row['위치']}] «{row['근거'][:120]}»" \
                if row["위치"] else ""
            console.print(f"  {escape(row['필드'])}: {value}  [dim]{escape(where or row['이유'])}"
                          f"{escape(' · ' + row['이유']) if where and row['이유'] else ''}[/dim]")
        _print_notices(err_console, result)

    @app.command()
    def models(ctx: typer.Context) -> None:
        """The Korean model presets (context, prompt format, licence), the OCR models and the configured LLM."""
        from agents.errors import LLMUnavailable
        from agents.llm import llm_for
        from agents.presets import PRESETS

        for p in PRESETS:  # one line each: readable in a pipe, greppable
            use = "commercial use: yes" if p.commercial else "[red]commercial use: NO[/red]"
            console.print(f"{p.name:<14} context {p.context_length:>7,}  {p.format:<10}  {escape(p.licence)}  {use}  "
                          f"[dim](matches {', '.join(p.match)})[/dim]")
        from agents.ocr import ocr_models

        console.print(escape(ocr_models(ctx.obj.settings)))
        llm = llm_for(ctx.obj.settings)
        if llm is None:
            console.print("LLM: none configured → 추출형 답변 (set KORAG_LLM_BASE_URL and KORAG_LLM_MODEL)")
            return
        try:
            info = llm.info()
        except LLMUnavailable as err:
            raise fail(str(err)) from None
        licence = f"{info.licence} ({'commercial use allowed' if info.commercial else 'NON-COMMERCIAL'})" \
            if info.preset else "unknown (no preset matches; check the model card)"
        console.print(f"LLM: {info.model} at {llm.base_url} · preset {info.preset or '-'} · "
                      f"context {info.context_length:,} tokens · licence {licence}")

