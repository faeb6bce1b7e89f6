"""The Kiwis with user dictionaries: built once, and only the most recently used few kept."""
from __future__ import annotations

from collections import OrderedDict

import pytest

from rag import morphemes
from rag.morphemes import kiwi_with

HANBIT = (("한빛전자", "NNP"),)
SAEROM = (("새롬테크", "NNP"),)
NURI = (("누리솔루션", "NNP"),)


@pytest.fixture
def empty_cache(monkeypatch):
    monkeypatch.setattr(morphemes, "_custom", OrderedDict())
    return morphemes._custom


def test_a_user_dictionary_kiwi_is_built_once_and_evicted_past_the_limit(empty_cache, monkeypatch):
    monkeypatch.setattr(morphemes, "CUSTOM_KIWIS", 1)  # real Kiwis are ≈0.5 GB each: keep the test to two
    hanbit = kiwi_with(HANBIT)
    assert ("한빛전자", "NNP") in [(t.form, t.tag) for t in hanbit.tokenize("한빛전자의 매출")]
    assert kiwi_with(HANBIT) is hanbit
    saerom = kiwi_with(SAEROM)
    assert ("새롬테크", "NNP") in [(t.form, t.tag) for t in saerom.tokenize("새롬테크의 매출")]
    assert list(empty_cache) == [SAEROM]  # the other one is gone: nothing in the cache holds it


def test_the_least_recently_used_kiwi_goes_first(empty_cache, monkeypatch):
    built = []

    def build(words, num_workers):  # stands in for a 3-second, 0.5 GB Kiwi: only the cache is under test
        built.append(words)
        return object()

    monkeypatch.setattr(morphemes, "_build_kiwi", build)
    assert morphemes.CUSTOM_KIWIS == 2
    hanbit = kiwi_with(HANBIT)
    kiwi_with(SAEROM)
    assert kiwi_with(HANBIT) is hanbit  # used again: now the most recent
    kiwi_with(NURI)  # a third dictionary evicts SAEROM, not HANBIT
    assert list(empty_cache) == [HANBIT, NURI]
    assert kiwi_with(HANBIT) is hanbit
    kiwi_with(SAEROM)  # rebuilt
    assert built == [HANBIT, SAEROM, NURI, SAEROM]
    assert kiwi_with(()) not in empty_cache.values()  # no dictionary: the shared Kiwi, never cached here
