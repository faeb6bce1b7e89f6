"""Choosing the extractive answerer's passage weights and neighbour reach (agents/weights.py) on one half of
korquad_dev, and scoring the choice on the other.

    python bench/answer_ranking.py [DATASET_DIR] [--kb-home DIR]

For every answerable question of both halves (`split_by_article`), retrieves the passages with BM25 as
`korag ask` does, splits them into sentences and records, per sentence, its coverage of the question, whether
it states the asked kind, its passage's retrieval score and whether its passage is the gold one and its text
holds a gold answer. Then, with the gate open and the first sentence only:

- grid over `answer_retrieval_weight` × `answer_passage_weight`: citation@1 (the first sentence's passage is
  the gold one) and gold-in-first-sentence; the pair with the best tune-half citation@1 (ties: gold-in) is
  chosen, and both halves are printed for it and for (0, 0), the answerer before;
- `answer_neighbour_reach` 0–3: gold-in-answer when a stating neighbour within that reach is added to a first
  sentence that does not state a checkable kind (agents/asked.py `CHECKED_KINDS`).

Everything is held in memory; nothing of the set is written (korquad_dev is CC BY-ND).
"""
from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from agents.asked import CHECKED_KINDS, asked, states  # noqa: E402
from agents.evaluate import build_kb, load_dataset  # noqa: E402
from agents.evaluate_answers import gold_in, split_by_article  # noqa: E402
from agents.extractive import (_QUESTION_NOISE, _coverage, _passage_coverage, _retrieval_share,  # noqa: E402
                               _supported, _weights)
from agents.sentences import SECONDARY_KINDS, Passage, block_kind, is_fragment, is_residue  # noqa: E402
from agents.sentences import units as sentence_units  # noqa: E402
from agents.weights import WEIGHTS  # noqa: E402
from rag.kb import KnowledgeBase  # noqa: E402
from rag.morphemes import content_terms  # noqa: E402
from rag.settings import Settings  # noqa: E402


def record(questions, ws) -> list[dict]:
    """Per question: its kind and, per candidate sentence, the features and labels the choice needs."""
    from agents.tasks import retrieve

    sources = {d.id: d.source.removeprefix("corpus:") for d in ws.kb.documents()}
    out = []
    for question in questions:
        hits = retrieve(ws, question.query, None, None)
        passages = [Passage(h.chunk.id, h.chunk.text, rank=i, score=h.score, kind=block_kind(h.chunk))
                    for i, h in enumerate(hits)]
        terms = list(dict.fromkeys(t for t in content_terms(ws.kiwi.tokenize(question.query))
                                   if t not in _QUESTION_NOISE))
        every = sentence_units(passages, ws.kiwi)
        units = [u for per in every for u in per
                 if u.kind in ("prose", "row") and not is_fragment(u) and not is_residue(u.text)]
        want = asked(question.query)
        row = {"kind": want.kind, "units": []}
        if terms and units:
            weights = _weights(terms, units)
            share, whole = _retrieval_share(passages), _passage_coverage(terms, weights, units, len(passages))
            words = set(terms)
            for i, unit in enumerate(units):
                row["units"].append({
                    "passage": unit.passage, "index": unit.index, "prose": unit.kind == "prose",
                    "coverage": _coverage(terms, weights, unit) if _supported(terms, unit) else 0.0,
                    "stated": bool(states(want.kind, unit.text, unit.tokens, question.query, words)),
                    "secondary": passages[unit.passage].kind in SECONDARY_KINDS,
                    "retrieval": float(share[unit.passage]), "whole": float(whole[i]),
                    "gold_passage": sources[hits[unit.passage].document.id] in question.gold,
                    "gold_text": gold_in(unit.text, question.answers)})
        out.append(row)
    return out


def first(row: dict, retrieval: float, whole: float) -> dict | None:
    floor = WEIGHTS.answer_min_support * WEIGHTS.answer_candidate_share
    pool = [u for u in row["units"] if u["coverage"] >= floor]
    if not pool:
        return None
    return max(pool, key=lambda u: (u["coverage"] + WEIGHTS.answer_rank_prior / (1 + u["passage"])
                                    + WEIGHTS.answer_type_bonus * u["stated"]
                                    - WEIGHTS.answer_form_penalty * u["secondary"]
                                    + retrieval * u["retrieval"] + whole * u["whole"], -row["units"].index(u)))


