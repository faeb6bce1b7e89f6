"""Tesseract 5 with Korean data (`tesseract-ocr-kor`): the embedded default OCR engine.

Words below a confidence floor and ruling lines are dropped, boxes clipped to their line, and Hangul
words Tesseract split inside an eojeol rejoined where Kiwi's spacing model says so.

Tesseract runs with one OpenMP thread (`OMP_THREAD_LIMIT=1` unless the environment sets it): its LSTM
spreads a page over OpenMP threads that spin while they wait, and on 2 shared cores a 300-dpi page took
12 s of CPU that way against 2 s with one thread, for the same text (docs/benchmarks.md "OCR speed").
"""
from __future__ import annotations

import os
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from PIL import Image

from ingest.ocr.preprocess import Transform, prepare
from ingest.ocr.types import BoundingBox, OcrError, OcrResult, OcrWord


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
        if not self._checked:
            self.warm_up()
        prepared, transform = prepare(image, self.min_long_side, self.deskew)
        # --dpi: PNGs rarely carry a resolution and Tesseract otherwise guesses (and warns)
        options = ["--psm", str(self.psm), "--dpi", str(round(self.dpi * transform.scale))]
        data = run_tsv(prepared, self.languages, options, self.timeout_s)
        # words below the confidence floor are mostly ruling lines, stamps and photo texture read as text
        words = _join_split_eojeol(_clip_to_lines([w for w in _tesseract_words(data, transform)
                                                   if not _junk(w, self.min_confidence)]), self.kiwi)
        return OcrResult(image.width, image.height, tuple(words), self.name, page)


def tesseract_env() -> dict[str, str]:
    """The environment Tesseract runs in: this process's, with one OpenMP thread unless it says otherwise."""
    env = dict(os.environ)
    env.setdefault("OMP_THREAD_LIMIT", "1")
    return env


def run_tesseract(command: list[str], timeout_s: float) -> None:
    """Run the tesseract binary (`command` without the program name); failures are `OcrError`s."""
    try:
        subprocess.run(["tesseract", *command], check=True, capture_output=True, timeout=timeout_s,
                       env=tesseract_env())
    except FileNotFoundError as err:
        raise OcrError("Tesseract가 설치되어 있지 않습니다 (tesseract not installed): "
                       "apt-get install tesseract-ocr tesseract-ocr-kor") from err
    except subprocess.TimeoutExpired as err:
        raise OcrError(f"Tesseract did not finish within {timeout_s:.0f}s") from err
    except subprocess.CalledProcessError as err:
        raise OcrError(f"Tesseract failed: {err.stderr.decode(errors='replace').strip()[:300]}") from err


_INT_COLUMNS = ("level", "page_num", "block_num", "par_num", "line_num", "word_num", "left", "top", "width", "height")


def run_tsv(image: Image.Image, languages: str, options: list[str], timeout_s: float) -> dict[str, list]:
    """Tesseract's TSV output for one image, as columns (`level`, `left`, …, `conf`, `text`)."""
    with tempfile.TemporaryDirectory(prefix="korag-ocr-") as tmp:
        folder = Path(tmp)
        image.save(folder / "page.png", compress_level=1)  # a temporary file: fast beats small
        run_tesseract([str(folder / "page.png"), str(folder / "out"), "-l", languages, *options, "tsv"], timeout_s)
        rows = (folder / "out.tsv").read_text(encoding="utf-8").split("\n")
    header = rows[0].split("\t")
    data: dict[str, list] = {name: [] for name in header}
    for row in rows[1:]:
        if not row:
            continue
        cells = row.split("\t")
        cells += [""] * (len(header) - len(cells))
        for name, cell in zip(header, cells):
            data[name].append(int(cell) if name in _INT_COLUMNS else float(cell) if name == "conf" else cell)
    return data


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
