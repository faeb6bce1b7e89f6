"""OCR engines with real Tesseract (kor + eng data) on Korean text drawn at test time and the shared OCR set."""
from __future__ import annotations

import json
import unicodedata

import pytest
from PIL import Image

from ingest.ocr import BoundingBox, FallbackEngine, OcrError, OcrResult, OcrWord, TesseractEngine, engine_for, to_hocr
from ingest.ocr.tesseract import _join_split_eojeol
from ingest.ocr.varco import VarcoClient
from rag.settings import Settings
from tests.ocr_images import render, varco_reply
from tests.scripted_openai import Reply

LINES = ["출장비 지급 규정", "숙박비는 1박에 10만원을 넘지 않는다.", "교통비는 실비로 정산한다."]


def squeeze(text: str) -> str:
    return "".join(unicodedata.normalize("NFC", text).split())


@pytest.fixture(scope="module")
def tesseract() -> TesseractEngine:
    engine = TesseractEngine()
    try:
        engine.warm_up()
    except OcrError as err:
        pytest.skip(str(err))
    return engine


@pytest.fixture(scope="module")
def page():
    return render(LINES)


@pytest.mark.integration
def test_tesseract_reads_korean_with_word_boxes_on_the_glyphs(tesseract, page):
    image, glyphs = page
    result = tesseract.read(image, page=2)
    assert squeeze(result.text) == squeeze("\n".join(LINES))
    assert result.text.splitlines()[0] == "출장비 지급 규정"  # eojeol kept whole, spaces where they were
    assert result.page == 2 and (result.width, result.height) == image.size
    word = next(w for w in result.words if w.text.startswith("숙박비"))
    (_, (left, top, _, _)), (_, (_, _, right, bottom)) = glyphs[1][0], glyphs[1][3]  # 숙박비는
    assert abs(word.box.left - left) <= 4 and abs(word.box.right - right) <= 4
    assert abs(word.box.top - top) <= 6 and abs(word.box.bottom - bottom) <= 6
    assert [w.order for w in result.words] == list(range(len(result.words)))
    assert [w.line for w in result.words] == sorted(w.line for w in result.words)
    assert all(0.5 < (w.confidence or 0) <= 1 for w in result.words)


@pytest.mark.integration
def test_tilted_scan_is_straightened_and_boxes_map_back(tesseract, page):
    image, _ = page
    tilted = image.rotate(3, resample=Image.Resampling.BICUBIC, expand=True, fillcolor=255)
    result = tesseract.read(tilted)
    assert "숙박비는" in result.text and "정산한다." in result.text
    first = result.words[0]
    assert first.text == "출장비"
    # on the tilted image the first word sits near the top-left of the text, inside the image
    assert 0 <= first.box.left < first.box.right <= tilted.width and first.box.top < tilted.height / 3


@pytest.mark.integration
def test_small_image_is_upscaled_and_transparent_background_is_white(tesseract):
    image, _ = render(["교통비는 실비로 정산한다."], size=14, margin=10)
    rgba = Image.new("RGBA", image.size, (0, 0, 0, 0))  # transparent PNG: black text, no background
    rgba.putalpha(image.point(lambda v: 255 - v))
    result = TesseractEngine(min_long_side=2000, kiwi=tesseract.kiwi).read(rgba)
    assert squeeze(result.text) == "교통비는실비로정산한다."
    assert all(w.box.right <= image.width and w.box.bottom <= image.height for w in result.words)


@pytest.mark.integration
def test_light_text_on_a_dark_background_is_inverted_and_read(tesseract, page):
    from PIL import ImageOps

    from ingest.ocr.preprocess import light_on_dark

    image, _ = page
    sign = ImageOps.colorize(ImageOps.invert(image), black=(20, 90, 50), white=(250, 250, 250))  # a road sign
    assert light_on_dark(sign.convert("L")) and not light_on_dark(image)
    assert squeeze(tesseract.read(sign).text) == squeeze("\n".join(LINES))


def test_ruling_lines_and_faint_strokes_are_not_words():
    from ingest.ocr.tesseract import _junk

    box = BoundingBox(0, 0, 10, 10)
    word = lambda text, conf: OcrWord(text, box, conf, 0, 0, 0)  # noqa: E731
    assert _junk(word("|", 0.95), 0.0) and _junk(word("||", 0.5), 0.0)
    assert _junk(word("==", 0.7), 0.0) and not _junk(word("=", 0.93), 0.0)  # a real "=" in code is kept
    assert not _junk(word("56Km", 0.5), 0.0) and not _junk(word("평양", 0.21), 0.0)
    assert _junk(word("평양", 0.21), 0.3)  # the configured floor still applies


@pytest.mark.integration
@pytest.mark.shared_data
def test_shared_ocr_set_text_line(tesseract, shared_data):
    image = Image.open(shared_data / "ocr" / "ocr_rapidocr" / "korean.jpg")
    truth = (shared_data / "ocr" / "ocr_rapidocr" / "korean.gt.txt").read_text(encoding="utf-8").strip()
    assert tesseract.read(image).text == truth  # "베이징 차오양, 디지털 기술로 …", spacing included


