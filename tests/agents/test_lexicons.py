"""The word lists are package data that say where each entry comes from; the weights are documented."""
from __future__ import annotations

import ast
import dataclasses
import inspect
from importlib.resources import files

import pytest

import agents.weights
from agents.lexicons import alternation, lexicon
from agents.weights import WEIGHTS, AnswerWeights

NAMES = sorted(p.name.removesuffix(".tsv") for p in files("agents.lexicons").iterdir() if p.name.endswith(".tsv"))


def test_the_lexicons_the_code_reads_are_all_there():
    assert {"questions", "field_kinds", "field_names", "field_labels", "english_labels", "document_words"} <= set(NAMES)


@pytest.mark.parametrize("name", NAMES)
def test_every_entry_sits_under_a_comment_saying_where_it_comes_from(name):
    text = files("agents.lexicons").joinpath(f"{name}.tsv").read_text(encoding="utf-8")
    commented = False
    for line in text.splitlines():
        if line.startswith("#"):
            commented = True
        elif not line.strip():
            commented = False  # a blank line ends a group: the next group needs its own comment
        else:
            assert commented, f"{name}.tsv: {line!r} has no comment above it"


@pytest.mark.parametrize("name", NAMES)
def test_no_entry_is_listed_twice_in_a_group(name):
    for group, entries in lexicon(name).items():
        assert len(entries) == len(set(entries)), (name, group)


def test_alternation_matches_entries_literally_and_spaced_entries_with_any_spacing():
    import re

    assert re.fullmatch(alternation(["(주)"]), "(주)") and not re.fullmatch(alternation(["(주)"]), "주")
    assert re.fullmatch(alternation(["성 명"], spaced=True), "성  명")
    assert re.fullmatch(alternation(["성 명"], spaced=True), "성명")
    assert not re.fullmatch(alternation(["그 외"]), "그외")


def test_weights_are_frozen_and_every_field_has_its_docstring():
    with pytest.raises(dataclasses.FrozenInstanceError):
        WEIGHTS.answer_min_support = 0.5  # type: ignore[misc]
    body = ast.parse(inspect.getsource(agents.weights)).body
    [cls] = [node for node in body if isinstance(node, ast.ClassDef) and node.name == "AnswerWeights"]
    documented = {
        a.target.id for a, b in zip(cls.body, cls.body[1:])
        if isinstance(a, ast.AnnAssign) and isinstance(b, ast.Expr) and isinstance(b.value, ast.Constant)
    }
    assert documented == {f.name for f in dataclasses.fields(AnswerWeights)}
