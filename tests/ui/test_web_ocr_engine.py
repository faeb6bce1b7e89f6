"""The portal's upload takes the OCR engine chosen above the upload button to the ingestion of the scan
(the OCR page's own choice is tested in test_web.py)."""
from __future__ import annotations

import logging

import pytest

from tests.ui.test_web import SCAN, button, portal, scan_png  # noqa: F401 - portal is a fixture

pytestmark = pytest.mark.integration


@pytest.mark.parametrize("engine", ["tesseract", "scene"])
def test_upload_reads_the_scan_with_the_engine_chosen(portal, caplog, engine):  # noqa: F811
    caplog.set_level(logging.INFO, logger="ingest.ocr.pages")
    app = portal("views/documents.py")
    app.selectbox(key="upload_ocr_engine").set_value(engine).run()
    app.file_uploader(key="uploader-0").set_value([("안내.png", scan_png(SCAN), "image/png")]).run()
    button(app, "수집 시작").click().run()
    assert not app.exception and not app.error
    assert "OCR 1쪽" in " ".join(p.proto.text for p in app.get("progress"))
    read = [r.getMessage() for r in caplog.records if r.getMessage().startswith("OCR of 안내.png page 1:")]
    assert read == [f"OCR of 안내.png page 1: {engine}"], read  # named engines: no `chosen` reason