@pytest.mark.integration
def test_missing_language_data_is_a_clear_error():
    with pytest.raises(OcrError, match="language data missing: xyz"):
        TesseractEngine(languages="kor+xyz").read(Image.new("L", (100, 100), 255))


def test_split_eojeol_are_joined_where_kiwi_spaces_them_but_latin_is_kept(kiwi):
    def word(text, left, right, order):
        return OcrWord(text, BoundingBox(left, 0, right, 50), 0.9, 0, 0, order)

    words = [word("교", 0, 50, 0), word("통비는", 70, 210, 1), word("실비로", 232, 370, 2), word("정", 385, 430, 3),
             word("산한다.", 440, 600, 4), word("Seoul", 700, 800, 5), word("Station", 812, 950, 6)]
    joined = _join_split_eojeol(words, kiwi)
    assert [w.text for w in joined] == ["교통비는", "실비로", "정산한다.", "Seoul", "Station"]
    assert joined[0].box == BoundingBox(0, 0, 210, 50) and [w.order for w in joined] == [0, 1, 2, 3, 4]
    assert joined[0].confidence == 0.9


def test_text_json_and_hocr_views():
    words = (OcrWord("출장비", BoundingBox(10, 10, 90, 40), 0.96, 0, 0, 0),
             OcrWord("<규정>", BoundingBox(100, 10, 180, 40), 0.9, 0, 0, 1),
             OcrWord("제1조", BoundingBox(10, 60, 90, 90), None, 0, 1, 2),
             OcrWord("부칙", BoundingBox(10, 200, 90, 230), 0.8, 1, 2, 3))
    result = OcrResult(400, 300, words, "tesseract", page=2)
    assert result.text == "출장비 <규정>\n제1조\n\n부칙"
    data = json.loads(json.dumps(result.to_dict(), ensure_ascii=False))
    assert data["words"][1] == {"text": "<규정>", "box": [100, 10, 180, 40], "confidence": 0.9, "block": 0,
                                "line": 0, "order": 1}
    hocr = to_hocr([result])
    assert 'class="ocr_page" id="page_2" title="bbox 0 0 400 300; ppageno 1"' in hocr
    assert 'title="bbox 100 10 180 40; x_wconf 90">&lt;규정&gt;</span>' in hocr
    assert hocr.count('class="ocr_line"') == 3 and hocr.count('class="ocr_par"') == 2


def test_engine_follows_the_settings(tmp_path):
    assert engine_for(Settings(home=tmp_path, ocr_engine="none")) is None
    engine = engine_for(Settings(home=tmp_path, ocr_languages="kor", ocr_psm=4, ocr_deskew=False))
    assert isinstance(engine, TesseractEngine) and (engine.languages, engine.psm, engine.deskew) == ("kor", 4, False)
    with pytest.raises(OcrError, match="KORAG_VLM_BASE_URL"):
        engine_for(Settings(home=tmp_path, ocr_engine="varco"))
    varco = engine_for(Settings(home=tmp_path, ocr_engine="varco", vlm_base_url="http://vision:8000/v1"))
    assert isinstance(varco, FallbackEngine) and isinstance(varco.fallback, TesseractEngine)


@pytest.mark.integration
def test_unreachable_vlm_falls_back_to_tesseract_and_says_so(tesseract, page, scripted_openai):
    image, _ = page
    scripted_openai.default = Reply(status=503, text="no GPU")
    engine = FallbackEngine(VarcoClient(scripted_openai.base_url, "m", timeout_s=5, max_retries=0), tesseract)
    first, second = engine.read(image, 1), engine.read(image, 2)
    assert first.engine == second.engine == "tesseract" and "숙박비는" in second.text
    assert "VARCO-VISION 서버에 연결할 수 없어 Tesseract로 읽었습니다" in first.warnings[0]
    assert len(scripted_openai.requests) == 1  # after one failure the dead server is not asked again
    engine.retry_after_s = 0.0  # later (5 minutes by default) it is tried again, and used when it is back
    scripted_openai.default = None
    scripted_openai.script(Reply(text=""))
    assert engine.read(image, 3).engine == "varco" and len(scripted_openai.requests) == 2


@pytest.mark.integration
def test_malformed_vlm_output_falls_back_for_that_page_only(tesseract, page, scripted_openai):
    image, glyphs = page
    scripted_openai.script(Reply(text="<char>출</char><bbox>0.1, 0.1"),
                           Reply(text=varco_reply(glyphs, image.width, image.height)))
    engine = FallbackEngine(VarcoClient(scripted_openai.base_url, "m", timeout_s=5, max_retries=0), tesseract)
    broken, fine = engine.read(image, 1), engine.read(image, 2)
    assert broken.engine == "tesseract" and "VARCO-VISION이 읽지 못해" in broken.warnings[0]
    assert fine.engine == "varco" and fine.warnings == () and fine.text.startswith("출장비 지급 규정")
