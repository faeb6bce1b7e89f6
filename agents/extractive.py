"""Extractive answers and summaries: sentences picked from retrieved passages, no LLM.

The embedded default has no language model, so an answer is the best-supported source sentence
(question-morpheme coverage, optionally embedding similarity) and a summary is LexRank over sentences.
"""
from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np

from agents.asked import CHECKED_KINDS, asked, refers_back, states
from agents.lexicons import alternation, lexicon
from agents.sentences import SECONDARY_KINDS, Passage, Unit, context_share, is_fragment, is_residue
from agents.sentences import units as sentence_units
from agents.support import Support, kb_idf, measure, without_absent
from agents.support import answers as supports_answer
from agents.support import match as _match
from agents.weights import WEIGHTS
from rag.morphemes import content_terms


@dataclass(frozen=True)
class Extract:
    """One sentence (or run of adjacent sentences) picked from a passage; text == passage.text[start:end]."""

    chunk_id: int
    start: int
    end: int
    text: str
    score: float
    header: str = ""  # a table row's header row ("직급 | 일비 | 숙박비"), so the row can be read alone
    support: float = 0.0  # the share of the question's (idf-weighted) words the best sentence of it covers
    evidence: Support | None = None  # the first answer sentence's support, as the abstention measured it


_WORDS = lexicon("questions")  # agents/lexicons/questions.tsv
# Interrogatives and light verbs: present in almost every question, they say nothing about where
# the answer is, and in a one-passage candidate set idf cannot learn that.
_QUESTION_NOISE = frozenset(_WORDS["noise"])


_REQUEST = re.compile(rf"({alternation(_WORDS['request'])})\s*(?:을|를|은|는|이|가|에\s*대해서?|에\s*대하여|에\s*관해)?"
                      r"\s*(?:좀\s*)?(?:알려|설명|정리|요약|소개|보여)")


def _idf(term_sets: list[set[str]]) -> dict[str, float]:
    df = Counter(t for terms in term_sets for t in terms)
    n = len(term_sets)
    return {t: math.log(1 + (n - d + 0.5) / (d + 0.5)) for t, d in df.items()}


def _weights(question: list[str], units: list[Unit]) -> dict[str, float]:
    """idf of each question term over the candidates, counted with the same matching as coverage."""
    n = len(units)
    bags = [set(u.terms) | set(u.context) for u in units]
    df = {t: sum(1 for bag in bags if _match(t, bag)) for t in question}
    return {t: math.log(1 + (n - d + 0.5) / (d + 0.5)) for t, d in df.items()}


def _coverage(question: list[str], weights: dict[str, float], unit: Unit) -> float:
    """Share of the question's idf mass that the unit (fully) or its heading/header (`context_share`) carries."""
    own, context, share = set(unit.terms), set(unit.context), context_share(unit)
    total = sum(weights[t] for t in question)
    if not total:
        return 0.0
    got = 0.0
    for t in question:
        if _match(t, own):
            got += weights[t]
        elif _match(t, context):
            got += share * weights[t]
    return got / total


def _embed_text(unit: Unit) -> str:
    return f"{unit.context_text}\n{unit.text}" if unit.context_text else unit.text


