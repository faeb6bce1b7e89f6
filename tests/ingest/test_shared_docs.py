"""Done-when for ingestion: every real document of ../shared/data/docs goes into a KB whole.

Skipped with a reason where ../shared/data is absent (a user's fresh clone).
"""
from __future__ import annotations

import json
import re

import pytest

from ingest.normalize import collapse_whitespace
from ingest.pipeline import Ingestor
from rag.kb import KnowledgeBase
from rag.settings import Settings

pytestmark = pytest.mark.shared_data


@pytest.fixture(scope="module")
def ingested(shared_data, tmp_path_factory, kiwi):
    docs = shared_data / "docs"
    manifest = [json.loads(line) for line in (docs / "manifest.jsonl").read_text(encoding="utf-8").splitlines()]
    settings = Settings(home=tmp_path_factory.mktemp("home"), kb="shared")
    kb = KnowledgeBase.open(settings, create=True)
    results = Ingestor(kb, settings).ingest_paths([docs / entry["path"] for entry in manifest])
    return manifest, kb, {r.name: r for r in results}


def stored_text(kb: KnowledgeBase, name: str) -> str:
    doc = kb.document(name)
    return collapse_whitespace("\n".join(b.text for b in kb.store.blocks(doc.id)))


def test_every_document_ingests(ingested):
    manifest, kb, results = ingested
    failed = {name: r.error for name, r in results.items() if not r.ok}
    assert failed == {}
    assert len(kb.documents()) == len(manifest)
    for entry in manifest:
        result = results[entry["path"].rsplit("/", 1)[-1]]
        assert result.format == entry["format"] and result.chunks > 0


def test_every_expected_snippet_is_in_the_stored_text(ingested):
    manifest, kb, _ = ingested
    missing = []
    for entry in manifest:
        text = stored_text(kb, entry["path"].rsplit("/", 1)[-1])
        missing += [(entry["path"], s) for s in entry["expected_snippets"] if collapse_whitespace(s) not in text]
    assert missing == []


def test_snippets_are_findable_by_search(ingested):
    manifest, kb, _ = ingested
    for entry in manifest:
        name = entry["path"].rsplit("/", 1)[-1]
        snippet = entry["expected_snippets"][0]
        hits = kb.search_lexical(snippet, k=10)
        assert name in {h.document.name for h in hits}, (name, snippet)


@pytest.mark.parametrize("stem", ["noori", "selfintroduce", "table-bug"])
def test_hwp_and_hwpx_give_the_same_text(ingested, stem):
    _, kb, _ = ingested
    hwp = re.sub(r"\s+", "", stored_text(kb, f"{stem}.hwp"))
    hwpx = re.sub(r"\s+", "", stored_text(kb, f"{stem}.hwpx"))
    assert hwp == hwpx


def test_cp949_text_equals_utf8_text(ingested):
    _, kb, _ = ingested
    assert stored_text(kb, "appendix-keywords-CP949.txt") == stored_text(kb, "appendix-keywords-utf8.txt")


def test_distribution_hwp_is_not_indexed_as_its_warning(ingested):
    _, kb, _ = ingested
    text = stored_text(kb, "distribution.hwp")
    assert "강남세움복지관 공고 제 2024-08호" in text
    assert "배포용" not in text[:200] and len(text) > 500
    assert kb.search_lexical("시설관리원 용역업체 입찰공고")[0].document.name == "distribution.hwp"


def test_tab_separated_pdf_is_repaired(ingested):
    _, kb, _ = ingested
    doc = kb.document("korean-text-with-tables.pdf")
    assert all("\t" not in b.text for b in kb.store.blocks(doc.id))
    assert "무이자할부, 다이어트할부" in stored_text(kb, "korean-text-with-tables.pdf")


# Four or more cell separators with nothing between them: the residue of empty table cells (issue 15).
EMPTY_CELLS = re.compile(r"(?:[|,·]\s+){4,}")


def test_no_stored_line_has_a_run_of_empty_cell_separators(ingested):
    manifest, kb, _ = ingested
    residue = [(entry["path"], line) for entry in manifest
               for block in kb.store.blocks(kb.document(entry["path"].rsplit("/", 1)[-1]).id)
               for line in block.text.splitlines() if EMPTY_CELLS.search(line)]
    assert residue == []
