"""POST /v1/ocr: read an uploaded image or PDF with OCR; nothing is stored in a knowledge base."""
from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, File, Form, UploadFile

from agents.errors import AgentError, DocumentTooLarge, IngestError, UnsupportedFormat
from agents.jobs import check_size
from agents.ocr import read_pages
from ui.api.deps import SettingsDep
from ui.api.errors import ApiError, agent_failure

router = APIRouter()


@router.post("/ocr", tags=["ocr"])
def ocr(settings: SettingsDep,
        file: UploadFile = File(description="An image (PNG, JPEG, TIFF, WebP, BMP) or a PDF"),
        engine: Literal["auto", "tesseract", "scene", "varco"] | None = Form(
            None, description="auto (per page: Tesseract for documents, scene text for photos), tesseract, scene or "
                              "varco. Default: KORAG_OCR_ENGINE. Each page says which engine read it (`engine`) and, "
                              "with auto, why (`chosen`)"),
        pages: str | None = Form(None, description="PDF pages, e.g. 1,3")) -> dict[str, Any]:
    """OCR an upload (nothing is stored): per page, the text and the words with pixel boxes."""
    data = file.file.read(settings.max_file_mb * 2**20 + 1)  # a byte over the limit is enough to refuse
    try:
        check_size(file.filename or "upload", len(data), settings)
    except DocumentTooLarge as err:
        raise ApiError(413, "file_too_large", str(err)) from err
    try:
        wanted = [int(p) for p in pages.split(",")] if pages else None
    except ValueError as err:
        raise ApiError(422, "invalid_request", f"pages must look like 1,3, not {pages!r}") from err
    try:  # no KB is opened: reading a file must not create the default KB on disk
        results = list(read_pages(settings, data, engine, wanted, file.filename or "upload"))
    except IngestError as err:
        raise ApiError(415 if isinstance(err, UnsupportedFormat) else 422, "cannot_ocr", str(err)) from err
    except (AgentError, ValueError) as err:
        raise agent_failure(err) from err
    return {"file": file.filename, "pages": [r.to_dict() for r in results]}
