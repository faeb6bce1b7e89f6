"""`korag ocr IMAGE|PDF`: read an image or a PDF with OCR; text, JSON (words with boxes) or hOCR on stdout."""
from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from ui.cli.common import err_console, fail, shown

# module level: typer resolves these annotations (strings, under `from __future__ import annotations`) here
Engine = Annotated[Optional[str], typer.Option("--engine", help="tesseract | varco (default: KORAG_OCR_ENGINE)")]
Format = Annotated[str, typer.Option("--format", help="text | json (words with pixel boxes) | hocr")]
Pages = Annotated[Optional[str], typer.Option("--pages", help="PDF/TIFF pages, e.g. 1,3-5 (default: all)")]


def _pages(spec: str | None) -> list[int] | None:
    """"1,3-5" → [1, 3, 4, 5]."""
    if not spec:
        return None
    pages: list[int] = []
    for part in spec.split(","):
        first, _, last = part.strip().partition("-")
        if not first.isdigit() or (last and not last.isdigit()):
            raise typer.BadParameter(f"pages look like 1,3-5 — not {spec!r}")
        pages.extend(range(int(first), int(last or first) + 1))
    return pages


def register(app: typer.Typer) -> None:
    @app.command()
    def ocr(ctx: typer.Context,
            path: Annotated[Path, typer.Argument(help="An image (PNG, JPEG, TIFF, WebP, BMP) or a PDF")],
            engine: Engine = None, fmt: Format = "text", pages: Pages = None) -> None:
        """OCR an image or every page of a PDF; nothing is stored in a knowledge base."""
        from agents.errors import AgentError
        from agents.ocr import hocr, read_pages

        if engine not in (None, "tesseract", "varco"):
            raise fail(f"--engine must be tesseract or varco, not {engine!r}")
        if fmt not in ("text", "json", "hocr"):
            raise fail(f"--format must be text, json or hocr, not {fmt!r}")
        if not path.is_file():
            raise fail(f"{path}: no such file")
        settings = ctx.obj.settings
        wanted = _pages(pages)
        results = []
        total = [0]

        def advance(done: int, pages_to_do: int) -> None:
            total[0] = pages_to_do
            progress.update(task, completed=done, total=pages_to_do)

        try:
            with Progress(TextColumn("OCR {task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                          console=err_console, transient=True) as progress:
                task = progress.add_task(shown(path.name[:40]), total=None)
                for result in read_pages(settings, path, engine, pages=wanted, on_page=advance):
                    results.append(result)
                    if fmt == "text":
                        if total[0] > 1 or (result.page or 1) > 1:  # page markers for multi-page input
                            gap = "\n" if len(results) > 1 else ""
                            sys.stdout.write(f"{gap}── page {result.page} ──\n")
                        sys.stdout.write(result.text + "\n")
                        sys.stdout.flush()
        except AgentError as err:
            raise fail(str(err)) from None
        seen: set[str] = set()
        for warning in (w for r in results for w in r.warnings):
            if warning not in seen:
                seen.add(warning)
                err_console.print(f"[yellow]※ {escape(warning)}[/yellow]")
        if fmt == "json":
            sys.stdout.write(json.dumps({"file": path.name, "pages": [r.to_dict() for r in results]},
                                        ensure_ascii=False, indent=1) + "\n")
        elif fmt == "hocr":
            sys.stdout.write(hocr(results) + "\n")
