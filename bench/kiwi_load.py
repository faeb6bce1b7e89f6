"""What Kiwi's multi-word dictionary costs at start-up, and what it changes in the lexical terms.

    python bench/kiwi_load.py [--data ../shared/data] [--pages 200] [--repeat 2]

Every process that tokenizes pays `Kiwi(); kiwi.tokenize("")`. This times it (CPU, fresh interpreter,
medians) with the default dictionaries and with `load_multi_dict=False` (the multi-word proper nouns,
e.g. "자연어 처리" as one NNP), then compares the BM25 terms (`rag.morphemes.lexical_terms`) both give
on the first `--pages` autorag_ko pages. It prints; nothing in korag uses the second setting.
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from kiwipiepy import Kiwi  # noqa: E402

from rag.morphemes import lexical_terms  # noqa: E402

VARIANTS = {"default": "", "load_multi_dict=False": "load_multi_dict=False"}


def load_cpu(options: str) -> float:
    """CPU seconds (user + system) of a fresh interpreter that builds and warms one Kiwi."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run([sys.executable, "-c", f"from kiwipiepy import Kiwi; Kiwi({options}).tokenize('')"], check=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=REPO.parent / "shared" / "data")
    parser.add_argument("--pages", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args()
    runs: dict[str, list[float]] = {name: [] for name in VARIANTS}
    for _ in range(args.repeat):  # interleaved: the neighbours slow both alike
        for name, options in VARIANTS.items():
            runs[name].append(load_cpu(options))
    print(f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}")
    for name, cpu in runs.items():
        print(f"Kiwi({name}) + tokenize(''): {statistics.median(cpu):.2f} s CPU (median of {len(cpu)})")
    corpus = args.data / "autorag_ko" / "corpus.jsonl"
    if not corpus.exists():
        print(f"skipped the term comparison: no {corpus}")
        return
    with corpus.open(encoding="utf-8") as f:
        texts = [json.loads(line)["contents"] for line in f if line.strip()][: args.pages]
    terms = {}
    for name, options in (("default", {}), ("no multi", {"load_multi_dict": False})):
        kiwi = Kiwi(num_workers=1, **options)
        terms[name] = [lexical_terms(tokens) for tokens in kiwi.tokenize(texts)]
        del kiwi  # ≈0.5 GB each
    pairs = list(zip(terms["default"], terms["no multi"]))
    differing = [(a, b) for a, b in pairs if a != b]
    print(f"{len(texts)} autorag_ko pages: {len(differing)} get other terms; "
          f"{sum(len(set(a) ^ set(b)) for a, b in pairs)} distinct terms differ out of {sum(map(len, terms['default']))}")
    for a, b in differing[:5]:
        print(f"  default only: {sorted(set(a) - set(b))[:4]}  without: {sorted(set(b) - set(a))[:4]}")


if __name__ == "__main__":
    main()
