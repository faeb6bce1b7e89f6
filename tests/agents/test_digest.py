"""Extractive summaries (agents/digest.py): kind-aware, whole-document, no form instructions, lengths that differ."""
from __future__ import annotations

import pytest

from agents.digest import digest, document_kind, is_boilerplate
from agents.extractive import Passage
from ingest.loaders import load
from ingest.samples import FILES
from ingest.split import KoreanSplitter

# A loan regulation written for this test: the complaint was a summary of document lists,
# bank procedures and form instructions instead of eligibility, limits and repayment.
LOAN = """직원 주택자금 대출 규정
제1조(목적) 이 규정은 직원의 주거 안정을 위하여 주택 구입 및 전세 자금을 대출하는 기준과 절차를 정함을 목적으로 한다.
제2조(대출 대상) 대출은 근속 1년 이상인 정규직 직원으로서 무주택자인 사람에게 한다.
제3조(대출 한도) 대출 한도는 주택 구입 자금 5천만원, 전세 자금 3천만원으로 한다.
제4조(상환) 대출금은 대출일부터 5년 이내에 매월 균등 분할하여 상환하며, 연 이율은 2퍼센트로 한다.
제5조(제출 서류) 대출을 신청하는 직원은 다음 서류를 제출한다.
1. 주민등록등본 1부.
2. 매매계약서 또는 전세계약서 사본 1부.
제6조(은행 절차) 대출금은 회사가 지정한 은행 지점에서 약정서를 작성한 뒤 직원 명의 계좌로 입금한다.
※ 신청서의 [ ]에는 해당되는 곳에 √ 표시를 합니다.
신청서는 뒷면의 작성 요령에 따라 기재하여 주시기 바랍니다.
붙임 대출 신청서 1부. 끝.
"""


@pytest.fixture(scope="module")
def passages_of(kiwi):
    splitter = KoreanSplitter(kiwi)

    def passages(name: str) -> list[Passage]:
        sample = "\n" not in name  # a sample's file name, else the text itself
        data = (FILES / name).read_bytes() if sample else name.encode()
        chunks = splitter.split(load(data, name if sample else "loan.txt"))
        return [Passage(10 + i, c.text, rank=i) for i, c in enumerate(chunks)]

    return passages


def test_regulation_summary_has_its_purpose_rules_and_numbers_not_forms(kiwi, passages_of):
    passages = passages_of(LOAN)
    assert document_kind("직원 주택자금 대출 규정", LOAN) == "regulation"
    picked = digest(passages, kiwi, "medium")
    text = " ".join(e.text for e in picked)
    assert "목적" in picked[0].text  # the purpose first
    assert "5천만원" in text and "5년 이내" in text and "무주택자" in text  # eligibility, limit, repayment
    assert not any(is_boilerplate(e.text) for e in picked)
    assert "작성 요령" not in text and "√" not in text and "주민등록등본" not in text and "붙임" not in text
    by_id = {p.chunk_id: p.text for p in passages}
    assert all(by_id[e.chunk_id][e.start:e.end] == e.text for e in picked)  # each cites its own span


def test_lengths_are_visibly_different(kiwi, passages_of):
    passages = passages_of("취업규칙.docx")
    sizes = [sum(len(e.text) for e in digest(passages, kiwi, length)) for length in ("short", "medium", "long")]
    assert sizes[0] * 1.5 < sizes[1] and sizes[1] * 1.4 < sizes[2], sizes


def test_summary_covers_the_sections_in_document_order(kiwi, passages_of):
    passages = passages_of("2025_사업계획.pdf")
    picked = digest(passages, kiwi, "medium")
    assert [(e.chunk_id, e.start) for e in picked] == sorted((e.chunk_id, e.start) for e in picked)
    whole = " ".join(" ".join(p.text.split()) for p in passages)
    at = [whole.index(" ".join(e.text.split())) for e in picked]  # a sentence wrapped over PDF lines reads whole
    second, third = whole.index("2. 매출 및 손익 목표"), whole.index("3. 인력 및 투자 계획")
    # each of the plan's three sections has a sentence in it
    assert any(a < second for a in at) and any(second < a < third for a in at) and any(a > third for a in at)


def test_press_release_leads_with_its_lead(kiwi, shared_data):
    path = shared_data / "docs" / "docs_hwpjs_ohah" / "noori.hwp"
    passages = [Passage(i, c.text, rank=i) for i, c in enumerate(KoreanSplitter(kiwi).split(load(path.read_bytes(), path.name)))]
    picked = digest(passages, kiwi, "short")
    assert "“누리”가 선정되었다고 밝혔다" in " ".join(e.text for e in picked)


@pytest.mark.parametrize(("line", "junk"), [
    ("※ [ ]에는 해당되는 곳에 √ 표시를 합니다.", True), ("붙임 소규모주택정비사업 추진현황 1부. 끝.", True),
    ("별지 제1호서식 및 별지 제2호 서식을 별지와 같이 한다.", True), ("신청서는 작성 요령을 따른다.", True),
    ("대출 한도는 5천만원으로 한다.", False), ("품목허가번호를 추가 기재하도록 하여 정확성을 확보하고자 함", False),
])
def test_boilerplate(line, junk):
    assert is_boilerplate(line) is junk


def test_key_point_coverage_on_the_in_repo_documents(kiwi, passages_of):
    """The fast subset of bench/summaries.py: the sample documents of the key-point set, 보통 length."""
    from bench.summaries import covered, load_points

    documents = [d for d in load_points() if d["file"].startswith("samples:")]
    hit = total = 0
    for document in documents:
        picked = digest(passages_of(document["file"].split(":", 1)[1]), kiwi, "medium")
        text = " ".join(e.text for e in picked)
        hit += sum(covered(text, p) for p in document["points"])
        total += len(document["points"])
    assert total >= 20 and hit / total >= 0.7, (hit, total)
