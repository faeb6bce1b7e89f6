"""No hostile file that loads leaves a run of empty-cell separators in its text (issue 15's done-when);
the shared documents are checked in test_shared_docs."""
from __future__ import annotations

import re

from ingest.errors import IngestError
from ingest.loaders import load
from tests.hostile.build import _cases

EMPTY_CELLS = re.compile(r"(?:[|,·]\s+){4,}")


def test_hostile_files_that_load_have_no_empty_cell_residue():
    loaded, residue = 0, []
    for case in _cases():
        if case.sparse_bytes or not case.data:
            continue
        try:
            doc = load(case.data, case.file_name)
        except (IngestError, ValueError, OSError):
            continue  # refused: nothing to read
        loaded += 1
        residue += [(case.name, line) for line in doc.text.splitlines() if EMPTY_CELLS.search(line)]
    assert loaded >= 15 and residue == []
