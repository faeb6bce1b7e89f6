"""One loader per format; `load` picks one by content and returns a normalised `ParsedDocument`."""
from __future__ import annotations

import dataclasses
import importlib

from ingest import structure
from ingest.detect import detect_format
from ingest.errors import EmptyDocument, UnsupportedFormat
from ingest.loaders.base import LoadOptions, Loader
from ingest.normalize import normalize_text
from rag.model import ParsedDocument

# format -> module under ingest.loaders exposing `load(data, name, options)`
REGISTRY: dict[str, str] = {
    "pdf": "pdf",
    "docx": "docx",
    "hwpx": "hwpx",
    "hwp": "hwp5",
    "pptx": "pptx",
    "xlsx": "xlsx",
    "html": "html",
    "md": "text",
    "txt": "text",
    "image": "image",  # PNG, JPEG, TIFF, WebP, BMP, GIF: text comes from OCR (ingest.ocr)
}


def loader_for(fmt: str) -> Loader:
    module = REGISTRY.get(fmt)
    if module is None:
        raise KeyError(fmt)
    return importlib.import_module(f"ingest.loaders.{module}").load


def _normalized(doc: ParsedDocument) -> ParsedDocument:
    blocks = []
    for block in doc.blocks:
        rows = None
        if block.rows is not None:
            rows = tuple(tuple(normalize_text(c).replace("\n", " ") for c in row) for row in block.rows)
        text = normalize_text(block.text)
        if text:
            blocks.append(dataclasses.replace(block, text=text, rows=rows,
                                              heading_path=tuple(normalize_text(h) for h in block.heading_path)))
    return dataclasses.replace(doc, blocks=tuple(blocks))


def load(data: bytes, name: str, options: LoadOptions | None = None, fmt: str | None = None) -> ParsedDocument:
    """Detect the format of `data`, parse it, and normalise every block."""
    options = options or LoadOptions()
    fmt = fmt or detect_format(data, name)
    try:
        loader = loader_for(fmt)
    except KeyError:
        raise UnsupportedFormat(name, f"no loader for {fmt} files yet") from None
    doc = structure.apply(_normalized(loader(data, name, options)))
    if not doc.blocks and not doc.pages_needing_ocr:
        raise EmptyDocument(name, "no text found in the file")
    return doc