def answer_sentences(
    question: str,
    passages: list[Passage],
    kiwi,
    embedder=None,
    max_sentences: int = WEIGHTS.answer_max_sentences,
    min_support: float = WEIGHTS.answer_min_support,
    *,
    embed_passages: int = WEIGHTS.answer_embed_passages,
    max_embed: int = WEIGHTS.answer_max_embed,
    keep_margin: float = WEIGHTS.answer_keep_margin,
    embed_weight: float = WEIGHTS.answer_embed_weight,
    idf: Callable[[list[str]], dict[str, float]] | None = None,
    known: Callable[[list[str]], set[str]] | None = None,
    gate: Callable[[Support], bool] = supports_answer,
) -> list[Extract]:
    """Best-supported sentences for the question, best first; [] when nothing supports an answer.

    Support is the idf-weighted share of the question's content morphemes a sentence covers; a
    sentence that states what the question asks for (a date for 언제, an amount with its unit for
    얼마, a name for 누구: agents/asked.py) ranks higher, and for the kinds that can be checked it
    must state one to be an answer at all. With an embedder, cosine similarity re-ranks the
    `max_embed` best candidates of the `embed_passages` best-ranked passages. `idf` gives the question
    words' idf over the whole KB (`LexicalIndex.idf`), `known` which of them the KB holds at all
    (`LexicalIndex.holds`; agents/weights.py `answer_absent_words`); `gate` decides from the first sentence's `Support`
    whether it answers at all (agents/support.py).
    """
    if not passages or max_sentences < 1:
        return []
    q_terms = list(dict.fromkeys(t for t in content_terms(kiwi.tokenize(question)) if t not in _QUESTION_NOISE))
    # "비밀번호 규정을 알려줘": 규정 names the kind of answer wanted, like a question word, not a word the
    # sentence must hold (a 지침 says "비밀번호는 90일마다 변경하여야 한다", never "규정")
    request = _REQUEST.search(question)
    if request and len(q_terms) > 1:
        q_terms = [t for t in q_terms if t != request.group(1)] or q_terms
    every = sentence_units(passages, kiwi)
    units = [u for per in every for u in per
             if u.kind in ("prose", "row") and not is_fragment(u) and not is_residue(u.text)]
    if not q_terms or not units:
        return []
    want = asked(question)
    weights = _weights(q_terms, units)
    question_words = set(q_terms)
    stated = np.array([states(want.kind, u.text, u.tokens, question, question_words) for u in units])
    coverage = np.array([_coverage(q_terms, weights, u) for u in units])
    # One shared word ("비용", "전망") is not support: a sentence must match two question terms
    # (one of them itself, the other possibly in its heading or table header), or the only one.
    coverage[[not _supported(q_terms, u) for u in units]] = 0.0
    ranks = np.array([passages[u.passage].rank for u in units], dtype=np.float64)
    # A small prior for the retriever's order breaks ties between equally covering sentences; the retrieval
    # score itself (min-max over the passages, so BM25 and fused z-scores alike) and how much of the question
    # the sentence's whole passage covers say which passage the question was written about.
    score = coverage + WEIGHTS.answer_rank_prior / (1.0 + np.maximum(ranks, 0))
    score += WEIGHTS.answer_retrieval_weight * _retrieval_share(passages)[[u.passage for u in units]]
    score += WEIGHTS.answer_passage_weight * _passage_coverage(q_terms, weights, units, len(passages))
    score += WEIGHTS.answer_type_bonus * stated
    # Forms and notes repeat a regulation's words without saying what it rules (issue 15's block kinds).
    score -= WEIGHTS.answer_form_penalty * np.array([passages[u.passage].kind in SECONDARY_KINDS for u in units])
    if embedder is not None:
        score = _rerank_with_embeddings(question, units, coverage, score, ranks, embedder, embed_passages, max_embed,
                                        embed_weight)
    # The best sentence must reach min_support and, where the asked kind can be checked, state it; the
    # embedder only reorders, never rescues, so a refusal does not depend on which embedder is configured.
    strict = want.kind in WEIGHTS.answer_strict_kinds and not want.two_parts  # the other part asks another kind
    # A question asking two things is answered by two sentences, each covering about half of it.
    floor = min_support * (WEIGHTS.answer_two_part_share if want.two_parts else 1.0)
    answers = (coverage >= floor) & (stated | (not strict))
    order = [i for i in np.argsort(-score, kind="stable")
             if coverage[i] >= floor * WEIGHTS.answer_candidate_share]
    supported = [i for i in order if answers[i]]
    if not supported:
        return []
    first = supported[0]
    absent = set(q_terms) - known(q_terms) if known is not None else set()
    checked = want.kind in CHECKED_KINDS
    # The best sentence names the subject but not what is asked ("정기 점검으로 본사 사옥 전체가 정전됩니다"
    # for 언제): a sentence near it in its passage that states it completes the answer.
    near = (_stating_neighbour(units[first], every, want.kind, question, question_words)
            if checked and not stated[first] and units[first].kind == "prose" else None)
    said = bool(stated[first]) or near is not None
    evidence = measure(q_terms, units, first, float(coverage[first]), said, want.kind,
                       without_absent(kb_idf(q_terms, idf, weights), absent, said and checked))
    if not gate(evidence):
        return []
    best = score[first]
    # Further sentences only when nearly as good (scores are in coverage units), or when the question
    # asks two things and another sentence covers question words the first one lacks.
    # (for a kind the answer must state, only sentences that state it)
    picked = [first] + [i for i in (supported if strict else order) if i != first and score[i] >= best - keep_margin]
    if want.two_parts:
        missing = {t for t in q_terms if not _match(t, _says(units[first]))}
        other = next((i for i in supported[1:] if missing & {t for t in q_terms if _match(t, _says(units[i]))}), None)
        if other is not None and other not in picked[:max_sentences]:
            picked = [first, other] + [i for i in picked[1:] if i != other]
    picked = [units[i] for i in picked[:max_sentences]]
    if near is not None and near not in picked:
        picked = [picked[0], near, *picked[1:]][:max(max_sentences, 2)]
    scores = [float(score[units.index(u)]) for u in picked]
    supports = {(u.passage, u.index): float(coverage[units.index(u)]) for u in picked}
    picked, scores = _with_antecedents(picked, scores, every)
    merged = _merge_adjacent(picked, scores, passages, supports)
    return [replace(merged[0], evidence=evidence), *merged[1:]]


