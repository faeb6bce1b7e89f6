"""OCR: one result type (`OcrResult`: words with pixel boxes in reading order) and the engines behind it.

Tesseract with Korean data is the embedded default; VARCO-VISION served by vLLM (`ingest.ocr.varco`) is the
production engine, with a fall back to Tesseract when its server can't be reached.
"""
from __future__ import annotations

import html
import logging
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from PIL import Image

from agents.errors import AgentError
from ingest.ocr.preprocess import Transform, prepare

if TYPE_CHECKING:
    from rag.settings import Settings

log = logging.getLogger(__name__)


class OcrError(AgentError):
    """An OCR engine could not read an image (not installed, no language data, timed out, bad output)."""


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


def to_hocr(results: list[OcrResult]) -> str:
    """hOCR 1.2 (https://kba.github.io/hocr-spec/1.2/): one `ocr_page` per result, boxes in pixels."""
    def bbox(box: BoundingBox) -> str:
        return f"bbox {box.left} {box.top} {box.right} {box.bottom}"

    out = ['<?xml version="1.0" encoding="UTF-8"?>', '<!DOCTYPE html>',
           '<html xmlns="http://www.w3.org/1999/xhtml" xml:lang="ko" lang="ko">',
           '<head><meta charset="utf-8"/><title></title>',
           f'<meta name="ocr-system" content="korag {html.escape(results[0].engine if results else "")}"/>',
           '<meta name="ocr-capabilities" content="ocr_page ocr_par ocr_line ocrx_word"/></head>', "<body>"]
    for n, result in enumerate(results, 1):
        page = result.page or n
        out.append(f'<div class="ocr_page" id="page_{page}" '
                   f'title="{bbox(BoundingBox(0, 0, result.width, result.height))}; ppageno {page - 1}">')
        for p, paragraph in enumerate(result.paragraphs(), 1):
            box = enclosing([line.box for line in paragraph])
            out.append(f'<p class="ocr_par" id="par_{page}_{p}" title="{bbox(box)}">')
            for line in paragraph:
                out.append(f'<span class="ocr_line" id="line_{page}_{line.words[0].line}" title="{bbox(line.box)}">')
                for w in line.words:
                    conf = f"; x_wconf {round(w.confidence * 100)}" if w.confidence is not None else ""
                    out.append(f'<span class="ocrx_word" id="word_{page}_{w.order}" title="{bbox(w.box)}{conf}">'
                               f"{html.escape(w.text)}</span>")
                out.append("</span>")
            out.append("</p>")
        out.append("</div>")
    out += ["</body>", "</html>"]
    return "\n".join(out)


class OcrEngine(Protocol):
    """Anything that reads an image into an `OcrResult`."""

    name: str

    def read(self, image: Image.Image, page: int | None = None) -> OcrResult: ...


# --- Tesseract -----------------------------------------------------------------------------------

class TesseractEngine:
    """Tesseract 5 through pytesseract. Measured defaults: see README "OCR" (bench/ocr.py)."""

    name = "tesseract"

    def __init__(self, languages: str = "kor+eng", psm: int = 6, min_long_side: int = 0, deskew: bool = True,
                 dpi: int = 300, min_confidence: float = 0.0, timeout_s: float = 300.0, kiwi: Any = None) -> None:
        self.languages, self.psm, self.min_long_side = languages, psm, min_long_side
        self.deskew, self.dpi, self.min_confidence, self.timeout_s = deskew, dpi, min_confidence, timeout_s
        self._checked = False
        self._kiwi = kiwi

    @property
    def kiwi(self) -> Any:
        """Kiwi, for re-spacing Korean lines (the process-wide instance unless one was given)."""
        if self._kiwi is None:
            from rag.morphemes import shared_kiwi

            self._kiwi = shared_kiwi()
        return self._kiwi

    def warm_up(self) -> None:
        """Check once that the tesseract binary and the language data are there."""
        import pytesseract

        try:
            available = set(pytesseract.get_languages(config=""))
        except pytesseract.TesseractNotFoundError as err:
            raise OcrError("Tesseract가 설치되어 있지 않습니다 (tesseract not installed): "
                           "apt-get install tesseract-ocr tesseract-ocr-kor") from err
        missing = [lang for lang in self.languages.split("+") if lang not in available]
        if missing:
            raise OcrError(f"Tesseract language data missing: {', '.join(missing)} "
                           f"(apt-get install {' '.join('tesseract-ocr-' + m for m in missing)}; "
                           "or set KORAG_OCR_LANGUAGES)")
        self.kiwi.space("")  # build Kiwi now, not on the first page
        self._checked = True

    def read(self, image: Image.Image, page: int | None = None) -> OcrResult:
        import pytesseract

        if not self._checked:
            self.warm_up()
        prepared, transform = prepare(image, self.min_long_side, self.deskew)
        # --dpi: PNGs rarely carry a resolution and Tesseract otherwise guesses (and warns)
        config = f"--psm {self.psm} --dpi {round(self.dpi * transform.scale)}"
        try:
            data = pytesseract.image_to_data(prepared, lang=self.languages, config=config,
                                             output_type=pytesseract.Output.DICT, timeout=self.timeout_s)
        except RuntimeError as err:  # pytesseract signals its timeout with a bare RuntimeError
            raise OcrError(f"Tesseract did not finish within {self.timeout_s:.0f}s ({err})") from err
        except pytesseract.TesseractError as err:
            raise OcrError(f"Tesseract failed: {err.message.strip()[:300]}") from err
        # words below the confidence floor are mostly ruling lines, stamps and photo texture read as text
        words = _join_split_eojeol(_clip_to_lines([w for w in _tesseract_words(data, transform)
                                                   if not _junk(w, self.min_confidence)]), self.kiwi)
        return OcrResult(image.width, image.height, tuple(words), self.name, page)


