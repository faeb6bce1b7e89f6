"""Personal data at ingestion: masked before splitting (chunks, BM25, blocks, answers), flagged, or kept,
as KORAG_PII_MODE / KORAG_PII_KINDS say; originals kept only when KORAG_KEEP_ORIGINALS is on."""
from __future__ import annotations

import random

import pytest

from agents import Assistant
from rag.settings import Settings
from tests.pii_cases import card_number, registration_number

RNG = random.Random(11)
RRN = registration_number(RNG, foreign=False, valid=True)
FAKE_RRN = registration_number(RNG, foreign=False, valid=False)  # fails the checksum, no label: not personal data
CARD = card_number(RNG)
PHONE = "010-2345-6789"
TEXT = (f"인사 기록 카드\n\n성명 홍길동의 주민등록번호는 {RRN}이다. 법인카드 번호는 {CARD}이다.\n"
        f"비상 연락처는 {PHONE}이고, 관리번호 {FAKE_RRN.replace('-', '')}는 주민번호가 아니다.\n")


def ingest(tmp_path, **overrides):
    settings = Settings(home=tmp_path / "home", embedder="none", **overrides)
    assistant = Assistant("개인정보", settings)
    path = tmp_path / "인사기록.txt"
    path.write_text(TEXT, encoding="utf-8")
    [result] = assistant.ingest([path])
    assert result.ok, result.error
    return assistant, result


def stored_text(assistant) -> str:
    kb = assistant.kb
    doc = kb.documents()[0]
    chunks = " ".join(c.text for c in kb.store.document_chunks(doc.id))
    blocks = " ".join(b.text for b in kb.store.blocks(doc.id))
    return chunks + "\n" + blocks


def test_registration_and_card_numbers_are_masked_by_default(tmp_path):
    assistant, result = ingest(tmp_path)
    text = stored_text(assistant)
    assert RRN not in text and CARD not in text and "[주민등록번호]" in text and "[카드번호]" in text
    assert PHONE in text  # phone numbers are off by default: office contact lines are what people ask for
    assert FAKE_RRN.replace("-", "") in text  # a checksum-failing number is not masked
    assert any("개인정보 2건을 가렸습니다" in w for w in result.warnings), result.warnings
    assert assistant.search(RRN.split("-")[0], k=3, mode="lexical") == []
    answer = assistant.ask("홍길동의 주민등록번호는?")
    assert RRN not in answer.model_dump_json() and "[주민등록번호]" in answer.text


def test_all_kinds_mask_phones_too(tmp_path):
    assistant, _ = ingest(tmp_path, pii_kinds="all")
    text = stored_text(assistant)
    assert PHONE not in text and "[전화번호]" in text


def test_flag_counts_without_changing_the_text(tmp_path):
    assistant, result = ingest(tmp_path, pii_mode="flag")
    assert RRN in stored_text(assistant)
    assert any("개인정보 2건을 발견했습니다" in w for w in result.warnings)


def test_keep_does_not_scan(tmp_path):
    assistant, result = ingest(tmp_path, pii_mode="keep")
    assert RRN in stored_text(assistant) and not any("개인정보" in w for w in result.warnings)


@pytest.mark.parametrize("keep", [True, False])
def test_originals_are_kept_only_when_configured(tmp_path, keep):
    assistant, _ = ingest(tmp_path, keep_originals=keep)
    kept = [p for p in (assistant.kb.path / "files").rglob("*") if p.is_file()]
    assert bool(kept) is keep
    if keep:
        assert RRN.encode() in kept[0].read_bytes()  # the original is the original: that is why it is optional
