"""`korag ocr` as a person runs it (subprocesses): text, JSON and hOCR, PDFs page by page, VARCO over HTTP."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.ocr_images import render, varco_reply
from tests.scripted_openai import Reply

REPO = Path(__file__).resolve().parents[2]
LINES = ["출장비 지급 규정", "숙박비는 1박에 10만원을 넘지 않는다."]
pytestmark = pytest.mark.integration


def korag(*args: str, **env: str) -> subprocess.CompletedProcess:
    full = {**os.environ, "KORAG_HOME": "/nonexistent-korag-home", "KORAG_VLM_TIMEOUT_S": "5", **env}
    return subprocess.run([sys.executable, "-m", "ui.cli", "ocr", *args], cwd=REPO, env=full,
                          capture_output=True, text=True, timeout=300)


@pytest.fixture(scope="module")
def scan(tmp_path_factory):
    folder = tmp_path_factory.mktemp("cli-ocr")
    image, glyphs = render(LINES)
    image.save(folder / "규정.png")
    second, _ = render(["연차는 부서장 승인 후 사용한다."])
    image.convert("RGB").save(folder / "스캔.pdf", save_all=True, append_images=[second.convert("RGB")])
    return folder, image, glyphs


def test_text_of_an_image(scan):
    folder, _, _ = scan
    done = korag(str(folder / "규정.png"))
    assert done.returncode == 0, done.stderr
    first, second = done.stdout.splitlines()
    assert first == LINES[0] and second.startswith("숙박비는 1박에 10")  # Tesseract: "10 만 원을", "다," happen


def test_json_has_words_with_pixel_boxes(scan):
    folder, image, glyphs = scan
    done = korag(str(folder / "규정.png"), "--format", "json")
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    page = data["pages"][0]
    assert data["file"] == "규정.png" and (page["width"], page["height"]) == image.size
    word = page["words"][0]
    assert word["text"] == "출장비" and word["confidence"] > 0.5 and abs(word["box"][0] - glyphs[0][0][1][0]) <= 4


def test_hocr(scan):
    folder, _, _ = scan
    done = korag(str(folder / "규정.png"), "--format", "hocr")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("<?xml") and 'class="ocrx_word"' in done.stdout and ">출장비</span>" in done.stdout


def test_pdf_pages_are_marked_and_can_be_chosen(scan):
    folder, _, _ = scan
    done = korag(str(folder / "스캔.pdf"))
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert out.index("── page 1 ──") < out.index("숙박비는") < out.index("── page 2 ──") < out.index("부서장")
    only = korag(str(folder / "스캔.pdf"), "--pages", "2")
    assert "── page 2 ──" in only.stdout and "부서장" in only.stdout and "숙박비" not in only.stdout


def test_engine_is_chosen_per_page_and_can_be_named(scan):
    folder, _, _ = scan
    done = korag(str(folder / "규정.png"))  # the default, auto: says on stderr which engine read the page
    assert done.returncode == 0, done.stderr
    assert "page 1: scene — photo or scene text (2 lines" in done.stderr
    named = korag(str(folder / "규정.png"), "--engine", "tesseract", "--format", "json")
    page = json.loads(named.stdout)["pages"][0]
    assert (page["engine"], page["chosen"]) == ("tesseract", None) and page["text"].startswith(LINES[0])
    scene = json.loads(korag(str(folder / "규정.png"), "--engine", "scene", "--format", "json").stdout)["pages"][0]
    assert scene["engine"] == "scene" and scene["text"] == "\n".join(LINES)
    bad = korag(str(folder / "규정.png"), "--engine", "paddle")
    assert bad.returncode == 1 and "--engine must be auto, tesseract, scene, varco" in bad.stderr


def test_bad_input_is_one_line_naming_the_file(tmp_path):
    broken = tmp_path / "깨진.png"
    broken.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 40)
    done = korag(str(broken))
    assert done.returncode == 1 and "error:" in done.stderr and "깨진.png" in done.stderr
    assert "Traceback" not in done.stderr
    text = tmp_path / "memo.txt"
    text.write_text("그냥 글", encoding="utf-8")
    done = korag(str(text))
    assert done.returncode == 1 and "OCR reads images and PDFs" in done.stderr


def test_varco_engine_over_http(scan, scripted_openai):
    folder, image, glyphs = scan
    scripted_openai.script(Reply(text=varco_reply(glyphs, image.width, image.height)))
    done = korag(str(folder / "규정.png"), "--engine", "varco", "--format", "json",
                 KORAG_VLM_BASE_URL=scripted_openai.base_url)
    assert done.returncode == 0, done.stderr
    page = json.loads(done.stdout)["pages"][0]
    assert page["engine"] == "varco" and page["text"] == "\n".join(LINES) and page["warnings"] == []
    assert scripted_openai.requests[0]["model"] == "NCSOFT/VARCO-VISION-2.0-1.7B-OCR"


def test_unreachable_varco_falls_back_to_tesseract_and_says_so(scan):
    folder, _, _ = scan
    done = korag(str(folder / "규정.png"), "--engine", "varco", KORAG_VLM_BASE_URL="http://127.0.0.1:9/v1")
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[0] == LINES[0]
    assert "VARCO-VISION 서버에 연결할 수 없어 Tesseract로 읽었습니다" in done.stderr


def test_varco_without_a_server_url_is_a_clear_error(scan):
    folder, _, _ = scan
    done = korag(str(folder / "규정.png"), "--engine", "varco", KORAG_VLM_BASE_URL="")
    assert done.returncode == 1 and "KORAG_VLM_BASE_URL" in done.stderr
