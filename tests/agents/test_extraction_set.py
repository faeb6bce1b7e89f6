"""The hand-labelled extraction set (tests/data/extraction_gold.json) as a regression test: the in-repo
documents through the rules (precision at the issue's target, recall above a floor) and every document of the set through the
LLM path (scripted OpenAI-compatible server) and its schema validation."""
from __future__ import annotations

import json

import pytest

from agents import Assistant
from bench.extraction import load_set, schema_of, score, source_file
from rag.settings import Settings
from tests.scripted_openai import Reply

IN_REPO = [d for d in load_set() if not d["file"].startswith("shared:")]


@pytest.fixture(scope="module")
def set_kb(tmp_path_factory, shared_data_or_none):
    work = tmp_path_factory.mktemp("extraction-set")
    assistant = Assistant(kb="set", settings=Settings(home=work / "home", embedder="none"), create=True)
    paths = {}
    for document in load_set():
        path = source_file(document, shared_data_or_none, work)
        if path is not None:
            assistant.ingest([path])
            paths[document["file"]] = path
    return work, paths


@pytest.fixture(scope="module")
def shared_data_or_none():
    from tests.conftest import _shared_data

    return _shared_data()


# The targets (precision 0.95, recall 0.80) on the union of the in-repo splits (261 documents), every
# one of them looked at while fixing the rules (tuned): measured 0.971 / 0.829 typed, 0.972 / 0.829 loose.
# Out of sample the rules are short of them: each blind split's first run is in docs/benchmarks.md ("Extraction");
# the nine of holdout14–22 together: 0.895 / 0.681.
RECALL_FLOOR = 0.80


def test_rules_hold_their_precision_and_recall_on_the_in_repo_documents(set_kb):
    work, paths = set_kb
    assistant = Assistant(kb="set", settings=Settings(home=work / "home", embedder="none"), create=False)
    rows = []
    for document in IN_REPO:
        result = assistant.extract(paths[document["file"]].name, schema_of(document))
        rows.append((document["gold"], result.data))
        for name, value in result.data.items():  # every null says why; every value where it was read
            field = result.fields[name]
            assert (field.reason if value is None else field.source) , (document["file"], name)
    typed = score([row for row, d in zip(rows, IN_REPO) if not d["file"].startswith("image:")])
    assert typed["stated"] >= 30 and typed["precision"] >= 0.95 and typed["recall"] >= RECALL_FLOOR, typed
    # OCR'd receipts: Tesseract splits Hangul words ("한솔 문구"), so their values are compared without spaces
    loose = score(rows, spacing=False)
    assert loose["stated"] >= 40 and loose["precision"] >= 0.95 and loose["recall"] >= RECALL_FLOOR, loose


def test_every_document_runs_through_the_llm_path_and_its_validation(set_kb, scripted_openai):
    work, paths = set_kb
    settings = Settings(home=work / "home", embedder="none", llm_base_url=scripted_openai.base_url,
                        llm_model="scripted-model", llm_max_retries=0, llm_timeout_s=5)
    assistant = Assistant(kb="set", settings=settings, create=False)
    checked = 0
    for document in load_set():
        if document["file"] not in paths:
            continue
        gold = {k: v for k, v in document["gold"].items() if v is not None}  # a model leaves unknowns out
        first = next(iter(document["schema"]))
        kind = document["schema"][first].get("type")
        wrong = 1 if "string" in (kind if isinstance(kind, list) else [kind]) else "일금"  # the wrong JSON type
        scripted_openai.reset()
        scripted_openai.script(Reply(text=json.dumps({"data": {**gold, first: wrong}, "sources": {}})),
                               Reply(text=json.dumps({"data": gold, "sources": {}}, ensure_ascii=False)))
        result = assistant.extract(paths[document["file"]].name, schema_of(document))
        assert result.mode == "llm" and result.attempts == 2, document["file"]
        assert {k: result.data.get(k) for k in document["gold"]} == document["gold"]
        assert all(result.fields[k].reason for k, v in document["gold"].items() if v is None)
        sent = scripted_openai.requests[0]["response_format"]["json_schema"]["schema"]
        assert sent["properties"]["data"]["properties"] == document["schema"]
        assert first in scripted_openai.requests[1]["messages"][-1]["content"]  # the retry names the bad field
        checked += 1
    assert checked >= len(IN_REPO)
