"""`korag worker`, `korag api`, `korag jobs …` and `korag ingest --queue`: the scale-out commands.

Registered on the root `korag` app by ui/cli/app.py (`register(app)`).
"""
from __future__ import annotations

import logging
import time
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Optional

import typer
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from rag.errors import RetrievalError
from rag.settings import Settings
from ui.cli.common import Cli, KbOption, console, err_console, fail

if TYPE_CHECKING:
    from agents.jobs import Jobs

jobs_app = typer.Typer(help="Ingest jobs in the Redis queue: list, show, cancel, retry", no_args_is_help=True)
POLL_S = 0.5


def _queue(settings: Settings) -> Jobs:
    from agents.jobs import Jobs  # the queue's modules load only for the commands that use it

    if not settings.redis_url:
        raise fail("KORAG_REDIS_URL is not set: without Redis, `korag ingest` runs inline (no jobs to show)")
    queue = Jobs(settings)
    if not queue.ping():
        raise fail(f"Redis at {settings.redis_url} does not answer")
    return queue


def _line(job) -> str:
    """One job as one line: state, file, and the result or the reason."""
    if job.state == "done":
        return f"[green]{job.status or 'done':9}[/green] {escape(job.name)}  ({job.chunks} chunks, {job.attempts} attempt(s))"
    if job.state == "failed":
        return f"[red]failed[/red]    {escape(job.name)}: {escape(job.error or '')}"
    return f"{job.state:9} {escape(job.name)} {stage_label(job)}"


def stage_label(job) -> str:
    """Where a job is, in the words every surface uses: 대기 → 분석 중 → 검색 가능 → 벡터 n/m."""
    if job.state == "queued":
        return "대기"
    if job.stage == "parsing" or job.stage is None:
        return "분석 중"
    if job.stage == "searchable":
        return "검색 가능"
    return f"검색 가능 · 벡터 {job.done}/{job.total}"


def ingest_queued(cli: Cli, paths: list[Path], kb: str | None, tags: list[str], wait: bool,
                  readers: tuple[str, ...] | None = None, ocr_engine: str | None = None, embed: bool = True) -> None:
    """`korag ingest --queue`: one job per file for the workers; with `--wait`, follow them to the end."""
    from agents import Assistant
    from agents.errors import IngestError

    settings = cli.settings
    queue = _queue(settings)
    files = Assistant.files(paths)
    if not files:
        raise fail("no files found in " + ", ".join(map(str, paths)))
    try:  # submitted by the operator (no uploader), as `korag ingest --queue` always was
        assistant = Assistant(kb, settings, create=True)
    except RetrievalError as err:
        raise fail(str(err)) from None
    submitted, refused = [], 0
    for path in files:
        try:
            data = path.read_bytes()
            submitted.append(queue.submit(assistant, data, path.name, source=str(path.resolve()), tags=tags,
                                          readers=readers, ocr_engine=ocr_engine, embed=embed))
        except IngestError as err:
            refused += 1
            console.print(f"[red]failed[/red]    {escape(path.name)}: {escape(err.reason)}")
        except OSError as err:
            refused += 1
            console.print(f"[red]failed[/red]    {escape(path.name)}: cannot be read ({escape(str(err))})")
    console.print(f"{len(submitted)} jobs queued for kb {assistant.kb.name!r} on {settings.queue_name}"
                  + (f", {refused} files refused" if refused else ""))
    if not wait:
        for job in submitted:  # the same bytes submitted again are the same job: it may be running or done
            console.print(f"{job.id}  {job.state:8} {escape(job.name)}")
        console.print("follow them with `korag jobs list --kb " + escape(assistant.kb.name) + "`")
        if refused:
            raise typer.Exit(1)
        return
    pending = {job.id: job for job in submitted}
    failed = refused
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=err_console, transient=True) as progress:
        task = progress.add_task("workers…", total=len(pending))
        while pending:
            for job_id in list(pending):
                job = queue.job(job_id)
                if job.over:
                    del pending[job_id]
                    failed += job.state != "done"
                    console.print(_line(job))
                    progress.advance(task)
                elif job.state == "running":
                    progress.update(task, description=f"{job.name[:30]} {stage_label(job)}")
            if pending:
                time.sleep(POLL_S)
    if failed:
        raise typer.Exit(1)


