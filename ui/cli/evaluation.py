"""`korag eval …`: benchmarks on your own or public evaluation sets."""
from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.markup import escape

from ui.cli.common import Cli, console, fail

eval_app = typer.Typer(help="Benchmarks on your own or public evaluation sets", no_args_is_help=True)


@eval_app.command("retrieval")
def eval_retrieval(ctx: typer.Context,
                   dataset: Annotated[Path, typer.Argument(help="Folder with corpus.jsonl and qa.jsonl")],
                   mode: Annotated[Optional[list[str]], typer.Option("--mode", help="lexical|dense|hybrid|hybrid+rerank")] = None,
                   lexical_weight: Annotated[Optional[list[float]], typer.Option("--lexical-weight")] = None) -> None:
    """hit@1/5/10, MRR@10, nDCG@10 per mode and domain, in a temporary KB (nothing is kept)."""
    import tempfile

    from agents.evaluate import load_dataset, run_benchmark

    cli: Cli = ctx.obj
    if not (dataset / "corpus.jsonl").exists() or not (dataset / "qa.jsonl").exists():
        raise fail(f"{dataset} needs corpus.jsonl and qa.jsonl (the autorag_ko format)")
    corpus, questions = load_dataset(dataset)
    with tempfile.TemporaryDirectory(prefix="korag-eval-") as home:
        settings = cli.settings.model_copy(update={"home": Path(home), "kb": "eval"})
        for line in run_benchmark(corpus, questions, settings, mode, lexical_weight):
            console.print(escape(line))


def register(app: typer.Typer) -> None:
    app.add_typer(eval_app, name="eval")
