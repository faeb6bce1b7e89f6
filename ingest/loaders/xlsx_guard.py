"""XLSX budgets and a sparse reader: cells per sheet and shared strings counted in the raw XML before
openpyxl parses any of it, and rows read as the cells they hold, never padded to the sheet's width.

openpyxl's read-only rows are padded to the widest row (one cell in A and one in XFD make every row
16,384 cells) and missing rows come back as empty tuples (a cell in row 1 and one in row 1,048,576
make a million). Counting `<c>` elements bounds the work by what the file holds, not by the rows.
"""
from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterator

from ingest.errors import CorruptDocument, DocumentTooLarge
from ingest.loaders.base import LoadOptions

_CELL = re.compile(rb"<(?:\w+:)?c[\s>/]")  # <c r="A1" …>, <x:c …>, <c/>; not <col>, <cfRule>
_STRING = re.compile(rb"<(?:\w+:)?si[\s>/]")
_CHUNK = 1 << 20
_SHEETS = re.compile(r"xl/worksheets/[^/]+\.xml")


def _count(archive: zipfile.ZipFile, member: str, pattern: re.Pattern[bytes], stop: int) -> int:
    """Matches of `pattern` in a member, read a MiB at a time; stops counting past `stop`."""
    total, tail = 0, b""
    with archive.open(member) as fh:
        while total <= stop:
            block = fh.read(_CHUNK)
            if not block:
                break
            data = tail + block
            # a match may straddle two reads: keep the last few bytes, count only matches that end before them
            keep = len(data) - 8 if len(block) == _CHUNK else len(data)
            total += sum(1 for m in pattern.finditer(data) if m.start() < keep)
            tail = data[keep:]
    return total


def check_workbook(data: bytes, name: str, options: LoadOptions) -> None:
    """Refuse a workbook with a sheet over KORAG_MAX_SHEET_CELLS cells, or over KORAG_MAX_SHARED_STRINGS
    shared strings. Call after SafeZip has checked the container (sizes, ratios, entries)."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for member in archive.namelist():
            if _SHEETS.fullmatch(member):
                cells = _count(archive, member, _CELL, options.max_sheet_cells)
                if cells > options.max_sheet_cells:
                    raise DocumentTooLarge(name, f"{member} holds more than {options.max_sheet_cells:,} cells "
                                                 "(limit KORAG_MAX_SHEET_CELLS); split the sheet")
            elif member == "xl/sharedStrings.xml":
                strings = _count(archive, member, _STRING, options.max_shared_strings)
                if strings > options.max_shared_strings:
                    raise DocumentTooLarge(name, f"the workbook holds more than {options.max_shared_strings:,} "
                                                 "shared strings (limit KORAG_MAX_SHARED_STRINGS)")


def sparse_rows(sheet, name: str) -> Iterator[dict[int, object]]:
    """The rows a read-only openpyxl sheet holds, each as {column: value} of the cells written in it."""
    from openpyxl.worksheet._reader import WorkSheetParser

    workbook, strings = sheet.parent, sheet._shared_strings  # openpyxl's own read-only plumbing
    with sheet._get_source() as source:
        parser = WorkSheetParser(source, strings, data_only=workbook.data_only, epoch=workbook.epoch,
                                 date_formats=workbook._date_formats, timedelta_formats=workbook._timedelta_formats)
        try:
            for _, cells in parser.parse():
                row = {cell["column"]: cell["value"] for cell in cells if cell["value"] is not None}
                if row:
                    yield row
        except IndexError as err:  # a cell names a shared string the table does not have
            raise CorruptDocument(name, f"sheet {sheet.title!r} refers to a shared string that is not in the "
                                        f"workbook ({len(strings):,} strings); re-save it in Excel") from err
