"""CLI start-up: wall time of cold `korag` commands against the floor of loading Kiwi alone, in one run.

    python bench/cli_startup.py [--repeat 3] [--home DIR] [--kb NAME] [--dict-words 1000]

Each command runs as a fresh process, as from a shell. The floor is `Kiwi(); kiwi.tokenize("")` in a
fresh interpreter: every search must pay it (query morphemes), so `korag search` is judged as a
multiple of it (target ≤ 1.5×). Commands and the floor are interleaved, repeat by repeat, so a busy
machine slows them alike; medians are printed, with CPU time (user + system) beside the wall time.
The KB is the bundled samples, ingested once with vectors (`korag ingest --wait`) before timing.
A copy of it with a user dictionary of `--dict-words` company terms (`korag kb dict add`) measures
what a dictionary adds to a cold search: Kiwi keeps no compiled form to cache between calls, so
every process adds the words again (docs/benchmarks.md "CLI start-up").
"""
from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
KORAG = [sys.executable, "-c", "import sys; sys.argv[0] = 'korag'; from ui.cli import run; run()"]
FLOOR = [sys.executable, "-c", "from kiwipiepy import Kiwi; Kiwi().tokenize('')"]


def timed(cmd: list[str], env: dict) -> tuple[float, float]:
    """(wall s, CPU s) of one child process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(cmd, cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(cmd[-4:])} failed: {done.stderr[-2000:]}")
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--home", type=Path, help="KORAG_HOME to use (default: a temporary folder)")
    parser.add_argument("--kb", help="An existing KB with vectors to search (default: ingest the samples into 'bench')")
    parser.add_argument("--dict-words", type=int, default=1000,
                        help="Words in the user dictionary of the KB's copy '<kb>-dict' (0: no such row)")
    args = parser.parse_args()
    home = args.home or Path(tempfile.mkdtemp(prefix="korag-startup-"))
    env = {**os.environ, "KORAG_HOME": str(home), "PYTHONPATH": str(REPO)}
    kb = args.kb or "bench"
    if not args.kb:
        samples = REPO / "ingest" / "samples" / "files"
        subprocess.run([*KORAG, "ingest", str(samples), "--kb", kb, "--wait"], cwd=REPO, env=env, check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    dict_kb = f"{kb}-dict"
    if args.dict_words:
        shutil.rmtree(home / dict_kb, ignore_errors=True)
        shutil.copytree(home / kb, home / dict_kb, ignore=shutil.ignore_patterns("*.lock", "embed.*"))
        words = [f"사내용어{i:05d}" for i in range(args.dict_words)]
        subprocess.run([*KORAG, "kb", "dict", "add", *words, "--kb", dict_kb], cwd=REPO, env=env, check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    commands = {
        "floor: Kiwi() + tokenize('')": FLOOR,
        "korag --help": [*KORAG, "--help"],
        "korag kb list": [*KORAG, "kb", "list"],
        "korag search (hybrid)": [*KORAG, "search", "출장 숙박비 한도", "--kb", kb],
        "korag search --mode lexical": [*KORAG, "search", "출장 숙박비 한도", "--kb", kb, "--mode", "lexical"],
    }
    if args.dict_words:
        commands[f"korag search, {args.dict_words} user words"] = [*KORAG, "search", "출장 숙박비 한도", "--kb", dict_kb]
    results: dict[str, list[tuple[float, float]]] = {name: [] for name in commands}
    for _ in range(args.repeat):
        for name, cmd in commands.items():
            results[name].append(timed(cmd, env))
    load = os.getloadavg()[0]
    print(f"{args.repeat} runs each, interleaved; {os.cpu_count()} cores, load average {load:.1f} at the end")
    floor_runs = results["floor: Kiwi() + tokenize('')"]
    floor_wall = statistics.median(w for w, _ in floor_runs)
    floor_cpu = statistics.median(c for _, c in floor_runs)
    for name, runs in results.items():
        wall = statistics.median(w for w, _ in runs)
        cpu = statistics.median(c for _, c in runs)
        print(f"{name:36} wall {wall:6.2f} s = {wall / floor_wall:4.2f}× floor   "
              f"cpu {cpu:6.2f} s = {cpu / floor_cpu:4.2f}× floor")


if __name__ == "__main__":
    main()
