"""Choosing the extractive answerer's abstention (agents/support.py) on one half of a set.

    python bench/abstention.py [DATASET_DIR] [--split tune|report|all] [--unanswerable N] [--kb-home DIR]
                               [--features PATH] [--max-refused 0.05]

Answers every question of the split, and N of them again without their gold passage, with the gate open
(`gate=lambda s: True`), records the first sentence's `Support` and whether the answer holds the gold
string, then fits the gate's three weights (agents/weights.py `answer_gate_*`: logistic regression, cut at
≤ --max-refused refusals of the answerable questions, the 0.25 coverage floor's own refusals included) and
prints what they give on the split (and 5-fold cross-validated), the single coverage floors it replaces,
and the shipped weights' figures. Choose on `tune`
only (docs/benchmarks.md). The records hold figures only, never the set's text (korquad_dev is CC BY-ND).
"""
from __future__ import annotations

import argparse
import dataclasses
import json
import sys
import tempfile
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from agents.evaluate import build_kb, load_dataset  # noqa: E402
from agents.evaluate_answers import excluding, gold_in, split_by_article, unanswerable_sample  # noqa: E402
from agents.extractive import Passage, answer_sentences  # noqa: E402
from agents.sentences import block_kind  # noqa: E402
from agents.support import Support, answers  # noqa: E402
from agents.weights import WEIGHTS  # noqa: E402
from rag.kb import KnowledgeBase  # noqa: E402
from rag.settings import Settings  # noqa: E402


def deleted_idf(kb: KnowledgeBase, gone: set[str]):
    """`LexicalIndex.idf` and `.holds` as if the documents `gone` had been deleted: BM25's idf over the other
    chunks (`excluding` only filters retrieval, so without this a word only the deleted passage uses would
    still count as one the KB holds)."""
    import sqlite3

    lexical = kb.lexical()
    with sqlite3.connect(kb.path / "kb.sqlite") as db:
        ids = {row[0] for d in gone for row in db.execute("SELECT id FROM chunks WHERE document_id = ?", (d,))}
    rows = np.isin(lexical.chunk_ids, np.fromiter(ids, dtype=np.int64, count=len(ids)))
    n = len(lexical.chunk_ids) - int(rows.sum())
    scores = lexical.retriever.scores

    def df(term: str) -> int:
        row = lexical._vocab.get(term)
        if row is None:
            return 0
        docs = scores["indices"][scores["indptr"][row]:scores["indptr"][row + 1]]
        return int(len(docs) - rows[docs].sum())

    def idf(terms: list[str]) -> dict[str, float]:
        return {t: float(np.log(1 + (n - df(t) + 0.5) / (df(t) + 0.5))) for t in terms}

    return idf, lambda terms: {t for t in terms if df(t) > 0}


def record(dataset: Path, split: str, unanswerable: int, home: Path, absent_words: str = "shipped") -> list[dict]:
    """One record per question asked: answerable or not, answered by the open gate, gold in it, its Support."""
    from agents.tasks import Workspace, retrieve
    from rag.retrieve import Retriever

    corpus, questions = load_dataset(dataset)
    questions = split_by_article(questions, split)
    settings = Settings().model_copy(update={"home": home, "kb": "eval", "embedder": "none"})
    kb = KnowledgeBase.open(settings) if (home / "eval" / "kb.sqlite").exists() else build_kb(corpus, settings)[0]
    ws = Workspace(kb, Retriever(kb, None), settings, None)
    sources = {d.id: d.source for d in kb.documents()}
    without = excluding(kb, sources)
    by_corpus: dict[str, set[str]] = {}
    for doc_id, src in sources.items():
        by_corpus.setdefault(src.removeprefix("corpus:"), set()).add(doc_id)
    rows = []
    asked = [(q, False) for q in questions] + [(q, True) for q in unanswerable_sample(questions, unanswerable)]
    for n, (question, removed) in enumerate(asked):
        hits = retrieve(ws, question.query, without(question.gold if removed else frozenset()), None)
        passages = [Passage(h.chunk.id, h.chunk.text, rank=i, score=h.score, kind=block_kind(h.chunk))
                    for i, h in enumerate(hits)]
        gone = {d for c in (question.gold if removed else ()) for d in by_corpus.get(c, ())}
        idf, holds = deleted_idf(kb, gone)
        picked = answer_sentences(question.query, passages, ws.kiwi, idf=idf,
                                  known=holds if absent_words == "shipped" else None, gate=lambda s: True)
        text = " ".join(p.text for p in picked)
        rows.append({"unanswerable": removed, "answered": bool(picked), "gold": gold_in(text, question.answers),
                     "support": dataclasses.asdict(picked[0].evidence) if picked else None})
        if n % 200 == 0:
            print(f"  {n}/{len(asked)}", flush=True)
    return rows


def score(rows: list[dict], gate) -> tuple[float, float, float]:
    """(refused answerable, false answers, gold-in-answer) with `gate` deciding on each recorded Support."""
    ok = [r for r in rows if not r["unanswerable"]]
    gone = [r for r in rows if r["unanswerable"]]
    said = [r["answered"] and gate(Support(**r["support"])) for r in ok]
    false = [r["answered"] and gate(Support(**r["support"])) for r in gone]
    return (1 - sum(said) / len(ok), sum(false) / max(len(gone), 1),
            sum(s and r["gold"] for s, r in zip(said, ok)) / len(ok))


