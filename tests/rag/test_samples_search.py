"""The bundled samples through korag itself: every snippet extracted, every sample question answered.

This is the quickstart demo as a test, and a small retrieval regression guard that needs no
shared data.
"""
from __future__ import annotations

import json

import pytest

from ingest.normalize import collapse_whitespace
from ingest.pipeline import Ingestor
from rag.kb import KnowledgeBase
from rag.settings import Settings


@pytest.fixture(scope="module")
def samples_kb(samples, tmp_path_factory, kiwi):
    settings = Settings(home=tmp_path_factory.mktemp("home"), kb="samples")
    kb = KnowledgeBase.open(settings, create=True)
    results = Ingestor(kb, settings).ingest_paths([samples])
    assert all(r.ok for r in results), [r.error for r in results if not r.ok]
    return kb


def expected(samples):
    return json.loads((samples.parent / "expected.json").read_text(encoding="utf-8"))


def test_every_sample_ingests_with_its_format(samples, samples_kb):
    formats = {d.name: d.format for d in samples_kb.documents()}
    assert formats == {e["file"]: e["format"] for e in expected(samples)}


def test_snippets_are_extracted_and_skipped_parts_are_not(samples, samples_kb):
    for entry in expected(samples):
        doc = samples_kb.document(entry["file"])
        text = collapse_whitespace("\n".join(b.text for b in samples_kb.store.blocks(doc.id)))
        for snippet in entry["snippets"] + entry.get("notes_snippets", []):
            assert collapse_whitespace(snippet) in text, (entry["file"], snippet)
        for snippet in entry.get("absent_snippets", []):
            assert collapse_whitespace(snippet) not in text, (entry["file"], snippet)


def test_pdf_facts_are_on_their_pages(samples, samples_kb):
    entry = next(e for e in expected(samples) if e["format"] == "pdf")
    doc = samples_kb.document(entry["file"])
    blocks = samples_kb.store.blocks(doc.id)
    for item in entry["page_snippets"]:
        text = collapse_whitespace(" ".join(b.text for b in blocks if b.page == item["page"]))
        assert collapse_whitespace(item["text"]) in text, item


def test_every_sample_question_finds_its_passage_first(samples, samples_kb):
    misses = []
    for entry in expected(samples):
        for question in entry["questions"]:
            hits = samples_kb.search_lexical(question["q"], k=3)
            top = hits[0] if hits else None
            if top is None or top.document.name != entry["file"] or \
                    collapse_whitespace(question["answer_snippet"]) not in collapse_whitespace(top.chunk.text):
                misses.append((question["q"], top.document.name if top else None))
    assert misses == []