_RULES = frozenset("|‖¦")  # a vertical ruling line, a table border, a sign's divider
_STROKES = frozenset("=_-—–~")  # arrows, underlines, dashes read from graphics


def _junk(word: OcrWord, floor: float) -> bool:
    """Words that are not text: below the confidence floor, a lone ruling line, or a stroke of a
    graphic read with little confidence. (Dropping Tesseract's confidence-0 words too was measured:
    it costs the screenshot 0.7 points of CER and gains the road sign nothing.)"""
    if word.confidence is not None and word.confidence < floor:
        return True
    chars = set(word.text)
    return chars <= _RULES or (chars <= _STROKES and (word.confidence or 0.0) < 0.8)


def _tesseract_words(data: dict[str, list], transform: Transform) -> Iterator[OcrWord]:
    blocks: dict[tuple[int, int], int] = {}
    lines: dict[tuple[int, int, int], int] = {}
    order = 0
    for i, text in enumerate(data["text"]):
        text = text.strip()
        if data["level"][i] != 5 or not text:  # level 5 = word; the others are page/block/par/line rows
            continue
        par = (data["block_num"][i], data["par_num"][i])
        line = (*par, data["line_num"][i])
        blocks.setdefault(par, len(blocks))
        lines.setdefault(line, len(lines))
        left, top = data["left"][i], data["top"][i]
        box = BoundingBox(*transform.to_original(left, top, left + data["width"][i], top + data["height"][i]))
        conf = float(data["conf"][i])
        yield OcrWord(text, box, round(conf / 100, 3) if conf >= 0 else None, blocks[par], lines[line], order)
        order += 1


