"""PII detection: precision/recall per kind on a large generated set, and masking throughput in MB/s.

    python bench/pii.py [--seed 2024] [--per-kind 500] [--megabytes 5] [--data ../shared/data]

The labelled set comes from tests/pii_cases.py with a seed the tests do not use. Throughput is
measured on ~5 MB of real Korean text (the autorag_ko page texts of shared/data, repeated; the
generator's filler sentences when that folder is absent) with one generated PII sentence every
`--every` pages: once as a single call on the whole text, once per page (how ingestion calls it).
Prints the best of `--repeat` runs, and per kind the planted spans against the findings.
"""
from __future__ import annotations

import argparse
import json
import random
import sys
import time
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from ingest.pii import KINDS, PiiPolicy, find_pii  # noqa: E402
from tests.pii_cases import FILLERS, generate, score, table  # noqa: E402


def korean_pages(data: Path) -> list[str]:
    corpus = data / "autorag_ko" / "corpus.jsonl"
    if corpus.exists():
        return [json.loads(line)["contents"] for line in corpus.read_text(encoding="utf-8").splitlines()]
    rng = random.Random(0)
    return [" ".join(rng.choices(FILLERS, k=40)) for _ in range(500)]


def build_pages(data: Path, megabytes: float, every: int, seed: int) -> tuple[list[str], Counter[str]]:
    """Pages of real text up to `megabytes`, with a planted PII sentence every `every` pages."""
    source = korean_pages(data)
    planted = [case for case in generate(seed, 200) if case.positive]
    random.Random(seed).shuffle(planted)
    pages: list[str] = []
    kinds: Counter[str] = Counter()
    size = 0
    while size < megabytes * 1e6:
        page = source[len(pages) % len(source)]
        if len(pages) % every == 0:
            case = planted[len(pages) // every % len(planted)]
            page = f"{page}\n{case.text}"
            kinds.update(kind for kind, _ in case.spans)
        pages.append(page)
        size += len(page.encode("utf-8"))
    return pages, kinds


def best_of(repeat: int, run) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        run()
        times.append(time.perf_counter() - started)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument("--per-kind", type=int, default=500, help="true cases and near misses per kind")
    parser.add_argument("--megabytes", type=float, default=5.0, help="size of the throughput text")
    parser.add_argument("--every", type=int, default=5, help="one planted PII sentence per this many pages")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--data", type=Path, default=REPO.parent / "shared" / "data")
    args = parser.parse_args()

    cases = generate(args.seed, args.per_kind)
    started = time.perf_counter()
    tallies = score(cases, find_pii)
    score_s = time.perf_counter() - started
    print(f"labelled set: {len(cases)} sentences (seed {args.seed}, {args.per_kind} true + "
          f"{args.per_kind} near misses per kind), scored in {score_s:.2f} s")
    print(table(tallies))

    pages, planted = build_pages(args.data, args.megabytes, args.every, args.seed)
    text = "\n\n".join(pages)
    megabytes = len(text.encode("utf-8")) / 1e6
    source = "autorag_ko pages" if (args.data / "autorag_ko").exists() else "generated filler"
    print(f"\nthroughput text: {megabytes:.2f} MB ({len(text):,} characters) of {source}, "
          f"{len(pages)} pages, {len(pages[::args.every])} with a planted PII sentence")
    mask_all = PiiPolicy("mask")
    flag_all = PiiPolicy("flag")
    runs = {
        "find_pii, one call": lambda: find_pii(text),
        "mask, one call": lambda: mask_all.apply(text),
        "mask, per page": lambda: [mask_all.apply(page) for page in pages],
        "flag, per page": lambda: [flag_all.apply(page) for page in pages],
        "mask phone+email only": lambda: PiiPolicy("mask", frozenset({"phone", "email"})).apply(text),
    }
    for name, run in runs.items():
        seconds = best_of(args.repeat, run)
        print(f"{name:<24}{seconds:7.3f} s  {megabytes / seconds:7.1f} MB/s")
    counts = Counter(f.kind for f in find_pii(text))
    print("planted: ", ", ".join(f"{kind} {planted[kind]}" for kind in KINDS))
    print("found:   ", ", ".join(f"{kind} {counts[kind]}" for kind in KINDS), " (the pages' own e-mails,")
    print("          phones and addresses included: real contact lines of the source documents)")


if __name__ == "__main__":
    main()
