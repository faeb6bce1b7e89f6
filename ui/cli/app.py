"""The root `korag` app: reads the settings once (with `--user`) into the context every command gets,
registers each command module, and catches errors at the edge (one line, exit code)."""
from __future__ import annotations

import logging
import sys
from typing import Annotated, Optional

import typer
from rich.markup import escape

from rag.settings import Settings
from ui.cli import acl, answers, documents, evaluation, kb, ocr, queue, serve
from ui.cli.common import Cli, err_console

app = typer.Typer(help="korag: 한국어 문서 검색·질의응답 (Korean document RAG, on-prem)", no_args_is_help=True,
                  pretty_exceptions_enable=False)


@app.callback()
def main(ctx: typer.Context,
         verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Log what happens")] = False,
         user: Annotated[Optional[str], typer.Option(
             "--user", help="Act as this KB user: see only what their groups may read (default: KORAG_USER; "
                            "unset: the operator, who sees everything)")] = None) -> None:
    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("bm25s").setLevel(logging.INFO if verbose else logging.WARNING)  # it logs at DEBUG
    settings = Settings()
    ctx.obj = Cli(settings.model_copy(update={"user": user}) if user else settings)


# the order of registration is the order of `korag --help`
for module in (documents, kb, evaluation, answers, queue, serve, ocr, acl):
    module.register(app)


def run() -> None:
    """Console entry point: an unexpected error is one line (the traceback only with -v)."""
    try:
        app()  # standalone mode: usage errors and typer.Exit become exit codes here
    except Exception as err:  # the edge: nothing below this may show a traceback to a user
        if logging.getLogger().isEnabledFor(logging.INFO):
            err_console.print_exception()
        err_console.print(f"[red]error:[/red] {escape(type(err).__name__)}: {escape(str(err))} (run with -v for details)")
        sys.exit(2)