def _says(unit: Unit) -> set[str]:
    """The words a sentence says itself, with its article's title ("제7조(선지급)" over "…80퍼센트 범위에서 미리
    지급할 수 있다" says 선지급): what a two-part question's second sentence must add."""
    return set(unit.terms) | (set(unit.context) if context_share(unit) >= 1.0 else set())


def _retrieval_share(passages: list[Passage]) -> np.ndarray:
    """Each passage's retrieval score, min-max scaled over the passages (all 1 when they tie or there is one)."""
    scores = np.array([p.score for p in passages], dtype=np.float64)
    spread = scores.max() - scores.min() if len(scores) else 0.0
    return (scores - scores.min()) / spread if spread > 0 else np.ones(len(scores))


def _passage_coverage(question: list[str], weights: dict[str, float], units: list[Unit], passages: int) -> np.ndarray:
    """For each unit, the share of the question's weight its whole passage covers (sentences and headings)."""
    total = sum(weights[t] for t in question) or 1.0
    bags: list[set[str]] = [set() for _ in range(passages)]
    for unit in units:
        bags[unit.passage] |= set(unit.terms) | set(unit.context)
    share = [sum(weights[t] for t in question if _match(t, bag)) / total for bag in bags]
    return np.array([share[u.passage] for u in units])


def _stating_neighbour(unit: Unit, every: list[list[Unit]], kind: str, question: str,
                       question_words: set[str]) -> Unit | None:
    """The nearest sentence within `answer_neighbour_reach` of `unit` in its passage that states `kind`."""
    reach = WEIGHTS.answer_neighbour_reach
    around = sorted((u for u in every[unit.passage] if 0 < abs(u.index - unit.index) <= reach),
                    key=lambda u: (abs(u.index - unit.index), u.index))
    # Prose only: a neighbouring table row is another record (another department's budget), not the rest of this one.
    return next((u for u in around if u.kind == "prose" and not is_fragment(u) and not is_residue(u.text)
                 and states(kind, u.text, u.tokens, question, question_words)), None)


def _with_antecedents(picked: list[Unit], scores: list[float], every: list[list[Unit]]) -> tuple[list[Unit], list[float]]:
    """A sentence that opens by referring back ("이는", "그 경우", "이들은") brings the sentence before it."""
    out_units, out_scores = [], []
    for unit, score in zip(picked, scores):
        out_units.append(unit)
        out_scores.append(score)
        if refers_back(unit.tokens) and unit.index > 0:
            before = every[unit.passage][unit.index - 1]
            if before.kind in ("prose", "row") and not is_residue(before.text) and before not in out_units:
                out_units.append(before)
                out_scores.append(score)
    return out_units, out_scores


