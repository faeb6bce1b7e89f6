"""VARCO-VISION over vLLM's OpenAI-compatible API: OCR with boxes, questions about an image or a region.

What the model expects and says, from the model cards (looked up for issue #5):
- huggingface.co/NCSOFT/VARCO-VISION-2.0-1.7B-OCR: each recognised unit comes as
  `<char>{characters}</char><bbox>{x1}, {y1}, {x2}, {y2}</bbox>`, (x1, y1) top-left and (x2, y2)
  bottom-right. The OCR task is asked for with the prompt `<ocr>` next to the image, and referring
  questions put the region in the text as `<obj>…</obj><bbox>x1, y1, x2, y2</bbox>` (VARCO-VISION-14B-HF
  card, "Specialized Features", whose OCR example shows the same tags).
- Coordinates are fractions of the image width and height (0–1): the cards' examples are
  `<bbox>0.172, 0.266, 0.328, 0.341</bbox>`, and the published client code for the 2.0 OCR model
  multiplies them by the image size. The same code upscales images to a long side of 2,304 px first,
  and asks vLLM for `skip_special_tokens: false` — the tags are special tokens and vLLM would otherwise
  strip them from the text.
In practice a `<char>` may hold a whole eojeol rather than one character; grouping handles both.
"""
from __future__ import annotations

import base64
import io
import logging
import re
import statistics
from dataclasses import dataclass
from typing import TYPE_CHECKING

import openai
from PIL import Image

from ingest.ocr.types import BoundingBox, OcrError, OcrResult, OcrWord, VarcoOutputError, VlmUnavailable

if TYPE_CHECKING:
    from rag.settings import Settings

log = logging.getLogger(__name__)

OCR_PROMPT = "<ocr>"
MIN_LONG_SIDE = 2304  # model card usage: smaller images are upscaled to this long side before OCR
# a glyph may be "<" itself, but never another tag: an unclosed <char> must not swallow the next entry
_ENTRY = re.compile(r"<char>((?:(?!</?(?:char|bbox)>).)*?)</char>\s*<bbox>([^<]*)</bbox>", re.S)
_NUMBER = re.compile(r"^\s*-?\d+(?:\.\d+)?\s*$")
# the end-of-turn tokens vLLM may leave in the text when special tokens are not skipped
_TRAILERS = re.compile(r"(<\|im_end\|>|<\|endoftext\|>|</s>)+\s*$")
_SLACK = 0.01  # coordinates a rounding step outside 0–1 are clamped, further out is an error


@dataclass(frozen=True)
class Glyph:
    """One `<char>` unit of the model's output, box in pixels of the original image."""

    text: str
    box: BoundingBox


def parse_ocr(raw: str, width: int, height: int, finish_reason: str | None = None) -> list[Glyph]:
    """The model's `<char>…</char><bbox>…</bbox>` sequence as glyphs; anything else is a `VarcoOutputError`."""
    if finish_reason == "length":
        raise VarcoOutputError("VARCO-VISION output was cut off at the token limit (KORAG_VLM_MAX_TOKENS)", raw)
    text = _TRAILERS.sub("", raw)
    glyphs: list[Glyph] = []
    position = 0
    for match in _ENTRY.finditer(text):
        _expect_blank(text, position, match.start(), raw)
        position = match.end()
        glyph = match[1].strip()
        if glyph:
            glyphs.append(Glyph(glyph, _pixels(match[2], width, height, raw)))
    _expect_blank(text, position, len(text), raw)
    return glyphs


def _expect_blank(text: str, start: int, end: int, raw: str) -> None:
    stray = text[start:end].strip()
    if stray:
        what = "truncated" if end == len(text) and stray.startswith("<") else "malformed"
        raise VarcoOutputError(f"VARCO-VISION output is {what} at character {start}: {stray[:60]!r}", raw)


