"""OCR's value types: what every engine returns (`OcrResult`: words with pixel boxes in reading order),
the `OcrEngine` seam a new engine implements, and the errors engines raise.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from PIL import Image


class OcrError(Exception):
    """An OCR engine could not read an image (not installed, no language data, timed out, bad output).

    Not an `IngestError`: it says an engine failed, not that a file is bad. The pipeline turns it into a
    page warning (or an `IngestError` naming the file); `agents` turns it into an `AgentError` for the edges.
    """


class VlmUnavailable(OcrError):
    """The vision-language model server can't be reached or refused the request."""


class VarcoOutputError(OcrError):
    """VARCO-VISION answered, but its output is truncated or malformed. `raw` keeps what it said."""

    def __init__(self, message: str, raw: str = "") -> None:
        super().__init__(message)
        self.raw = raw


@dataclass(frozen=True)
class BoundingBox:
    """A rectangle in image pixels, origin top-left; `right` and `bottom` are exclusive."""

    left: int
    top: int
    right: int
    bottom: int

    @property
    def width(self) -> int:
        return self.right - self.left

    @property
    def height(self) -> int:
        return self.bottom - self.top

    def union(self, other: BoundingBox) -> BoundingBox:
        return BoundingBox(min(self.left, other.left), min(self.top, other.top),
                           max(self.right, other.right), max(self.bottom, other.bottom))

    def as_list(self) -> list[int]:
        return [self.left, self.top, self.right, self.bottom]


def enclosing(boxes: list[BoundingBox]) -> BoundingBox:
    box = boxes[0]
    for other in boxes[1:]:
        box = box.union(other)
    return box


@dataclass(frozen=True)
class OcrWord:
    """One word (eojeol) as read, where it is, and how sure the engine was (0–1; None if it doesn't say)."""

    text: str
    box: BoundingBox
    confidence: float | None
    block: int  # paragraph number on the page, in reading order
    line: int  # line number on the page, in reading order
    order: int  # position of the word on the page, in reading order


@dataclass(frozen=True)
class OcrLine:
    text: str
    box: BoundingBox
    block: int
    words: tuple[OcrWord, ...]


@dataclass(frozen=True)
class OcrResult:
    """What an engine read on one image or page. Boxes are in pixels of the image as given."""

    width: int
    height: int
    words: tuple[OcrWord, ...]
    engine: str
    page: int | None = None
    warnings: tuple[str, ...] = ()
    raw: str | None = None  # the model's own output (VARCO), kept for debugging

    def lines(self) -> list[OcrLine]:
        grouped: dict[int, list[OcrWord]] = {}
        for word in sorted(self.words, key=lambda w: w.order):
            grouped.setdefault(word.line, []).append(word)
        return [OcrLine(" ".join(w.text for w in words), enclosing([w.box for w in words]), words[0].block,
                        tuple(words)) for words in grouped.values()]

    def paragraphs(self) -> list[list[OcrLine]]:
        paragraphs: list[list[OcrLine]] = []
        for line in self.lines():
            if not paragraphs or paragraphs[-1][0].block != line.block:
                paragraphs.append([])
            paragraphs[-1].append(line)
        return paragraphs

    @property
    def text(self) -> str:
        """Lines joined with line breaks, paragraphs separated by an empty line."""
        return "\n\n".join("\n".join(line.text for line in par) for par in self.paragraphs())

    def to_dict(self) -> dict[str, Any]:
        return {"page": self.page, "width": self.width, "height": self.height, "engine": self.engine,
                "text": self.text, "warnings": list(self.warnings),
                "words": [{"text": w.text, "box": w.box.as_list(), "confidence": w.confidence, "block": w.block,
                           "line": w.line, "order": w.order} for w in self.words]}



class OcrEngine(Protocol):
    """Anything that reads an image into an `OcrResult`."""

    name: str

    def read(self, image: Image.Image, page: int | None = None) -> OcrResult: ...
