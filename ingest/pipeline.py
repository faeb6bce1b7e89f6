"""The ingestion pipeline: file → loader → Kiwi splitter → knowledge base.

Reads like DESIGN.md's picture. Each file either lands whole or not at all; one bad file is one
failed result and the batch goes on.
"""
from __future__ import annotations

import hashlib
import logging
import os
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from ingest.errors import EmptyDocument, IngestError, UnsafeName
from ingest.limits import check_ocr_pages, check_size, check_text, is_disk_full
from ingest.loaders import load
from ingest.loaders.base import LoadOptions
from ingest.ocr import OcrError, Progress, attach_boxes, engine_for, ocr_document
from ingest.pii import apply_to_document, mask_source, policy_for
from ingest.split import KoreanSplitter
from rag.acl import Reader
from rag.kb import KnowledgeBase
from rag.model import Chunk, ParsedDocument
from rag.settings import Settings

log = logging.getLogger(__name__)

Status = Literal["added", "updated", "unchanged", "failed"]
MAX_NAME_BYTES = 255
_BIDI_CONTROLS = frozenset("\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
BATCH_FILES = 32  # files parsed before one Kiwi batch
BATCH_CHARS = 2_000_000
_UNSET = object()


@dataclass(frozen=True)
class _Prepared:
    """A file read, checked and parsed, waiting for the splitter."""

    name: str
    source: str
    data: bytes
    sha256: str
    parsed: ParsedDocument
    started: float


@dataclass(frozen=True)
class _DiskFull:
    """A store that the disk refused: the batch stops at this file."""

    reason: str


@dataclass(frozen=True)
class FileResult:
    """What happened to one file of a batch."""

    name: str
    source: str
    status: Status
    document_id: str | None = None
    format: str | None = None
    chunks: int = 0
    pages: int | None = None
    pages_needing_ocr: tuple[int, ...] = ()
    seconds: float = 0.0
    ocr_pages: tuple[int, ...] = ()  # pages whose text came from OCR (this run)
    error: str | None = None
    warnings: tuple[str, ...] = field(default_factory=tuple)

    @property
    def ok(self) -> bool:
        return self.status != "failed"


def check_name(name: str) -> str:
    """Refuse names that could escape a directory or corrupt a log line; return the name."""
    shown = name.encode("unicode_escape").decode("ascii")[:120]
    if not name or name in {".", ".."}:
        raise UnsafeName(shown or "(empty)", "empty or relative file name")
    if "/" in name or "\\" in name:
        raise UnsafeName(shown, "the file name contains a path separator")
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in name):
        raise UnsafeName(shown, "the file name contains control characters (newline, NUL, …); rename the file")
    if any(ch in _BIDI_CONTROLS for ch in name):
        raise UnsafeName(shown, "the file name contains Unicode direction controls, which can disguise its "
                                "extension (e.g. 'report\u202efdp.exe'); rename the file")
    if len(name.encode("utf-8", "surrogateescape")) > MAX_NAME_BYTES:
        raise UnsafeName(shown, f"the file name is longer than {MAX_NAME_BYTES} bytes; rename the file")
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        raise UnsafeName(shown, "the file name is not valid UTF-8; rename the file") from None
    return name


def upload_source(name: str, uploader: Reader | None = None) -> str:
    """Where an upload "came from": per user for non-admins, so one person's upload never replaces
    (or reveals) another's document of the same name."""
    if uploader is None or uploader.admin or not uploader.user:
        return f"upload:{name}"
    return f"upload:{uploader.user}/{name}"


def expand_paths(paths: Iterable[Path | str]) -> list[Path]:
    """Files named, and files under folders named (recursively, hidden ones skipped), in order.

    Symbolic links inside a folder are not followed: a link planted in a shared folder must not
    pull /etc/passwd or another department's files into the KB. A file named directly is read.
    """
    found: list[Path] = []
    for path in map(Path, paths):
        if path.is_dir():
            inside = []
            for root, dirs, files in os.walk(path):  # os.walk does not descend into linked folders
                dirs[:] = [d for d in dirs if not d.startswith(".")]
                inside.extend(Path(root) / f for f in files
                              if not f.startswith(".") and not (Path(root) / f).is_symlink())
            found.extend(sorted(inside))
        else:
            found.append(path)
    return found


