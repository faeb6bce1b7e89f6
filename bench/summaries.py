"""Extractive summaries (no LLM) against hand-written key points (tests/data/summary_keypoints.json):
the share of key points each summary covers, per split and length, with the summaries' lengths.

    python bench/summaries.py [--data ../shared/data] [--split holdout] [--show]

A key point is covered when all its terms occur in the summary text (spaces ignored). Each document is
ingested into a temporary KB (no embedder) and summarized through `Assistant.summarize`, the path
`korag summarize` and the portal take. Also counted: summary sentences that are form instructions or
attachment lists (`agents.digest.is_boilerplate`), which a summary should never contain.
"""
from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
import tempfile
from collections import defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench.extraction import source_file  # noqa: E402

POINTS = REPO / "tests" / "data" / "summary_keypoints.json"
LENGTHS = ("short", "medium", "long")


def load_points(split: str | None = None) -> list[dict]:
    documents = json.loads(POINTS.read_text(encoding="utf-8"))["documents"]
    return [d for d in documents if split in (None, d["split"])]


def covered(summary: str, point: dict) -> bool:
    flat = re.sub(r"\s+", "", summary)
    return all(re.sub(r"\s+", "", term) in flat for term in point["terms"])


def run(documents: list[dict], data: Path | None, show: bool = False) -> dict[tuple[str, str], list[dict]]:
    """(split, length) → one row per document: points, covered, characters, boilerplate sentences."""
    from agents import Assistant
    from agents.digest import is_boilerplate
    from rag.settings import Settings

    rows: dict[tuple[str, str], list[dict]] = defaultdict(list)
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        assistant = Assistant(kb="bench", settings=Settings(home=work / "home", embedder="none"), create=True)
        for document in documents:
            path = source_file(document, data, work)
            if path is None:
                print(f"skipped (no shared data): {document['file']}", file=sys.stderr)
                continue
            assistant.ingest([path])
            for length in LENGTHS:
                summary = assistant.summarize(path.name, length=length)
                text = re.sub(r"\s*\[\d+\]", "", summary.text)
                hits = [covered(text, p) for p in document["points"]]
                junk = sum(is_boilerplate(c.quote) for c in summary.citations)
                rows[(document["split"], length)].append(
                    {"file": path.name, "points": len(hits), "covered": sum(hits), "chars": len(text), "junk": junk})
                if show:
                    missed = [p["point"] for p, hit in zip(document["points"], hits) if not hit]
                    print(f"--- {path.name} [{length}] {sum(hits)}/{len(hits)} {len(text)}자 missed: {missed}")
                    print(text)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=REPO.parent / "shared" / "data")
    parser.add_argument("--split", choices=["tune", "holdout"], default=None)
    parser.add_argument("--show", action="store_true", help="print every summary and the points it missed")
    args = parser.parse_args()
    data = args.data if (args.data / "docs").exists() else REPO.parent.parent / "shared" / "data"
    rows = run(load_points(args.split), data if (data / "docs").exists() else None, args.show)
    for (split, length), docs in sorted(rows.items(), key=lambda kv: (kv[0][0], LENGTHS.index(kv[0][1]))):
        points, hit = sum(d["points"] for d in docs), sum(d["covered"] for d in docs)
        print(f"{split:8} {length:6} docs {len(docs):2}  key points {hit}/{points} = {hit / points:.3f}  "
              f"chars median {statistics.median(d['chars'] for d in docs):.0f} "
              f"(min {min(d['chars'] for d in docs)}, max {max(d['chars'] for d in docs)})  "
              f"boilerplate sentences {sum(d['junk'] for d in docs)}")


if __name__ == "__main__":
    main()
