"""OCR engines and OCR of whole files: Tesseract (embedded default), VARCO-VISION over vLLM (falls back
to Tesseract), chosen by `engine_for(settings)`; every engine returns an `OcrResult` (words with pixel
boxes in reading order).

A new engine (e.g. scene text) is a module here implementing `OcrEngine` (ingest/ocr/types.py) and one
line in `ENGINES` (ingest/ocr/engines.py).
"""
from ingest.ocr.engines import ENGINES, FallbackEngine, engine_for, tesseract_for
from ingest.ocr.hocr import to_hocr
from ingest.ocr.pages import Progress, attach_boxes, blocks_from_result, is_blank, ocr_document, ocr_file
from ingest.ocr.tesseract import TesseractEngine
from ingest.ocr.types import (BoundingBox, OcrEngine, OcrError, OcrLine, OcrResult, OcrWord, VarcoOutputError,
                              VlmUnavailable, enclosing)

__all__ = ["ENGINES", "BoundingBox", "FallbackEngine", "OcrEngine", "OcrError", "OcrLine", "OcrResult", "OcrWord",
           "Progress", "TesseractEngine", "VarcoOutputError", "VlmUnavailable", "attach_boxes", "blocks_from_result",
           "enclosing", "engine_for", "is_blank", "ocr_document", "ocr_file", "tesseract_for", "to_hocr"]