def _pixels(bbox: str, width: int, height: int, raw: str) -> BoundingBox:
    parts = bbox.split(",")
    if len(parts) != 4 or not all(_NUMBER.match(p) for p in parts):
        raise VarcoOutputError(f"VARCO-VISION bbox is not four numbers: {bbox[:60]!r}", raw)
    values = [float(p) for p in parts]
    if any(v < -_SLACK or v > 1 + _SLACK for v in values):
        raise VarcoOutputError(f"VARCO-VISION bbox outside 0–1 (expected fractions of the image): {bbox!r}", raw)
    x1, y1, x2, y2 = (min(1.0, max(0.0, v)) for v in values)
    x1, x2 = sorted((x1, x2))
    y1, y2 = sorted((y1, y2))
    return BoundingBox(round(x1 * width), round(y1 * height), max(round(x2 * width), round(x1 * width) + 1),
                       max(round(y2 * height), round(y1 * height) + 1))


def group_words(glyphs: list[Glyph]) -> tuple[OcrWord, ...]:
    """Characters → words (a gap wider than a quarter of the glyph height), lines, paragraphs.

    The model emits glyphs in reading order; a new line starts where the next glyph no longer
    overlaps the previous one vertically or jumps back left, a new paragraph after a line gap.
    """
    words: list[OcrWord] = []
    pieces: list[Glyph] = []
    line = block = 0
    previous: Glyph | None = None
    last_line_box: BoundingBox | None = None
    line_box: BoundingBox | None = None
    heights: list[int] = []

    def flush() -> None:
        if pieces:
            box = pieces[0].box
            for piece in pieces[1:]:
                box = box.union(piece.box)
            words.append(OcrWord("".join(p.text for p in pieces), box, None, block, line, len(words)))
            pieces.clear()

    units = [g for unit in glyphs for g in _split_spaces(unit)]
    # units of several characters mean the model wrote one eojeol per <char>: each is a word
    by_word = bool(units) and statistics.median(len(u.text) for u in units) > 1
    for glyph in units:
        box = glyph.box
        if previous is not None:
            prev = previous.box
            overlap = min(prev.bottom, box.bottom) - max(prev.top, box.top)
            new_line = overlap < 0.5 * min(prev.height, box.height) or box.left < prev.left - prev.height
            if new_line:
                flush()
                last_line_box, line_box = line_box, None
                line += 1
                usual = statistics.median(heights) if heights else prev.height
                # 1.2 line heights: double-spaced text (HWP 200 %) stays one paragraph, a blank line splits
                if last_line_box is not None and box.top - last_line_box.bottom > 1.2 * usual:
                    block += 1
            elif by_word or box.left - prev.right > 0.25 * max(prev.height, box.height):
                flush()
        pieces.append(glyph)
        heights.append(box.height)
        line_box = box if line_box is None else line_box.union(box)
        previous = glyph
    flush()
    return tuple(words)


def _split_spaces(glyph: Glyph) -> list[Glyph]:
    """A unit holding several words ("Baekbeom ro") is split, its box shared out by character count."""
    parts = glyph.text.split()
    if len(parts) <= 1:
        return [glyph]
    total = sum(len(p) for p in parts) + len(parts) - 1
    box, out, offset = glyph.box, [], 0
    for part in parts:
        left = box.left + round(box.width * offset / total)
        right = box.left + round(box.width * (offset + len(part)) / total)
        out.append(Glyph(part, BoundingBox(left, box.top, max(right, left + 1), box.bottom)))
        offset += len(part) + 1
    return out


def data_url(image: Image.Image, min_long_side: int = 0) -> str:
    """PNG data URL, upscaled to `min_long_side` when smaller (coordinates come back as fractions)."""
    if image.mode not in ("RGB", "L"):
        image = image.convert("RGB")
    if min_long_side and max(image.size) < min_long_side:
        scale = min_long_side / max(image.size)
        image = image.resize((round(image.width * scale), round(image.height * scale)), Image.Resampling.LANCZOS)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


