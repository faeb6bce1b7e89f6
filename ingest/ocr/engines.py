"""Choosing an OCR engine from the settings: `engine_for(settings)`; VARCO-VISION falls back to Tesseract.

A new engine (e.g. scene text) is a module under ingest/ocr/ with a class implementing `OcrEngine`
and one line in `ENGINES`.
"""
from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from PIL import Image

from ingest.ocr.tesseract import TesseractEngine
from ingest.ocr.types import OcrEngine, OcrError, OcrResult, VlmUnavailable

if TYPE_CHECKING:
    from rag.settings import Settings

log = logging.getLogger(__name__)


@dataclass
class FallbackEngine:
    """The configured VLM engine, with Tesseract taking over when it is unreachable (and saying so).

    After a connection failure the following pages go straight to Tesseract for `retry_after_s` (a dead
    server would otherwise cost a timeout per page); then the server is tried again, so a long-running
    worker returns to VARCO-VISION once its server is back.
    """

    primary: OcrEngine
    fallback: OcrEngine
    name: str = "varco"
    retry_after_s: float = 300.0
    down: str | None = None  # why the primary was given up on
    down_since: float = 0.0

    def read(self, image: Image.Image, page: int | None = None) -> OcrResult:
        if self.down is not None and time.monotonic() - self.down_since > self.retry_after_s:
            self.down = None
        if self.down is None:
            try:
                return self.primary.read(image, page)
            except VlmUnavailable as err:
                self.down, self.down_since = str(err), time.monotonic()
                log.warning("OCR: %s; falling back to Tesseract", err)
            except OcrError as err:  # this page only: output cut off or malformed, request refused
                log.warning("OCR of page %s by VARCO-VISION failed (%s); Tesseract reads it", page, err)
                log.debug("raw VARCO-VISION output: %s", getattr(err, "raw", ""))
                return self._fallback(image, page, f"VARCO-VISION이 읽지 못해 Tesseract로 읽었습니다 ({err})")
        return self._fallback(image, page, f"VARCO-VISION 서버에 연결할 수 없어 Tesseract로 읽었습니다 ({self.down})")

    def _fallback(self, image: Image.Image, page: int | None, note: str) -> OcrResult:
        result = self.fallback.read(image, page)
        return OcrResult(result.width, result.height, result.words, result.engine, page, result.warnings + (note,))


def tesseract_for(settings: Settings) -> TesseractEngine:
    return TesseractEngine(settings.ocr_languages, settings.ocr_psm, settings.ocr_min_long_side,
                           settings.ocr_deskew, settings.ocr_dpi, settings.ocr_min_confidence)


def _varco(settings: Settings) -> OcrEngine:
    from ingest.ocr.varco import VarcoClient  # openai loads only where VARCO-VISION is configured

    if not settings.vlm_base_url:
        raise OcrError("KORAG_OCR_ENGINE=varco needs KORAG_VLM_BASE_URL (the vLLM server, e.g. http://vision:8000/v1)")
    return FallbackEngine(VarcoClient.from_settings(settings), tesseract_for(settings))


# KORAG_OCR_ENGINE → what builds that engine from the settings ("none" turns OCR off)
ENGINES: dict[str, Callable[[Settings], OcrEngine]] = {"tesseract": tesseract_for, "varco": _varco}


def engine_for(settings: Settings, name: str | None = None) -> OcrEngine | None:
    """The OCR engine the settings (or `name`) ask for; None when OCR is off (`KORAG_OCR_ENGINE=none`)."""
    name = name or settings.ocr_engine
    if name == "none":
        return None
    build = ENGINES.get(name)
    if build is None:
        raise OcrError(f"unknown OCR engine {name!r}: {', '.join(ENGINES)} or none")
    return build(settings)