def _supported(question: list[str], unit: Unit) -> bool:
    own, context = set(unit.terms), set(unit.context)
    mine = sum(_match(t, own) for t in question)
    either = sum(_match(t, own) or _match(t, context) for t in question)
    return mine >= 1 and either >= min(2, len(question))


def _rerank_with_embeddings(question, units, coverage, score, ranks, embedder, embed_passages, max_embed, weight):
    """Blend cosine similarity into the lexical score for a bounded set of candidates."""
    eligible = [i for i in np.argsort(-coverage, kind="stable") if ranks[i] < embed_passages][:max_embed]
    if not eligible:
        return score
    query = np.asarray(embedder.embed_query(question), dtype=np.float32)
    vectors = np.asarray(embedder.embed_passages([_embed_text(units[i]) for i in eligible]), dtype=np.float32)
    cosine = vectors @ query
    # e5-style cosines sit in a narrow band (~0.7–0.9); rescale so a clearly closer sentence gains
    # about as much as covering one more question term would.
    spread = max(float(cosine.max() - cosine.min()), 0.05)
    blended = score.copy()
    blended[eligible] += weight * (cosine - cosine.max()) / spread
    others = np.setdiff1d(np.arange(len(units)), eligible)
    blended[others] -= weight  # never embedded: ranked below every embedded candidate of equal coverage
    return blended


def _merge_adjacent(picked: list[Unit], scores: list[float], passages: list[Passage],
                   supports: dict[tuple[int, int], float] | None = None) -> list[Extract]:
    """Join picked sentences that follow each other in one passage into one span, keeping best-first order."""
    by_key = {(u.passage, u.index): (u, s) for u, s in zip(picked, scores)}
    merged: list[Extract] = []
    seen: set[tuple[int, int]] = set()
    for unit, score in zip(picked, scores):
        if (unit.passage, unit.index) in seen:
            continue
        first = last = unit
        while (first.passage, first.index - 1) in by_key:
            first = by_key[(first.passage, first.index - 1)][0]
        while (last.passage, last.index + 1) in by_key:
            last = by_key[(last.passage, last.index + 1)][0]
        for i in range(first.index, last.index + 1):
            seen.add((unit.passage, i))
        text = passages[unit.passage].text
        header = first.context_text if first is last and first.kind == "row" else ""
        support = max((supports or {}).get((unit.passage, i), 0.0) for i in range(first.index, last.index + 1))
        merged.append(Extract(passages[unit.passage].chunk_id, first.start, last.end, text[first.start:last.end], score,
                              header, support))
    return merged


def _normalized(text: str) -> str:
    return re.sub(r"\s+", "", text)


def summary_sentences(
    passages: list[Passage],
    kiwi,
    embedder=None,
    max_sentences: int = WEIGHTS.summary_max_sentences,
    ratio: float | None = None,
    *,
    max_embed: int = WEIGHTS.summary_max_embed,
    max_units: int = WEIGHTS.summary_max_units,
    redundancy: float = WEIGHTS.summary_redundancy,
) -> list[Extract]:
    """Extractive summary: the most central sentences (LexRank), returned in document order.

    `ratio` asks for that share of the sentences, never more than `max_sentences`. Similarity is
    embedding cosine when an embedder is given and the document has at most `max_embed` sentences,
    else idf-weighted morpheme overlap.
    """
    if not passages or max_sentences < 1:
        return []
    units: list[Unit] = []
    seen: set[str] = set()
    for unit in (u for per in sentence_units(passages, kiwi) for u in per):
        key = _normalized(unit.text)
        # The chunker repeats one sentence between consecutive chunks: keep its first occurrence.
        if unit.kind != "prose" or is_fragment(unit) or key in seen:
            continue
        seen.add(key)
        units.append(unit)
    if not units:
        return []
    k = max_sentences if ratio is None else max(1, min(max_sentences, math.ceil(ratio * len(units))))
    if len(units) > max_units:
        # LexRank is quadratic: a book's thousands of sentences are first cut down to those
        # closest to the document's centroid (linear), then ranked properly.
        keep = np.argsort(-_centroid_similarity(units), kind="stable")[:max_units]
        units = [units[i] for i in sorted(keep)]
    similarity = _similarity(units, embedder, max_embed)
    centrality = _lexrank(similarity)
    # A mild preference for sentences of ordinary length: fragments and run-ons read badly alone.
    length = np.array([len(u.text) for u in units], dtype=np.float64)
    w = WEIGHTS
    centrality = (centrality * np.clip(length / w.summary_short_chars, w.summary_length_floor, 1.0)
                  * np.clip(w.summary_long_chars / length, w.summary_length_floor, 1.0))
    chosen: list[int] = []
    for i in np.argsort(-centrality, kind="stable"):
        if len(chosen) == k:
            break
        # Near-duplicates (the same clause repeated on another page, a restated title) say nothing new.
        if any(similarity[i, j] >= redundancy for j in chosen):
            continue
        chosen.append(int(i))
    chosen.sort(key=lambda i: (units[i].passage, units[i].start))
    return [
        Extract(passages[units[i].passage].chunk_id, units[i].start, units[i].end, units[i].text, float(centrality[i]))
        for i in chosen
    ]


