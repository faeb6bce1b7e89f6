"""Does the best sentence support an answer at all? The extractive answerer's abstention (issue 16, part 4).

The sentence the answerer ranks first is measured against the question with BM25's idf over the whole
KB (a rare name weighs more than a word every Wikipedia article has), and `answers` decides.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from agents.sentences import Unit, context_share
from agents.weights import WEIGHTS, AnswerWeights
from rag.morphemes import same_word



def match(term: str, terms: set[str]) -> bool:
    """A question term is in a sentence's terms, or (Hangul, ≥ 2 syllables) contains or is contained by one."""
    # Compounds split differently in a question and a document (숙박비 vs 숙박): a containing Hangul
    # term counts. Not for figures: "20" is not part of "2025".
    return term in terms or any(same_word(term, t) for t in terms)


@dataclass(frozen=True)
class Support:
    """How well the chosen sentence supports an answer to the question."""

    coverage: float  # the ranking's share: question words weighted by idf over the retrieved passages
    kb_coverage: float  # the same share with idf over the whole KB (heading/header words count half)
    passage_coverage: float  # ... covered anywhere in the sentence's passage
    terms: int  # the question's content words
    stated: bool  # the sentence states what the question asks for (agents/asked.py)
    asked: str  # what the question asks for: "when", "amount", "count", "who", … or ""
    margin: float  # kb_coverage minus the best kb_coverage of a sentence of another passage


def kb_idf(question: Sequence[str], idf: Callable[[list[str]], dict[str, float]] | None,
           fallback: dict[str, float]) -> dict[str, float]:
    """KB-wide idf of the question's words (the local idf when no KB index is at hand)."""
    return idf(list(question)) if idf is not None else dict(fallback)


def without_absent(weights: dict[str, float], absent: set[str], stated: bool,
                   rule: str = WEIGHTS.answer_absent_words) -> dict[str, float]:
    """`weights` with the question words no chunk holds left out, as `AnswerWeights.answer_absent_words` says."""
    if rule == "ignored" or (rule == "stated" and stated):
        return {t: 0.0 if t in absent else w for t, w in weights.items()}
    return weights


def _share(question: Sequence[str], weights: dict[str, float], own: set[str], context: set[str],
           share: float = WEIGHTS.answer_context_share) -> float:
    total = sum(weights[t] for t in question)
    if not total:
        return 0.0
    got = sum(weights[t] if match(t, own) else share * weights[t] if match(t, context)
              else 0.0 for t in question)
    return got / total


def _flat(text: str) -> str:
    return re.sub(r"\s+", "", text)


def measure(question: Sequence[str], units: Sequence[Unit], first: int, coverage: float, stated: bool, asked: str,
            weights: dict[str, float]) -> Support:
    """The `Support` of `units[first]` for the question's content words, `weights` their KB-wide idf."""
    unit = units[first]
    own, context = set(unit.terms), set(unit.context)
    kb_coverage = _share(question, weights, own, context, context_share(unit))
    passage = set().union(*(set(u.terms) | set(u.context) for u in units if u.passage == unit.passage))
    passage_coverage = _share(question, weights, passage, set())
    # Overlapping chunks repeat a sentence: its copy in the next chunk is not a rival.
    same = _flat(unit.text)
    others = [_share(question, weights, set(u.terms), set(u.context), context_share(u)) for u in units
              if u.passage != unit.passage and _flat(u.text) != same]
    return Support(coverage, kb_coverage, passage_coverage, len(question), stated, asked,
                   kb_coverage - max(others, default=0.0))


def answers(support: Support, weights: AnswerWeights = WEIGHTS) -> bool:
    """Whether the sentence supports an answer: a weighted sum of how much of the question it covers, how
    much its passage covers, and by how much it beats the best sentence of any other passage, reaches 1.

    A sentence of a sibling passage that shares the question's names but tells of another event covers
    them about as well as some other passage does (small margin), and its passage lacks the rest of the
    question's words; the passage a question was written from covers nearly all of them."""
    w = weights
    if not w.answer_abstention:
        return True
    score = (w.answer_gate_coverage * support.coverage + w.answer_gate_passage * support.passage_coverage
             + w.answer_gate_margin * support.margin)
    return score >= 1.0