def _clip_to_lines(words: list[OcrWord]) -> list[OcrWord]:
    """Clip word boxes to their line's band (median top and bottom, plus a sixth of the line height).

    Tesseract's Korean model gives some one-syllable words boxes up to twice the line height, which
    would make a highlighted line cover its neighbours.
    """
    lines: dict[int, list[OcrWord]] = {}
    for word in words:
        lines.setdefault(word.line, []).append(word)
    clipped = []
    for line_words in lines.values():
        tops = sorted(w.box.top for w in line_words)
        bottoms = sorted(w.box.bottom for w in line_words)
        top, bottom = tops[len(tops) // 2], bottoms[len(bottoms) // 2]
        slack = (bottom - top) // 6  # room for Latin descenders, not for a neighbouring line
        for w in line_words:
            box = BoundingBox(w.box.left, max(w.box.top, top - slack), w.box.right, min(w.box.bottom, bottom + slack))
            if box.bottom <= box.top:  # a word entirely outside the band keeps its own box
                box = w.box
            clipped.append(OcrWord(w.text, box, w.confidence, w.block, w.line, w.order))
    return clipped


def _hangul(ch: str) -> bool:
    return "\uac00" <= ch <= "\ud7a3"


def _joinable(left: str, right: str) -> bool:
    """Pairs whose space Tesseract may have invented: Hangul–Hangul, Hangul–punctuation, number–Hangul."""
    return (_hangul(left[-1]) and (_hangul(right[0]) or right[0] in ",.)!?:;")
            or left[-1].isdigit() and _hangul(right[0]))


def _join_split_eojeol(words: list[OcrWord], kiwi: Any, max_gap: float = 0.6) -> list[OcrWord]:
    """Rejoin Hangul words Tesseract split inside an eojeol ("기 술 로" → "기술로", "교 통비는" → "교통비는").

    Tesseract's Korean model puts a space wherever syllables stand a little apart, and box gaps can't
    tell those from real spaces (with NanumGothic a word space is 0.3 of the line height, a false one
    up to 0.47). Kiwi's spacing model can: each line is re-spaced with `Kiwi.space`, and two words are
    joined where Kiwi puts no space between them and the gap is under `max_gap` line heights (space-aware
    CER on shared/data/ocr: 16.7 → 0 % and 6.8 → 3.0 %). Words are never split, so every word keeps
    its own box; Latin spacing is left alone.
    """
    lines: dict[int, list[OcrWord]] = {}
    for word in words:
        lines.setdefault(word.line, []).append(word)
    joined: list[OcrWord] = []
    for line_words in lines.values():
        spaced = _kiwi_spaces(kiwi, [w.text for w in line_words])
        height = sorted(w.box.height for w in line_words)[len(line_words) // 2]
        position = 0
        for word in line_words:
            last = joined[-1] if joined else None
            if (last is not None and last.line == word.line and spaced is not None and position not in spaced
                    and _joinable(last.text, word.text) and word.box.left - last.box.right < max_gap * height):
                confidences = [c for c in (last.confidence, word.confidence) if c is not None]
                joined[-1] = OcrWord(last.text + word.text, last.box.union(word.box),
                                     min(confidences) if confidences else None, last.block, last.line, last.order)
            else:
                joined.append(OcrWord(word.text, word.box, word.confidence, word.block, word.line, len(joined)))
            position += len(word.text)
    return joined


def _kiwi_spaces(kiwi: Any, texts: list[str]) -> set[int] | None:
    """Where Kiwi puts spaces in the joined line, as counts of the non-space characters before each."""
    respaced = kiwi.space(" ".join(texts), reset_whitespace=True)
    if respaced.replace(" ", "") != "".join(texts).replace(" ", ""):
        return None  # Kiwi changed characters (it shouldn't): trust Tesseract's spacing for this line
    spaces, count = set(), 0
    for ch in respaced:
        if ch == " ":
            spaces.add(count)
        else:
            count += 1
    return spaces


# --- choosing an engine --------------------------------------------------------------------------

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


def engine_for(settings: Settings, name: str | None = None) -> OcrEngine | None:
    """The OCR engine the settings (or `name`) ask for; None when OCR is off (`KORAG_OCR_ENGINE=none`)."""
    name = name or settings.ocr_engine
    if name == "none":
        return None
    if name == "tesseract":
        return tesseract_for(settings)
    if name == "varco":
        from ingest.ocr.varco import VarcoClient

        if not settings.vlm_base_url:
            raise OcrError("KORAG_OCR_ENGINE=varco needs KORAG_VLM_BASE_URL (the vLLM server, e.g. http://vision:8000/v1)")
        return FallbackEngine(VarcoClient.from_settings(settings), tesseract_for(settings))
    raise OcrError(f"unknown OCR engine {name!r}: tesseract, varco or none")


def ocr_file(source: str | Path | bytes, settings: Settings, engine: OcrEngine | None = None, name: str | None = None,
             pages: list[int] | None = None, on_page: Callable[[int, int], None] | None = None) -> Iterator[OcrResult]:
    """OCR an image (every frame of a TIFF) or a PDF (every page, or `pages`), one page at a time.

    `on_page(done, total)` is called as each page is read. Unreadable files raise `OcrError`.
    """
    from ingest.errors import IngestError
    from ingest.ocr.pages import page_count, page_images

    if isinstance(source, bytes):
        data, name = source, name or "upload"
    else:
        data, name = Path(source).read_bytes(), name or Path(source).name
    if len(data) > settings.max_file_mb * 2**20:
        raise OcrError(f"{name}: {len(data) // 2**20} MiB is over the {settings.max_file_mb} MiB limit (KORAG_MAX_FILE_MB)")
    engine = engine or engine_for(settings) or tesseract_for(settings)
    try:
        count = page_count(data, name)
        wanted = pages or list(range(1, count + 1))
        if missing := [p for p in wanted if not 1 <= p <= count]:
            raise OcrError(f"{name}: no page {', '.join(map(str, missing))} (it has {count})")
        for done, (page, image) in enumerate(page_images(data, name, wanted, settings.ocr_dpi), 1):
            result = engine.read(image, page)
            if on_page is not None:
                on_page(done, len(wanted))
            yield result
    except IngestError as err:  # unreadable, unsupported or oversized input: one error type for callers
        raise OcrError(str(err)) from err
