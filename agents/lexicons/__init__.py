"""Korean word lists the extractive answerer and the extraction rules read, kept as package data.

Each `<name>.tsv` holds `group<TAB>entry` lines, in order; a `#` line says where the entries below it
come from. Loaded once per process (`lexicon`), turned into regular expressions by `alternation`.
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from functools import cache
from importlib.resources import files
from types import MappingProxyType


@cache
def lexicon(name: str) -> Mapping[str, tuple[str, ...]]:
    """The groups of `agents/lexicons/<name>.tsv`, each with its entries in file order."""
    groups: dict[str, list[str]] = {}
    text = files(__name__).joinpath(f"{name}.tsv").read_text(encoding="utf-8")
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or line.startswith("#"):
            continue
        group, tab, entry = line.partition("\t")
        if not tab or not group.strip() or not entry.strip():
            raise ValueError(f"agents/lexicons/{name}.tsv line {number}: expected 'group<TAB>entry', got {line!r}")
        groups.setdefault(group.strip(), []).append(entry.strip())
    return MappingProxyType({group: tuple(entries) for group, entries in groups.items()})


def alternation(entries: Iterable[str], spaced: bool = False) -> str:
    """A regex group matching any entry as written, tried in order; `spaced`: a space in an entry matches
    any run of whitespace or none (forms write "성  명" as often as "성명")."""
    parts = (r"\s*".join(map(re.escape, e.split(" "))) if spaced else re.escape(e) for e in entries)
    return "(?:" + "|".join(parts) + ")"