def worker(ctx: typer.Context,
           burst: Annotated[bool, typer.Option("--burst", help="Stop when the queue is empty")] = False,
           name: Annotated[Optional[str], typer.Option("--name", help="Worker name (default: random)")] = None) -> None:
    """Run ingest jobs from Redis (KORAG_REDIS_URL). Start one per core or GPU; they share the queue."""
    from agents.errors import IngestError
    from agents.jobs import run_worker

    if not logging.getLogger().isEnabledFor(logging.INFO):
        logging.getLogger("ingest").setLevel(logging.INFO)  # a worker's log is its job history
    try:
        run_worker(ctx.obj.settings, burst=burst, name=name)
    except IngestError as err:
        raise fail(err.reason) from None


def api(ctx: typer.Context,
        host: Annotated[str, typer.Option("--host", help="Address to listen on (0.0.0.0: all)")] = "127.0.0.1",
        port: Annotated[int, typer.Option("--port")] = 8000,
        workers: Annotated[int, typer.Option("--workers", help="uvicorn worker processes")] = 1,
        new_key: Annotated[bool, typer.Option("--new-key", help="Print a new API key and its digest, then exit")] = False,
        openapi: Annotated[bool, typer.Option("--openapi", help="Print the OpenAPI spec (docs/openapi.json), then exit")] = False,
        user: Annotated[Optional[str], typer.Option("--user", help="With --new-key: the key is this KB user's "
                                                                   "(reads only what their groups may)")] = None,
        ) -> None:
    """Serve the HTTP API (OpenAPI at /openapi.json, docs at /docs)."""
    from ui.api import ApiKeysMissing, create_app, new_key as make_key

    settings = ctx.obj.settings
    if openapi:
        import json

        spec = create_app(settings.model_copy(update={"api_auth": False, "redis_url": None})).openapi()
        print(json.dumps(spec, ensure_ascii=False, indent=1))
        return
    if new_key:
        key, entry = make_key(user)
        console.print(f"API key (give it to the client; it is not stored): {key}\n"
                      f"add to KORAG_API_KEYS (comma-separated):            {entry}")
        return
    import uvicorn

    try:
        create_app(settings)  # fail here, in one line, rather than in every uvicorn worker
    except ApiKeysMissing as err:
        raise fail(str(err)) from None
    uvicorn.run("ui.api:app_from_env", factory=True, host=host, port=port, workers=workers,
                proxy_headers=True, log_level="info")


@jobs_app.command("list")
def jobs_list(ctx: typer.Context, kb: KbOption = None,
              state: Annotated[Optional[str], typer.Option("--state", help="queued|running|done|failed|cancelled")] = None,
              limit: Annotated[int, typer.Option("--limit")] = 50) -> None:
    """Recent jobs, newest first; `--state failed` is the dead-letter list."""
    if state not in (None, "queued", "running", "done", "failed", "cancelled"):
        raise fail("--state must be queued, running, done, failed or cancelled")
    queue = _queue(ctx.obj.settings)
    found = queue.list(kb, state, limit)  # type: ignore[arg-type]
    if not found:
        console.print("no jobs")
        return
    table = Table("id", "kb", "file", "state", "result / reason", "attempts")
    for job in found:
        outcome = job.error if job.state == "failed" else (job.status if job.over else stage_label(job))
        table.add_row(job.id, escape(job.kb), escape(job.name), job.state, escape(outcome or ""), str(job.attempts))
    console.print(table)


@jobs_app.command("show")
def jobs_show(ctx: typer.Context, job_id: str) -> None:
    """One job's state, stage, progress and result."""
    job = _on_job(ctx.obj, "job", job_id)
    console.print(_line(job))
    for key in ("id", "kb", "state", "stage", "done", "total", "attempts", "document_id", "error"):
        console.print(f"{key + ':':12} {escape(str(getattr(job, key)))}")


def _on_job(cli: Cli, action: str, job_id: str):
    """`Jobs.<action>(job_id)` on the configured queue; a queue error is one line and exit 1."""
    from agents.errors import IngestError

    try:
        return getattr(_queue(cli.settings), action)(job_id)
    except IngestError as err:
        raise fail(err.reason) from None


@jobs_app.command("cancel")
def jobs_cancel(ctx: typer.Context, job_id: str) -> None:
    """Cancel a queued job (a running one finishes or fails)."""
    job = _on_job(ctx.obj, "cancel", job_id)
    console.print(f"cancelled {job.id} ({escape(job.name)})")


@jobs_app.command("retry")
def jobs_retry(ctx: typer.Context, job_id: str) -> None:
    """Queue a failed job again, once its cause (a full disk, a busy KB) is fixed."""
    job = _on_job(ctx.obj, "retry", job_id)
    console.print(f"queued again {job.id} ({escape(job.name)})")


def register(app: typer.Typer) -> None:
    app.command()(worker)
    app.command()(api)
    app.add_typer(jobs_app, name="jobs")