class VarcoClient:
    """VARCO-VISION served by vLLM. `read` makes it an OCR engine (`ingest.ocr.types.OcrEngine`)."""

    name = "varco"

    def __init__(self, base_url: str, model: str, api_key: str = "EMPTY", timeout_s: float = 120.0,
                 max_tokens: int = 8192, qa_model: str | None = None, max_retries: int = 2) -> None:
        self.model, self.qa_model, self.max_tokens = model, qa_model or model, max_tokens
        self.base_url = base_url
        self._client = openai.OpenAI(base_url=base_url, api_key=api_key or "EMPTY", timeout=timeout_s,
                                     max_retries=max_retries)

    @classmethod
    def from_settings(cls, settings: Settings) -> VarcoClient:
        if not settings.vlm_base_url:
            raise OcrError("KORAG_VLM_BASE_URL is not set (the VARCO-VISION vLLM server, e.g. http://vision:8000/v1)")
        return cls(settings.vlm_base_url, settings.vlm_model, settings.vlm_api_key, settings.vlm_timeout_s,
                   settings.vlm_max_tokens, settings.vlm_qa_model)

    def _chat(self, model: str, image_url: str, text: str, max_tokens: int) -> tuple[str, str | None]:
        content = [{"type": "image_url", "image_url": {"url": image_url}}, {"type": "text", "text": text}]
        try:
            response = self._client.chat.completions.create(
                model=model, messages=[{"role": "user", "content": content}], max_tokens=max_tokens,
                temperature=0.0, extra_body={"skip_special_tokens": False})
        except (openai.APIConnectionError, openai.RateLimitError, openai.InternalServerError,
                openai.AuthenticationError, openai.PermissionDeniedError, openai.NotFoundError) as err:
            raise VlmUnavailable(f"VARCO-VISION server {self.base_url} unavailable: {_reason(err)}") from err
        except openai.APIStatusError as err:
            raise OcrError(f"VARCO-VISION server refused the request: {_reason(err)}") from err
        except (openai.APIError, ValueError) as err:  # a reply that is not the API's JSON
            raise VarcoOutputError(f"VARCO-VISION server sent an unreadable reply ({err})", str(err)) from err
        if not response.choices:
            raise VarcoOutputError("VARCO-VISION server sent no choices", response.model_dump_json()[:2000])
        choice = response.choices[0]
        return choice.message.content or "", choice.finish_reason

    def read(self, image: Image.Image, page: int | None = None) -> OcrResult:
        """OCR: text with a pixel box per word, in reading order."""
        raw, finish = self._chat(self.model, data_url(image, MIN_LONG_SIDE), OCR_PROMPT, self.max_tokens)
        words = group_words(parse_ocr(raw, image.width, image.height, finish))
        return OcrResult(image.width, image.height, words, self.name, page, raw=raw)

    def ask(self, image: Image.Image, question: str, max_tokens: int = 1024) -> str:
        """Answer a question about the image (image question answering)."""
        answer, _ = self._chat(self.qa_model, data_url(image), question, max_tokens)
        return _TRAILERS.sub("", answer).strip()

    def ask_region(self, image: Image.Image, box: BoundingBox, question: str, label: str = "이 영역",
                   max_tokens: int = 1024) -> str:
        """Answer a question about one region of the image (the card's "referring" task); `box` in pixels."""
        w, h = image.size
        region = f"{box.left / w:.3f}, {box.top / h:.3f}, {box.right / w:.3f}, {box.bottom / h:.3f}"
        answer, _ = self._chat(self.qa_model, data_url(image), f"<obj>{label}</obj><bbox>{region}</bbox> {question}",
                               max_tokens)
        return _TRAILERS.sub("", answer).strip()


def _reason(err: openai.APIError) -> str:
    status = getattr(err, "status_code", None)
    return f"HTTP {status}: {err.message}" if status else (err.message or type(err).__name__)
