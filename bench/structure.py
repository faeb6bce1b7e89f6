"""Structure of extracted documents (issue 15): separator residue, heading paths, article starts, pages.

    python bench/structure.py [DOCS_DIR] [--hostile] [--show NAME]

DOCS_DIR defaults to ../shared/data/docs (its manifest.jsonl lists the files and the snippets each must
yield). Per document it prints: pages, blocks by kind, chunks, the share of chunks with a heading path,
for regulations the share of chunks that start at an article (제N조) or a 항 of one, lines with a run
of 4+ empty-cell separators ("| | | |", ", , , ,"), and missing snippets. `--hostile` also loads the
hostile corpus (tests/hostile/build.py) and counts residue lines there. Exit status 1 if any residue
line or missing snippet is found, so CI can run it as a check.
"""
from __future__ import annotations

import argparse
import json
import re
import sys
import tempfile
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from ingest.errors import IngestError  # noqa: E402
from ingest.loaders import load  # noqa: E402
from ingest.split import KoreanSplitter  # noqa: E402
from ingest.structure import ARTICLE, PARAGRAPH, PART, SUPPLEMENT, annex_marker, is_regulation  # noqa: E402

RESIDUE = re.compile(r"(?:[|,·]\s+){4,}")  # four or more separators with nothing between them


def residue_lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if RESIDUE.search(line)]


def starts_at_article(text: str) -> bool:
    """The chunk's first line, after the 편/장/절/부칙/별지 headings that open it, starts an article or 항."""
    lines = [line.strip() for line in text.split("\n")]
    head = next((line for line in lines if not (PART.match(line) or SUPPLEMENT.match(line) or annex_marker(line))), "")
    return bool(ARTICLE.match(head) or PARAGRAPH.match(head))


def measure(path: Path, splitter: KoreanSplitter, snippets: list[str]) -> dict:
    doc = load(path.read_bytes(), path.name)
    chunks = splitter.split(doc)
    flat = " ".join(doc.text.split())
    regulation = is_regulation(doc.blocks)
    body = [c for c in chunks if c.kind in ("text", "annex", "note")]
    return {
        "name": path.name, "format": doc.format, "pages": doc.page_count, "blocks": len(doc.blocks),
        "kinds": dict(Counter(b.kind for b in doc.blocks)), "chunks": len(chunks),
        "with_heading": sum(1 for c in chunks if c.heading_path) / len(chunks) if chunks else 0.0,
        "regulation": regulation,
        "article_starts": (sum(1 for c in body if starts_at_article(c.text)) / len(body)) if regulation and body else None,
        "residue": residue_lines(doc.text),
        "missing": [s for s in snippets if " ".join(s.split()) not in flat],
        "labels": [b.label for b in doc.blocks if b.kind == "label"],
    }


def hostile_residue() -> tuple[int, int]:
    """(cases loaded, residue lines) over the hostile corpus's files that load."""
    from tests.hostile.build import _cases  # the corpus is built in memory; nothing is written
    loaded = bad = 0
    for case in _cases():
        if case.sparse_bytes or not case.data:
            continue
        try:
            doc = load(case.data, case.file_name)
        except (IngestError, ValueError, OSError):
            continue
        loaded += 1
        bad += len(residue_lines(doc.text))
    return loaded, bad


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("docs", nargs="?", type=Path, default=REPO.parent / "shared" / "data" / "docs")
    parser.add_argument("--hostile", action="store_true", help="also count residue in the hostile corpus")
    parser.add_argument("--show", help="print the blocks of the document whose name contains this")
    args = parser.parse_args()
    splitter = KoreanSplitter()
    rows = []
    for line in (args.docs / "manifest.jsonl").read_text(encoding="utf-8").splitlines():
        entry = json.loads(line)
        row = measure(args.docs / entry["path"], splitter, entry.get("expected_snippets", []))
        rows.append(row)
        if args.show and args.show in entry["path"]:
            for block in load((args.docs / entry["path"]).read_bytes(), row["name"]).blocks:
                print(f"  {block.kind:9} p{block.page} {' › '.join(block.heading_path)} | {block.text[:100]!r}")
    print(f"{'document':44} {'fmt':5} {'pages':>5} {'chunks':>6} {'heading':>7} {'article':>7} {'residue':>7} "
          f"{'missing':>7}  kinds")
    for r in rows:
        article = f"{r['article_starts']:.0%}" if r["article_starts"] is not None else "–"
        kinds = " ".join(f"{k}:{n}" for k, n in sorted(r["kinds"].items()))
        print(f"{r['name'][:44]:44} {r['format']:5} {r['pages'] or '–':>5} {r['chunks']:>6} {r['with_heading']:>7.0%} "
              f"{article:>7} {len(r['residue']):>7} {len(r['missing']):>7}  {kinds}"
              + (f"  공문 fields: {','.join(r['labels'])}" if r["labels"] else ""))
    chunks = sum(r["chunks"] for r in rows)
    headed = sum(r["with_heading"] * r["chunks"] for r in rows)
    residue = sum(len(r["residue"]) for r in rows)
    missing = sum(len(r["missing"]) for r in rows)
    print(f"total: {len(rows)} documents, {chunks} chunks, {headed / chunks:.0%} with a heading path, "
          f"{residue} residue lines, {missing} missing snippets")
    if args.hostile:
        with tempfile.TemporaryDirectory():
            loaded, bad = hostile_residue()
        print(f"hostile corpus: {loaded} files loaded, {bad} residue lines")
        residue += bad
    return 1 if residue or missing else 0


if __name__ == "__main__":
    raise SystemExit(main())
