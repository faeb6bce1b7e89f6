"""VARCO-VISION over real HTTP: the production client against the scripted OpenAI-compatible server.

Replies are what the model writes (`<char>…</char><bbox>…</bbox>`, fractions of the image), computed
from the real glyph boxes of Korean text drawn with NanumGothic, plus truncated and malformed output.
"""
from __future__ import annotations

import base64
import io

import pytest
from PIL import Image

from ingest.ocr.varco import MIN_LONG_SIDE, VarcoClient, group_words, parse_ocr
from ingest.ocr import BoundingBox, OcrResult, VarcoOutputError, VlmUnavailable
from tests.ocr_images import render, varco_reply
from tests.scripted_openai import Reply

LINES = ["출장비 지급 규정", "숙박비는 1박 10만원 한도", "", "교통비는 실비로 정산한다."]


@pytest.fixture
def client(scripted_openai):
    return VarcoClient(scripted_openai.base_url, "NCSOFT/VARCO-VISION-2.0-1.7B-OCR", timeout_s=10, max_retries=0,
                       qa_model="NCSOFT/VARCO-VISION-2.0-14B")


@pytest.fixture(scope="module")
def page():
    return render(LINES)


def _sent_image(body: dict) -> Image.Image:
    content = body["messages"][0]["content"]
    url = next(part["image_url"]["url"] for part in content if part["type"] == "image_url")
    assert url.startswith("data:image/png;base64,")
    return Image.open(io.BytesIO(base64.b64decode(url.split(",", 1)[1])))


def test_ocr_reply_becomes_words_lines_and_paragraphs_with_pixel_boxes(client, scripted_openai, page):
    image, glyphs = page
    scripted_openai.script(Reply(text=varco_reply(glyphs, image.width, image.height)))
    result = client.read(image, page=3)
    assert result.text == "출장비 지급 규정\n숙박비는 1박 10만원 한도\n\n교통비는 실비로 정산한다."
    assert result.engine == "varco" and result.page == 3 and result.raw.startswith("<char>출</char>")
    first = result.words[0]
    assert first.text == "출장비" and first.confidence is None and (first.line, first.block, first.order) == (0, 0, 0)
    (_, (left, top, _, _)), (_, (_, _, right, bottom)) = glyphs[0][0], glyphs[0][2]
    # three decimals of a fraction: boxes come back within a pixel or two of the glyphs
    assert abs(first.box.left - left) <= 2 and abs(first.box.right - right) <= 2
    assert abs(first.box.top - top) <= 2 and abs(first.box.bottom - bottom) <= 2
    assert [w.block for w in result.words][-1] == 1  # the blank line started a new paragraph


def test_request_is_what_the_model_card_asks_for(client, scripted_openai, page):
    image, glyphs = page
    scripted_openai.script(Reply(text=varco_reply(glyphs, image.width, image.height)))
    client.read(image)
    body = scripted_openai.requests[-1]
    assert body["model"] == "NCSOFT/VARCO-VISION-2.0-1.7B-OCR"
    assert body["skip_special_tokens"] is False  # else vLLM strips the <char>/<bbox> tokens
    assert body["temperature"] == 0.0 and body["max_tokens"] == 8192
    text = [p["text"] for p in body["messages"][0]["content"] if p["type"] == "text"]
    assert text == ["<ocr>"]
    sent = _sent_image(body)
    assert max(sent.size) == MIN_LONG_SIDE  # upscaled as the card recommends, aspect kept
    assert abs(sent.width / sent.height - image.width / image.height) < 0.01


def test_eojeol_units_and_newlines_between_entries(client, scripted_openai):
    # VARCO-VISION-14B-HF model card's OCR example: one <char> per word, one entry per line
    raw = ("<char>백범로</char><bbox>0.172, 0.266, 0.328, 0.341</bbox>\n"
           "<char>124번길</char><bbox>0.347, 0.266, 0.512, 0.341</bbox>\n"
           "<char>Baekbeom-ro</char><bbox>0.171, 0.337, 0.433, 0.392</bbox>\n"
           "<char>124</char><bbox>0.444, 0.341, 0.508, 0.392</bbox>\n<|im_end|>")
    scripted_openai.script(Reply(text=raw))
    result = client.read(Image.new("RGB", (1000, 500), "white"))
    assert result.text == "백범로 124번길\nBaekbeom-ro 124"
    assert result.words[1].box == BoundingBox(347, 133, 512, 170)