def scores(rows: list[dict], retrieval: float, whole: float, reach: int = 0) -> tuple[float, float]:
    """(citation@1, gold-in-answer) over answerable questions, gate open, first sentence (+ neighbour)."""
    cited = gold = 0
    for row in rows:
        best = first(row, retrieval, whole)
        if best is None:
            continue
        cited += best["gold_passage"]
        found = best["gold_text"]
        if reach and row["kind"] in CHECKED_KINDS and not best["stated"] and best["prose"]:
            near = sorted((u for u in row["units"] if u["passage"] == best["passage"] and u["prose"] and u["stated"]
                           and 0 < abs(u["index"] - best["index"]) <= reach),
                          key=lambda u: (abs(u["index"] - best["index"]), u["index"]))
            found = found or (near[0]["gold_text"] if near else False)
        gold += found
    return cited / len(rows), gold / len(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("dataset", nargs="?", type=Path, default=REPO.parent / "shared" / "data" / "korquad_dev")
    parser.add_argument("--kb-home", type=Path, default=None, help="build the BM25 KB here once and reuse it")
    args = parser.parse_args()
    from agents.tasks import Workspace
    from rag.retrieve import Retriever

    corpus, questions = load_dataset(args.dataset)
    with tempfile.TemporaryDirectory(prefix="korag-ranking-") as tmp:
        home = args.kb_home or Path(tmp)
        settings = Settings().model_copy(update={"home": home, "kb": "eval", "embedder": "none"})
        kb = KnowledgeBase.open(settings) if (home / "eval" / "kb.sqlite").exists() else build_kb(corpus, settings)[0]
        ws = Workspace(kb, Retriever(kb, None), settings, None)
        halves = {half: record(split_by_article(questions, half), ws) for half in ("tune", "report")}
    grid = [(r, w) for r in (0.0, 0.1, 0.2, 0.3, 0.5, 0.7, 1.0) for w in (0.0, 0.1, 0.2, 0.3, 0.5)]
    tuned = {pair: scores(halves["tune"], *pair) for pair in grid}
    chosen = max(grid, key=lambda pair: tuned[pair])
    print(f"{len(halves['tune'])} tune / {len(halves['report'])} report answerable questions; gate open, first sentence")
    print("retrieval × passage weight on the tune half (citation@1 / gold-in-first-sentence):")
    for pair in grid:
        print(f"  {pair[0]:.1f} × {pair[1]:.1f}: {tuned[pair][0]:.3f} / {tuned[pair][1]:.3f}")
    for label, pair in (("before (0 × 0)", (0.0, 0.0)), (f"chosen on tune {chosen}", chosen),
                        (f"shipped ({WEIGHTS.answer_retrieval_weight}, {WEIGHTS.answer_passage_weight})",
                         (WEIGHTS.answer_retrieval_weight, WEIGHTS.answer_passage_weight))):
        t, r = scores(halves["tune"], *pair), scores(halves["report"], *pair)
        print(f"{label}: tune {t[0]:.3f} / {t[1]:.3f}  report (held out) {r[0]:.3f} / {r[1]:.3f}")
    shipped = (WEIGHTS.answer_retrieval_weight, WEIGHTS.answer_passage_weight)
    reaches = {reach: scores(halves["tune"], *shipped, reach)[1] for reach in range(4)}
    for reach, tuned_gold in reaches.items():
        print(f"neighbour reach {reach}: gold-in-answer tune {tuned_gold:.3f}  "
              f"report (held out) {scores(halves['report'], *shipped, reach)[1]:.3f}")
    print(f"reach chosen on tune: {max(reaches, key=lambda r: (reaches[r], -r))} "
          f"(shipped: {WEIGHTS.answer_neighbour_reach})")


if __name__ == "__main__":
    main()