def _similarity(units: list[Unit], embedder, max_embed: int) -> np.ndarray:
    if embedder is not None and len(units) <= max_embed:
        vectors = np.asarray(embedder.embed_passages([u.text for u in units]), dtype=np.float32)
        cosine = (vectors @ vectors.T).astype(np.float64)
        # Any two sentences of one document already sit ~0.8 apart in e5 space; without removing
        # that floor the graph is near-uniform and every sentence looks equally central.
        floor = cosine[~np.eye(len(units), dtype=bool)].mean() if len(units) > 1 else 0.0
        return np.clip((cosine - floor) / max(1.0 - floor, 1e-6), 0.0, 1.0)
    vectors = _tfidf(units)
    # Only terms that two sentences share make them similar: the matrix keeps just those columns
    # (vectors are already normalised over all terms), so a long document stays small in memory.
    shared = Counter(t for v in vectors for t in v)
    vocabulary = {t: i for i, t in enumerate(t for t, n in shared.items() if n > 1)}
    matrix = np.zeros((len(units), len(vocabulary)), dtype=np.float32)
    for row, vector in enumerate(vectors):
        for term, weight in vector.items():
            if term in vocabulary:
                matrix[row, vocabulary[term]] = weight
    return (matrix @ matrix.T).astype(np.float64)


def _tfidf(units: list[Unit]) -> list[dict[str, float]]:
    """L2-normalised tf-idf vectors of the units' content morphemes, as sparse dicts."""
    idf = _idf([set(u.terms) for u in units])
    vectors = []
    for unit in units:
        vector = {t: c * idf[t] for t, c in Counter(unit.terms).items()}
        norm = math.sqrt(sum(w * w for w in vector.values())) or 1.0
        vectors.append({t: w / norm for t, w in vector.items()})
    return vectors


def _centroid_similarity(units: list[Unit]) -> np.ndarray:
    vectors = _tfidf(units)
    centroid: Counter = Counter()
    for vector in vectors:
        centroid.update(vector)
    return np.array([sum(w * centroid[t] for t, w in v.items()) for v in vectors])


def _lexrank(similarity: np.ndarray, damping: float = WEIGHTS.lexrank_damping,
             iterations: int = WEIGHTS.lexrank_iterations) -> np.ndarray:
    """Continuous LexRank (Erkan & Radev 2004): PageRank over the sentence-similarity graph."""
    n = len(similarity)
    weights = similarity.copy()
    np.fill_diagonal(weights, 0.0)
    sums = weights.sum(axis=1, keepdims=True)
    transition = np.where(sums > 0, weights / np.where(sums == 0, 1.0, sums), 1.0 / n)
    rank = np.full(n, 1.0 / n)
    for _ in range(iterations):
        updated = (1 - damping) / n + damping * transition.T @ rank
        if np.abs(updated - rank).sum() < 1e-9:
            return updated
        rank = updated
    return rank