def test_empty_page_is_no_words_not_an_error(client, scripted_openai):
    scripted_openai.script(Reply(text=""))
    result = client.read(Image.new("L", (300, 300), 255))
    assert result.words == () and result.text == ""


@pytest.mark.parametrize("raw, what", [
    ("<char>출</char><bbox>0.1, 0.1, 0.2, 0.2</bbox><char>장</char><bbox>0.2, 0.1, 0.3", "truncated"),
    ("<char>출</char><bbox>0.1, 0.1, 0.2, 0.2</bbox><char>장", "truncated"),
    ("<char>출</char><bbox>0.1, 0.1, 0.2</bbox>", "four numbers"),
    ("<char>출<bbox>0.1, 0.1, 0.2, 0.2</bbox><char>장</char><bbox>0.2, 0.1, 0.3, 0.2</bbox>", "malformed"),
    ("이 이미지에는 출장비 규정이 있습니다.", "malformed"),  # prose instead of the OCR format
    ("<char>출</char><bbox>172, 266, 328, 341</bbox>", "outside 0–1"),  # pixels, not fractions
])
def test_malformed_output_is_an_error_that_keeps_the_raw_text(client, scripted_openai, raw, what):
    scripted_openai.script(Reply(text=raw))
    with pytest.raises(VarcoOutputError, match=what) as caught:
        client.read(Image.new("L", (400, 200), 255))
    assert caught.value.raw == raw


def test_output_cut_at_the_token_limit_is_an_error(client, scripted_openai, page):
    image, glyphs = page
    raw = varco_reply(glyphs[:1], image.width, image.height)  # well-formed so far, but the model stopped early
    scripted_openai.script(Reply(text=raw, finish_reason="length"))
    with pytest.raises(VarcoOutputError, match="token limit") as caught:
        client.read(image)
    assert caught.value.raw == raw


def test_reply_that_is_not_json_is_an_error(client, scripted_openai):
    scripted_openai.script(Reply(raw="<html>502 Bad Gateway</html>"))
    with pytest.raises(VarcoOutputError):
        client.read(Image.new("L", (200, 200), 255))


def test_server_errors_mean_unavailable(client, scripted_openai):
    scripted_openai.script(Reply(status=503, text="model is loading"))
    with pytest.raises(VlmUnavailable, match="503"):
        client.read(Image.new("L", (200, 200), 255))


def test_unreachable_server_is_unavailable():
    client = VarcoClient("http://127.0.0.1:9/v1", "m", timeout_s=2, max_retries=0)
    with pytest.raises(VlmUnavailable, match="127.0.0.1:9"):
        client.read(Image.new("L", (200, 200), 255))


def test_question_about_an_image(client, scripted_openai, page):
    image, _ = page
    scripted_openai.script(Reply(text="숙박비 한도는 1박 10만원입니다.<|im_end|>"))
    assert client.ask(image, "숙박비 한도는 얼마인가요?") == "숙박비 한도는 1박 10만원입니다."
    body = scripted_openai.requests[-1]
    assert body["model"] == "NCSOFT/VARCO-VISION-2.0-14B"
    assert [p["text"] for p in body["messages"][0]["content"] if p["type"] == "text"] == ["숙박비 한도는 얼마인가요?"]
    assert _sent_image(body).size == image.size  # questions send the image as it is


def test_question_about_a_region_sends_the_box_as_fractions(client, scripted_openai):
    scripted_openai.script(Reply(text="교통비 조항입니다."))
    answer = client.ask_region(Image.new("RGB", (1000, 500), "white"), BoundingBox(100, 100, 500, 300), "무엇인가요?")
    assert answer == "교통비 조항입니다."
    text = [p["text"] for p in scripted_openai.requests[-1]["messages"][0]["content"] if p["type"] == "text"][0]
    assert text == "<obj>이 영역</obj><bbox>0.100, 0.200, 0.500, 0.600</bbox> 무엇인가요?"


def test_grouping_splits_words_at_wide_gaps_and_lines_at_vertical_jumps():
    glyphs = parse_ocr("<char>가</char><bbox>0.10, 0.10, 0.14, 0.14</bbox>"
                       "<char>나</char><bbox>0.145, 0.10, 0.185, 0.14</bbox>"
                       "<char>다</char><bbox>0.25, 0.10, 0.29, 0.14</bbox>"
                       "<char>라</char><bbox>0.10, 0.16, 0.14, 0.20</bbox>", 1000, 1000)
    result = OcrResult(1000, 1000, group_words(glyphs), "varco")
    assert result.text == "가나 다\n라"
    assert [w.line for w in result.words] == [0, 0, 1]
