"""`auto`, the default OCR engine: Tesseract for document pages and screenshots, the scene-text engine
(`ingest.ocr.scene`) for photos, signs and labels — decided per image or page.

The signal is the text detector's own view of the image at a small size (640 px long side, ~0.2 s
on 2 cores): a page of text has many lines, each small against the page; a photo has a few lines,
large against the picture. Tesseract reads document pages as well as the line engine at a fraction
of the cost, and the line engine reads photos Tesseract cannot (bench/ocr.py; docs: "OCR").

Measured (bench/ocr.py --signal): rasterised document pages 25–88 lines with a median line height of
2.0–2.7 % of the page, the phone screenshot 20 lines at 4.8 %; synthetic scene photos 1–3 lines at
7.5–17 %, the road sign 6 lines at 18 %. The thresholds sit between; they were set on the synthetic
set (seed 0) and the rasterised pages, and are reported on the shared OCR set and synthetic seed 2
(docs/benchmarks.md).
"""
from __future__ import annotations

import dataclasses
import statistics
from dataclasses import dataclass

from PIL import Image

from ingest.ocr.types import OcrEngine, OcrResult
from ingest.ocr.scene_lines import Line
from ingest.ocr.scene import SceneTextEngine

PROBE_SIDE = 640


@dataclass(frozen=True)
class Route:
    engine: str  # "tesseract" or "scene"
    reason: str


def route(lines: list[Line], size: tuple[int, int], min_lines: int = 8, max_line_height: float = 0.06) -> Route:
    """Document (Tesseract) when the detector sees at least `min_lines` lines whose median height is at
    most `max_line_height` of the image's height; otherwise a photo (scene text)."""
    if not lines:
        return Route("scene", "auto: no text lines detected")
    height = statistics.median(min(line.box.width, line.box.height) for line in lines) / size[1]
    stats = f"{len(lines)} lines, median height {height:.1%} of the image"
    if len(lines) >= min_lines and height <= max_line_height:
        return Route("tesseract", f"auto: document ({stats})")
    return Route("scene", f"auto: photo or scene text ({stats})")


class AutoEngine:
    """Probe with the detector, then read with Tesseract or the scene-text engine; the result's
    `engine` names the one that read it and `chosen` says why."""

    name = "auto"

    def __init__(self, tesseract: OcrEngine, scene: SceneTextEngine, min_lines: int = 8,
                 max_line_height: float = 0.06) -> None:
        self.tesseract, self.scene = tesseract, scene
        self.min_lines, self.max_line_height = min_lines, max_line_height

    def warm_up(self) -> None:
        for engine in (self.tesseract, self.scene):
            if hasattr(engine, "warm_up"):
                engine.warm_up()

    def choose(self, image: Image.Image) -> tuple[Route, list[Line]]:
        lines = self.scene.detect(image, max_side=PROBE_SIDE)
        return route(lines, image.size, self.min_lines, self.max_line_height), lines

    def read(self, image: Image.Image, page: int | None = None) -> OcrResult:
        chosen, lines = self.choose(image)
        if chosen.engine == "tesseract":
            result = self.tesseract.read(image, page)
        else:  # the probe's lines are the real ones when the image is no larger than the probe
            result = self.scene.read(image, page, lines if max(image.size) <= PROBE_SIDE else None)
        return dataclasses.replace(result, chosen=chosen.reason)
