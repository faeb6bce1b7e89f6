"""PPTX loader (python-pptx): per slide, the title, text frames, tables and speaker notes.

`page` is the 1-based slide number; every block of a slide carries its title as heading_path.
"""
from __future__ import annotations

import io
from collections.abc import Iterator

import pptx
from lxml import etree
from pptx.shapes.group import GroupShape

from ingest.archive import SafeZip
from ingest.errors import CorruptDocument, DocumentTooLarge
from ingest.loaders.base import LoadOptions
from ingest.structure_tables import Cell, render_table
from rag.model import Block, ParsedDocument


def load(data: bytes, name: str, options: LoadOptions) -> ParsedDocument:
    """Parse a PPTX into one heading block per slide title plus its text, tables and notes."""
    # zip-bomb, encryption and DTD checks before python-pptx inflates anything
    SafeZip(data, name, options).refuse_dtds()
    try:
        presentation = pptx.Presentation(io.BytesIO(data))
        slides = list(presentation.slides)
    except Exception as err:  # noqa: BLE001 - python-pptx surfaces lxml, zip and key errors alike
        raise CorruptDocument(name, f"broken PPTX ({type(err).__name__}: {err}); open and re-save it") from err
    if len(slides) > options.max_pages:
        raise DocumentTooLarge(name, f"the presentation has {len(slides)} slides (limit {options.max_pages})")
    blocks: list[Block] = []
    warnings: list[str] = []
    for number, slide in enumerate(slides, start=1):
        try:
            blocks.extend(_slide_blocks(slide, number))
        except (etree.LxmlError, ValueError, KeyError, AttributeError, NotImplementedError) as err:
            warnings.append(f"slide {number}: skipped, unexpected structure ({type(err).__name__}: {err})")
    if warnings and len(warnings) == len(slides):
        raise CorruptDocument(name, "no slide could be read; open and re-save the presentation")
    title = (presentation.core_properties.title or "").strip() or None
    return ParsedDocument(
        name=name, format="pptx", blocks=tuple(blocks), page_count=len(slides), title=title, warnings=tuple(warnings),
    )


def _slide_blocks(slide: pptx.slide.Slide, number: int) -> Iterator[Block]:
    title_shape = slide.shapes.title
    title = _frame_text(title_shape) if title_shape is not None and title_shape.has_text_frame else ""
    path = (" ".join(title.split()),) if title else ()
    if title:
        yield Block(text=title, kind="heading", page=number, heading_path=path)
    title_id = title_shape.shape_id if title_shape is not None else None
    for shape in _shapes(slide.shapes):
        if shape.shape_id == title_id and title:
            continue
        if shape.has_text_frame:
            text = _frame_text(shape)
            if text:
                yield Block(text=text, kind="paragraph", page=number, heading_path=path)
        elif getattr(shape, "has_table", False) and shape.has_table:
            block = _table_block(shape.table, number, path)
            if block is not None:
                yield block
    if slide.has_notes_slide:
        frame = slide.notes_slide.notes_text_frame
        notes = frame.text.replace("\v", "\n").strip() if frame is not None else ""
        if notes:
            yield Block(text=notes, kind="paragraph", page=number, heading_path=path)


def _shapes(shapes: object) -> Iterator[object]:
    """Shapes in document (z-) order, with group shapes opened up."""
    for shape in shapes:
        # isinstance, not shape_type: shape_type raises NotImplementedError on unusual auto shapes
        if isinstance(shape, GroupShape):
            yield from _shapes(shape.shapes)
        else:
            yield shape


def _frame_text(shape: object) -> str:
    # Vertical tab is how PowerPoint stores a soft line break (Shift+Enter) inside a paragraph.
    lines = (p.text.replace("\v", "\n") for p in shape.text_frame.paragraphs)
    return "\n".join(line for line in lines if line.strip()).strip()


def _table_block(table: object, number: int, path: tuple[str, ...]) -> Block | None:
    # A merged region keeps its text in the origin cell; the cells it swallowed are "spanned".
    cells = [Cell(r, c, cell.text, cell.span_height, cell.span_width) for r, row in enumerate(table.rows)
             for c, cell in enumerate(row.cells) if not cell.is_spanned]
    rendered = render_table(cells)
    if rendered is None:
        return None
    return Block(text=rendered.text, kind=rendered.kind, page=number, heading_path=path, rows=rendered.rows)