FEATURES = ("coverage", "passage_coverage", "margin")  # what agents/support.py `answers` weighs


def fit_gate(rows: list[dict], max_refused: float) -> tuple[dict, float]:
    """Logistic regression of answerable-or-not on FEATURES over the questions the open gate answers, cut where
    at most `max_refused` of the answerable questions are refused; returns weights w with w·x ≥ 1 ⇔ answer."""
    said = [r for r in rows if r["answered"]]
    x = np.array([[r["support"][f] for f in FEATURES] for r in said], dtype=np.float64)
    y = np.array([0.0 if r["unanswerable"] else 1.0 for r in said])
    mu, sd = x.mean(0), x.std(0)
    z = np.hstack([(x - mu) / sd, np.ones((len(x), 1))])
    w = np.zeros(z.shape[1])
    for _ in range(3000):  # plain gradient descent: three features, a few thousand rows
        p = 1 / (1 + np.exp(-z @ w))
        g = z.T @ (p - y) / len(y)
        g[:-1] += 1e-2 * w[:-1]
        w -= g
    coef, const = w[:-1] / sd, w[-1] - (w[:-1] * mu / sd).sum()
    logits = x @ coef + const
    answerable = sum(not r["unanswerable"] for r in rows)
    refused_before = answerable - int(y.sum())
    cut = max((t for t in np.sort(logits) if refused_before + ((logits < t) & (y == 1)).sum() <= max_refused * answerable),
              default=float(logits.min()))  # the floor alone refuses more than the cap: answer all it answers
    return {f"answer_gate_{n}": round(float(c / (cut - const)), 2)
            for n, c in zip(("coverage", "passage", "margin"), coef)}, float(cut)


def cross_validated(rows: list[dict], max_refused: float, folds: int = 5) -> tuple[float, float, float]:
    """The chosen procedure's figures when each fold is gated by weights fitted on the other folds."""
    scored = [0.0, 0.0, 0.0]
    for k in range(folds):
        train = [r for i, r in enumerate(rows) if i % folds != k]
        test = [r for i, r in enumerate(rows) if i % folds == k]
        weights = dataclasses.replace(WEIGHTS, **fit_gate(train, max_refused)[0])
        for i, v in enumerate(score(test, lambda s, w=weights: answers(s, w))):
            scored[i] += v / folds
    return tuple(scored)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("dataset", nargs="?", type=Path, default=REPO.parent / "shared" / "data" / "korquad_dev")
    parser.add_argument("--split", choices=["tune", "report", "all"], default="tune")
    parser.add_argument("--unanswerable", type=int, default=300)
    parser.add_argument("--kb-home", type=Path, default=None, help="build the BM25 KB here once and reuse it")
    parser.add_argument("--features", type=Path, default=None, help="read the records here if present, else write")
    parser.add_argument("--max-refused", type=float, default=0.05)
    parser.add_argument("--absent-words", choices=["highest", "shipped"], default="shipped",
                        help="a question word no chunk holds: always the highest idf, or as agents/weights.py "
                             "`answer_absent_words` says")
    args = parser.parse_args()
    if args.features and args.features.exists():
        rows = json.loads(args.features.read_text())
    else:
        with tempfile.TemporaryDirectory(prefix="korag-abstain-") as tmp:
            rows = record(args.dataset, args.split, args.unanswerable, args.kb_home or Path(tmp),
                          args.absent_words)
        if args.features:
            args.features.write_text(json.dumps(rows))
    print(f"{sum(not r['unanswerable'] for r in rows)} answerable, {sum(r['unanswerable'] for r in rows)} "
          f"unanswerable (split {args.split})")
    print("coverage floor alone (the gate before this one), for comparison:")
    for floor in (0.25, 0.35, 0.40, 0.45, 0.50):
        print(f"  {floor:.2f}: refused {{:.3f}}, false answers {{:.3f}}, gold-in-answer {{:.3f}}".format(
            *score(rows, lambda s, f=floor: s.coverage >= f)))
    if args.split == "tune":  # weights are chosen on the tune half only: elsewhere the shipped ones are scored
        chosen, _ = fit_gate(rows, args.max_refused)
        weights = dataclasses.replace(WEIGHTS, **chosen)
        print("fitted on this split: {}: refused {:.3f}, false answers {:.3f}, gold-in-answer {:.3f}".format(
            chosen, *score(rows, lambda s: answers(s, weights))))
        print("5-fold cross-validated on this split: refused {:.3f}, false answers {:.3f}, gold-in-answer {:.3f}"
              .format(*cross_validated(rows, args.max_refused)))
    refused, false, gold = score(rows, answers)
    print(f"shipped (agents/weights.py): refused {refused:.3f}, false answers {false:.3f}, gold-in-answer {gold:.3f}")
    open_gate = score(rows, lambda s: True)
    print(f"gate open (coverage floor {WEIGHTS.answer_min_support} only): refused {open_gate[0]:.3f}, "
          f"false answers {open_gate[1]:.3f}, gold-in-answer {open_gate[2]:.3f}")


if __name__ == "__main__":
    main()
