"""The VARCO-VISION server slow: OCR falls back to Tesseract, says so, in bounded time.

Already covered: a VLM answering 503 falls back (tests/ingest/ocr/test_engines.py), and `korag ocr`
against an unreachable one (tests/ui/test_cli_ocr.py). Here the engine is built from settings, as
ingestion and the CLI build it, so the timing includes the client's own retries.
"""
from __future__ import annotations

import time

import pytest

from ingest.ocr import FallbackEngine, OcrError, TesseractEngine, engine_for
from rag.settings import Settings
from tests.faults.figures import figure
from tests.ocr_images import render
from tests.scripted_openai import Reply

pytestmark = pytest.mark.integration
LINES = ["출장비 지급 규정", "숙박비는 1박에 10만원을 넘지 않는다."]
TIMEOUT_S = 1.0
TRIES = 3  # VarcoClient.from_settings keeps openai's default of 2 retries (no setting for it)
MARGIN_S = 5.0  # openai's backoff between the tries (0.5-1 s, then 1-2 s) and Tesseract itself


@pytest.fixture(scope="module")
def page():
    try:
        TesseractEngine().warm_up()
    except OcrError as err:
        pytest.skip(str(err))
    return render(LINES)[0]


def test_slow_vlm_falls_back_to_tesseract_and_says_so(tmp_path, page, scripted_openai):
    scripted_openai.default = Reply(text="<char>출</char><bbox>0.1, 0.1, 0.2, 0.2</bbox>", delay_s=TIMEOUT_S * 5)
    engine = engine_for(Settings(home=tmp_path, ocr_engine="varco", vlm_base_url=scripted_openai.base_url,
                                 vlm_timeout_s=TIMEOUT_S))
    assert isinstance(engine, FallbackEngine)
    started = time.perf_counter()
    first = engine.read(page, 1)
    elapsed = time.perf_counter() - started
    figure(f"VLM slow ({TIMEOUT_S:.0f} s timeout, {TRIES} tries): first page", f"{first.engine}, warned", elapsed)
    assert first.engine == "tesseract" and "숙박비는" in first.text
    assert "VARCO-VISION 서버에 연결할 수 없어 Tesseract로 읽었습니다" in first.warnings[-1]
    assert "timed out" in first.warnings[-1]  # a hung server (no reply at all) times out the same way
    assert len(scripted_openai.requests) == TRIES and elapsed < TIMEOUT_S * TRIES + MARGIN_S

    started = time.perf_counter()
    second = engine.read(page, 2)
    figure("VLM slow: next page (server skipped for 5 min)", second.engine, time.perf_counter() - started)
    assert second.engine == "tesseract" and len(scripted_openai.requests) == TRIES  # no timeout paid per page