class Ingestor:
    """Ingests files into one knowledge base. Build once, reuse (it holds the warmed Kiwi)."""

    def __init__(self, kb: KnowledgeBase, settings: Settings, splitter: KoreanSplitter | None = None,
                 tags: tuple[str, ...] = (), readers: tuple[str, ...] | None = None,
                 uploader: Reader | None = None, ocr_engine: str | None = None) -> None:
        self.kb = kb
        self.tags = tags
        self.readers = readers  # who may read what this ingests (None: the whole KB, or a new version's old readers)
        # a non-admin uploader is only told about (and only deduplicated against) documents they may read
        self.uploader = uploader
        self.settings = settings
        # the KB's Kiwi: it knows the KB's user dictionary, so chunks and queries agree
        self.splitter = splitter or KoreanSplitter(kb.kiwi(), settings.chunk_tokens, settings.chunk_overlap_sentences)
        self.options = LoadOptions(
            include_headers_footers=settings.include_headers_footers,
            max_unzipped_bytes=settings.max_unzipped_mb * 2**20,
            max_zip_entries=settings.max_zip_entries,
            max_compression_ratio=settings.max_compression_ratio,
            max_pages=settings.max_pages,
            max_section_records=settings.max_section_records,
            max_pdf_stream_bytes=settings.max_pdf_stream_mb * 2**20,
            max_sheet_cells=settings.max_sheet_cells,
            max_shared_strings=settings.max_shared_strings,
            max_ocr_pages=settings.max_ocr_pages,
        )
        self.pii = policy_for(settings.pii_mode, settings.pii_kinds)  # before splitting: no chunk holds the originals
        self.on_ocr_page: Progress | None = None  # (file name, pages done, pages to do) during OCR
        self._ocr_engine: object | None = _UNSET
        self.ocr_engine_name = ocr_engine  # auto | tesseract | scene | varco (None: KORAG_OCR_ENGINE)

    def ingest_bytes(self, data: bytes, name: str, source: str | None = None) -> FileResult:
        """Parse, split and store one file's bytes; failures come back as a failed result."""
        prepared = self._prepare(data, name, source or upload_source(name, self.uploader), time.perf_counter())
        return self._one(prepared)

    def _one(self, prepared: _Prepared | FileResult) -> FileResult:
        if isinstance(prepared, FileResult):
            return prepared
        result = self._split_each([prepared])[0]
        if isinstance(result, FileResult):
            return result
        return self._store(prepared, result)

    def ingest_file(self, path: Path) -> FileResult:
        return self._one(self._read(path))

    def ingest_paths(self, paths: Iterable[Path | str],
                     on_result: Callable[[FileResult], None] | None = None) -> list[FileResult]:
        """Ingest files and folders (recursive)."""
        return self._ingest_all((self._read(path) for path in expand_paths(paths)), on_result)

    def ingest_many(self, items: Iterable[tuple[bytes, str, str]],
                    on_result: Callable[[FileResult], None] | None = None) -> list[FileResult]:
        """Ingest (data, name, source) triples, e.g. uploads or a benchmark corpus."""
        return self._ingest_all((self._prepare(data, name, source, time.perf_counter()) for data, name, source in items),
                                on_result)

    def _ingest_all(self, prepared: Iterable[_Prepared | FileResult],
                    on_result: Callable[[FileResult], None] | None) -> list[FileResult]:
        """Parsed files are split in batches so Kiwi's worker threads stay busy.

        A full disk fails the file being stored, by name, and stops the batch there (every later write
        would fail the same way); the failure says how many files were stored before it.
        """
        results: list[FileResult] = []

        def emit(result: FileResult) -> None:
            results.append(result)
            if on_result is not None:
                on_result(result)

        def flush(batch: list[_Prepared]) -> bool:
            for item, chunks in zip(batch, self._split_each(batch)):
                result = chunks if isinstance(chunks, FileResult) else self._store_in_batch(item, chunks)
                if isinstance(result, _DiskFull):
                    stored = sum(r.status in ("added", "updated") for r in results)
                    emit(self._failed(item.name, item.source, f"{result.reason}; the batch stopped here: {stored} "
                                      "file(s) stored before it are complete, later files were not tried; "
                                      "free disk space and run it again", item.started))
                    return False
                emit(result)
            return True

        batch: list[_Prepared] = []
        going = True
        for item in prepared:
            if isinstance(item, FileResult):
                emit(item)
                continue
            batch.append(item)
            if len(batch) >= BATCH_FILES or sum(len(p.parsed.text) for p in batch) >= BATCH_CHARS:
                going = flush(batch)
                batch = []
                if not going:
                    break
        if going:
            flush(batch)
        try:
            self.kb.refresh_lexical()
        except Exception as err:  # noqa: BLE001 - the documents are stored; the index catches up on the next open
            log.warning("lexical index not refreshed after the batch: %s", err)
        return results

    def _split_each(self, batch: list[_Prepared]) -> list[list[Chunk] | FileResult]:
        """Chunks per file, in one Kiwi batch; if the batch fails, file by file, a failing file failed."""
        try:
            return list(self.splitter.split_many([p.parsed for p in batch]))
        except Exception:  # noqa: BLE001 - find the file that broke the splitter, keep the others
            log.debug("batch split failed; splitting file by file", exc_info=True)
        out: list[list[Chunk] | FileResult] = []
        for item in batch:
            try:
                out.append(self.splitter.split(item.parsed))
            except Exception as err:  # noqa: BLE001 - one file's failure, named
                out.append(self._failed(item.name, item.source, f"cannot be split ({type(err).__name__}: {err})",
                                        item.started))
        return out

    def _read(self, path: Path) -> _Prepared | FileResult:
        started = time.perf_counter()
        name = path.name
        try:
            check_name(name)
            size = path.stat().st_size  # before reading: a 2 GB file is refused unread
            check_size(name, size, self.settings)
            data = path.read_bytes()
        except IngestError as err:
            return self._failed(name, str(path), err.reason, started)
        except OSError as err:
            return self._failed(name, str(path), f"cannot be read ({err.strerror or err})", started)
        return self._prepare(data, name, str(path.resolve()), started)

    def _prepare(self, data: bytes, name: str, source: str, started: float) -> _Prepared | FileResult:
        """Check, deduplicate and parse; everything before the splitter."""
        try:
            check_name(name)
            check_size(name, len(data), self.settings)
            sha256 = hashlib.sha256(data).hexdigest()
            existing = self.kb.has_content(sha256, self.uploader)
            if existing is not None:
                return FileResult(name, source, "unchanged", existing.id, existing.format, existing.chunks,
                                  existing.pages, existing.pages_needing_ocr, time.perf_counter() - started)
            parsed = self._ocr(data, load(data, name, self.options))
            check_text(name, sum(len(b.text) for b in parsed.blocks), self.settings)
            parsed = apply_to_document(parsed, self.pii)
            return _Prepared(name, mask_source(source, self.pii), data, sha256, parsed, started)
        except IngestError as err:
            return self._failed(name, source, err.reason, started)
        except Exception as err:  # noqa: BLE001 - PdfiumError, lxml, zlib, MemoryError, RecursionError, …
            # a parsing library choked on a malformed file: one failed file, not a failed batch
            log.debug("unexpected error parsing %s", name, exc_info=True)
            return self._failed(name, source, f"cannot be parsed ({type(err).__name__}: {err})", started)

    @property
    def ocr_engine(self):
        """The OCR engine asked for (built on first use); None when KORAG_OCR_ENGINE=none and none was named."""
        if self._ocr_engine is _UNSET:
            self._ocr_engine = engine_for(self.settings, self.ocr_engine_name)
        return self._ocr_engine

    def _ocr(self, data: bytes, parsed: ParsedDocument) -> ParsedDocument:
        """Read pages without a text layer (scans, images) with OCR; an image with no text read fails."""
        if not parsed.pages_needing_ocr:
            return parsed
        try:
            engine = self.ocr_engine
        except OcrError as err:
            raise IngestError(parsed.name, f"OCR is not available ({err})") from err
        if engine is None:
            return parsed
        check_ocr_pages(parsed.name, len(parsed.pages_needing_ocr), self.settings)
        parsed = ocr_document(data, parsed, engine, self.settings.ocr_dpi, self.on_ocr_page,
                              seconds=self.settings.ocr_file_seconds)
        if parsed.format in ("image", "pdf") and not parsed.blocks:  # every page blank or unreadable
            reason = parsed.warnings[-1] if parsed.warnings else "no text"
            raise EmptyDocument(parsed.name, f"OCR found no text in the {parsed.format} ({reason})")
        return parsed

    def _store_in_batch(self, item: _Prepared, chunks: list[Chunk]) -> FileResult | _DiskFull:
        """Store one file of a batch; a failed write is that file's failure (the KB keeps its state before
        it). A single file (`ingest_bytes`, the queue's jobs) lets the error through: a job retries it."""
        try:
            return self._store(item, chunks)
        except IngestError as err:
            return self._failed(item.name, item.source, err.reason, item.started)
        except Exception as err:  # noqa: BLE001 - sqlite3, OSError, FAISS: the write was rolled back
            what = f"{type(err).__name__}: {err}"
            if is_disk_full(err):
                log.error("disk full while storing %s: %s", item.name, what)
                return _DiskFull(f"the disk is full: {item.name} was not stored ({what})")
            log.exception("storing %s failed", item.name)
            return self._failed(item.name, item.source, f"cannot be stored ({what})", item.started)

    def _store(self, item: _Prepared, chunks: list[Chunk]) -> FileResult:
        chunks = attach_boxes(item.parsed, chunks)  # OCR'd pages: each chunk keeps its lines' boxes
        existing = self.kb.has_content(item.sha256, self.uploader)  # the same bytes earlier in this batch
        if existing is not None:
            return FileResult(item.name, item.source, "unchanged", existing.id, existing.format, existing.chunks,
                              existing.pages, existing.pages_needing_ocr, time.perf_counter() - item.started)
        previous = self.kb.store.document_by_source(item.source)
        doc_id, ids = self.kb.add_document(item.source, item.data, item.sha256, item.parsed, chunks, self.tags,
                                           self.readers)
        parsed = item.parsed
        log.info("ingested %s (%s): %d blocks, %d chunks", doc_id, item.name, len(parsed.blocks), len(ids))
        return FileResult(item.name, item.source, "updated" if previous else "added", doc_id, parsed.format, len(ids),
                          parsed.page_count, parsed.pages_needing_ocr, time.perf_counter() - item.started,
                          warnings=parsed.warnings, ocr_pages=parsed.ocr_pages)

    @staticmethod
    def _failed(name: str, source: str, reason: str, started: float) -> FileResult:
        log.info("failed to ingest %s: %s", name, reason)
        return FileResult(name, source, "failed", seconds=time.perf_counter() - started, error=reason)
