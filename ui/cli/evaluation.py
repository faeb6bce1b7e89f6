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


@eval_app.command("answers")
def eval_answers(ctx: typer.Context,
                 dataset: Annotated[Path, typer.Argument(help="Folder with corpus.jsonl and qa.jsonl")],
                 mode: Annotated[str, typer.Option("--mode", help="extractive|llm")] = "extractive",
                 unanswerable: Annotated[int, typer.Option(
                     "--unanswerable", help="N questions asked again with their gold passage removed")] = 0,
                 limit: Annotated[int, typer.Option("--limit", help="only the first N questions")] = 0,
                 json_path: Annotated[Optional[Path], typer.Option("--json", help="also write the figures here")] = None,
                 ) -> None:
    """Gold-in-answer, citation@1, refusals, false answers, answer length and latency, in a temporary KB."""
    import json
    import tempfile

    from agents.evaluate import load_dataset
    from agents.evaluate_answers import AnswerReport, format_report, run_answer_benchmark

    cli: Cli = ctx.obj
    if mode not in ("extractive", "llm"):
        raise fail(f"--mode must be extractive or llm, not {mode}")
    if not (dataset / "corpus.jsonl").exists() or not (dataset / "qa.jsonl").exists():
        raise fail(f"{dataset} needs corpus.jsonl and qa.jsonl (the autorag_ko format)")
    corpus, questions = load_dataset(dataset)
    questions = questions[:limit] if limit else questions
    with tempfile.TemporaryDirectory(prefix="korag-eval-") as home:
        settings = cli.settings.model_copy(update={"home": Path(home), "kb": "eval"})
        try:
            for item in run_answer_benchmark(corpus, questions, settings, mode, unanswerable):
                if isinstance(item, AnswerReport):
                    console.print(escape(format_report(item)))
                    if json_path is not None:
                        json_path.write_text(json.dumps(item.as_dict(), ensure_ascii=False, indent=2) + "\n")
                else:
                    console.print(escape(item))
        except ValueError as err:
            raise fail(str(err)) from err


def register(app: typer.Typer) -> None:
    app.add_typer(eval_app, name="eval")
