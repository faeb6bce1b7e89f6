"""One line per fault case for `pytest -s tests/faults`: the case, what happened, how long it took."""
from __future__ import annotations


def figure(case: str, outcome: str, seconds: float) -> None:
    print(f"\n[fault] {case:<58} | {outcome:<52} | {seconds:6.2f} s", end="")
