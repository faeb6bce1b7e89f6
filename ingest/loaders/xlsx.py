"""XLSX loader (openpyxl, streaming): each sheet becomes table blocks that keep their header.

Cached values are read (`data_only=True`): formulas are not evaluated, the result Excel last
saved is what a person saw. Long sheets are cut every `ROWS_PER_BLOCK` rows, header repeated.
"""
from __future__ import annotations

import datetime as dt
import io
import zipfile

import openpyxl

from ingest.archive import SafeZip
from ingest.errors import CorruptDocument, DocumentTooLarge
from ingest.loaders.base import LoadOptions
from ingest.loaders.xlsx_guard import check_workbook, sparse_rows
from ingest.structure_tables import cells_from_rows, render_table
from rag.model import Block, ParsedDocument

ROWS_PER_BLOCK = 200


def load(data: bytes, name: str, options: LoadOptions) -> ParsedDocument:
    """Parse an XLSX into table blocks: `page` is the 1-based sheet index, heading_path its title."""
    # zip-bomb, encryption and DTD checks before openpyxl inflates anything
    SafeZip(data, name, options).refuse_dtds()
    check_workbook(data, name, options)  # cells per sheet, shared strings: counted, not parsed
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, TypeError, OSError, SyntaxError) as err:
        # openpyxl reports broken XML as SyntaxError-derived lxml/expat errors
        raise CorruptDocument(name, f"broken XLSX ({type(err).__name__}: {err}); open and re-save it in Excel") from err
    try:
        sheets = workbook.worksheets
        if len(sheets) > options.max_pages:
            raise DocumentTooLarge(name, f"the workbook has {len(sheets)} sheets (limit {options.max_pages})")
        blocks: list[Block] = []
        for number, sheet in enumerate(sheets, start=1):
            try:
                rows = _sheet_rows(sheet, name)
            except (KeyError, ValueError, TypeError, SyntaxError) as err:
                raise CorruptDocument(
                    name, f"sheet {sheet.title!r} cannot be read ({type(err).__name__}: {err}); re-save it in Excel"
                ) from err
            blocks.extend(_table_blocks(rows, number, (sheet.title,)))
        title = (workbook.properties.title or "").strip() or None
    finally:
        workbook.close()  # read-only workbooks keep the zip open until closed
    return ParsedDocument(name=name, format="xlsx", blocks=tuple(blocks), page_count=len(sheets), title=title)


def _sheet_rows(sheet: object, name: str) -> list[tuple[str, ...]]:
    """Non-empty rows as text, with columns that are empty in every row removed.

    Rows are read sparse (xlsx_guard): openpyxl would pad each to the widest row and fill row gaps.
    """
    rows: list[dict[int, str]] = []
    for values in sparse_rows(sheet, name):
        cells = {column: text for column, value in values.items() if (text := format_cell(value))}
        if cells:
            rows.append(cells)
    used = sorted({column for row in rows for column in row})
    return [tuple(row.get(c, "") for c in used) for row in rows]


def _table_blocks(rows: list[tuple[str, ...]], page: int, path: tuple[str, ...]) -> list[Block]:
    if not rows:
        return []
    header, body = rows[0], rows[1:]
    parts = [body[i:i + ROWS_PER_BLOCK] for i in range(0, len(body), ROWS_PER_BLOCK)] or [[]]
    blocks = []
    for part in parts:
        # Empty cells of a sheet are sparse data, not blanks of a form: forms=False.
        rendered = render_table(cells_from_rows((header, *part)), forms=False)
        if rendered is not None:
            blocks.append(Block(text=rendered.text, kind="table", page=page, heading_path=path, rows=rendered.rows))
    return blocks


def format_cell(value: object) -> str:
    """A cell value as a person reads it: ISO dates, whole numbers without '.0'."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0, 0):
            return value.date().isoformat()
        return value.isoformat(sep=" ", timespec="seconds")
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        return str(value)
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return f"{value:.15g}"  # drops binary noise such as 0.30000000000000004
    return " ".join(str(value).split())
