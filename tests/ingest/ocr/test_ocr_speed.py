"""What keeps OCR of a page within seconds: Tesseract on one OpenMP thread, two pages read at once and
handed back in page order (blank pages skipped, a failed page named, not raised)."""
from __future__ import annotations

import threading
import time

import pytest
from PIL import Image

from ingest.ocr import OcrError, TesseractEngine
from ingest.ocr.pages import read_ahead
from ingest.ocr.tesseract import tesseract_env
from tests.ocr_images import render

PAGES = ["제1조 출장비 지급 규정", "제2조 숙박비는 실비로 지급한다", "제3조 교통비는 영수증으로 정산한다",
         "제4조 연차는 부서장 승인 후 사용한다"]


def test_tesseract_gets_one_openmp_thread_unless_the_environment_says(monkeypatch):
    monkeypatch.delenv("OMP_THREAD_LIMIT", raising=False)
    assert tesseract_env()["OMP_THREAD_LIMIT"] == "1"
    monkeypatch.setenv("OMP_THREAD_LIMIT", "4")
    assert tesseract_env()["OMP_THREAD_LIMIT"] == "4"


class Timed:
    """A real engine, with when each page's read began and ended."""

    def __init__(self, engine: TesseractEngine) -> None:
        self.engine, self.name = engine, engine.name
        self.spans: dict[int, tuple[float, float]] = {}
        self.lock = threading.Lock()

    def read(self, image: Image.Image, page: int | None = None):
        started = time.monotonic()
        result = self.engine.read(image, page)
        with self.lock:
            self.spans[page] = (started, time.monotonic())
        return result


@pytest.fixture(scope="module")
def pages():
    return [(n, render([text])[0]) for n, text in enumerate(PAGES, 1)]


def _overlaps(spans: dict[int, tuple[float, float]]) -> bool:
    ordered = sorted(spans.values())
    return any(later[0] < earlier[1] for earlier, later in zip(ordered, ordered[1:]))


@pytest.mark.integration
@pytest.mark.parametrize("threads", [1, 2])
def test_pages_come_back_in_order_each_with_its_own_text(pages, threads):
    engine = Timed(TesseractEngine())
    engine.engine.warm_up()
    results = list(read_ahead(engine, iter(pages), threads=threads))
    assert [page for page, _ in results] == [1, 2, 3, 4]
    for (page, result), text in zip(results, PAGES):
        assert result.page == page and result.text.replace(" ", "") == text.replace(" ", ""), (page, result.text)
    assert _overlaps(engine.spans) == (threads == 2)  # two at once only when asked


@pytest.mark.integration
def test_blank_pages_are_skipped_and_a_failed_page_is_named_not_raised(pages):
    blank = Image.new("L", (800, 600), 255)
    results = list(read_ahead(TesseractEngine(), iter([(1, blank), pages[0]]), threads=2))
    assert results[0] == (1, None) and "출장비" in results[1][1].text
    [(page, failed)] = list(read_ahead(TesseractEngine("kor+nosuchlanguage"), iter([pages[0]]), threads=2))
    assert page == 1 and isinstance(failed, OcrError) and "nosuchlanguage" in str(failed)
