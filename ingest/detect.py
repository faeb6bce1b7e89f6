"""Which format a file is, from its bytes first and its extension second.

Office formats share containers (zip: DOCX, PPTX, XLSX, HWPX; OLE2: HWP 5, legacy .doc/.xls),
so the container is opened and its member names decide.
"""
from __future__ import annotations

import io
import zipfile

import filetype

from ingest.encoding import utf16_without_bom
from ingest.errors import EmptyDocument, EncryptedDocument, UnsupportedFormat

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
IMAGE_FORMATS = {"png", "jpg", "tif", "webp", "bmp", "gif"}
TEXT_EXTENSIONS = {"txt": "txt", "text": "txt", "csv": "txt", "log": "txt", "md": "md", "markdown": "md",
                   "htm": "html", "html": "html", "xhtml": "html"}
SUPPORTED = ("pdf", "docx", "hwpx", "hwp", "pptx", "xlsx", "html", "md", "txt", "image")


def _extension(name: str) -> str:
    return name.rsplit(".", 1)[-1].lower() if "." in name else ""


def _zip_format(data: bytes, name: str) -> str:
    try:
        names = set(zipfile.ZipFile(io.BytesIO(data)).namelist())
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as err:
        from ingest.errors import CorruptDocument

        raise CorruptDocument(name, f"looks like a zip container but cannot be opened ({err})") from err
    if "word/document.xml" in names:
        return "docx"
    if "ppt/presentation.xml" in names:
        return "pptx"
    if "xl/workbook.xml" in names:
        return "xlsx"
    if "Contents/content.hpf" in names or any(n.startswith("Contents/section") for n in names):
        return "hwpx"
    if "EncryptedPackage" in names:
        raise EncryptedDocument(name, "the file is password-protected; save it without a password and retry")
    raise UnsupportedFormat(name, "a zip archive that is not DOCX, PPTX, XLSX or HWPX")


def _ole_format(data: bytes, name: str) -> str:
    import olefile

    try:
        ole = olefile.OleFileIO(io.BytesIO(data))
    except OSError as err:
        from ingest.errors import CorruptDocument

        raise CorruptDocument(name, f"broken OLE2 compound file ({err})") from err
    try:
        if ole.exists("FileHeader") and ole.exists("DocInfo"):
            return "hwp"
        if ole.exists("EncryptedPackage") or ole.exists("EncryptionInfo"):
            raise EncryptedDocument(name, "the Office file is password-protected; save it without a password and retry")
        if ole.exists("WordDocument") or ole.exists("Workbook") or ole.exists("PowerPoint Document"):
            raise UnsupportedFormat(name, "legacy binary Office format (.doc/.xls/.ppt): save it as DOCX/XLSX/PPTX")
    finally:
        ole.close()
    raise UnsupportedFormat(name, "an OLE2 compound file with no HWP 5 or Office streams (damaged, or not a document)")


def _looks_like_html(head: bytes) -> bool:
    probe = head[:1024].lstrip().lower()
    return probe.startswith((b"<!doctype html", b"<html", b"\xef\xbb\xbf<!doctype html", b"\xef\xbb\xbf<html"))


def _looks_like_text(data: bytes) -> bool:
    sample = data[:65536]
    if sample.startswith((b"\xff\xfe", b"\xfe\xff", b"\xef\xbb\xbf", b"\x00\x00\xfe\xff")):
        return True
    if b"\x00" in sample:
        # NULs mean binary, except UTF-16 saved without a BOM (NULs on one byte parity only), or
        # text with a few NULs in it (decode_text drops them): judged on what is left
        if utf16_without_bom(sample) is not None:
            return True
        if sample.count(0) > len(sample) // 10:
            return False
        sample = sample.replace(b"\x00", b"")
    controls = sum(1 for b in sample if b < 9 or 13 < b < 32)
    return controls <= len(sample) // 100


def detect_format(data: bytes, name: str) -> str:
    """Return one of `SUPPORTED`, or raise `UnsupportedFormat` / `EmptyDocument`."""
    if not data:
        raise EmptyDocument(name, "the file is empty (0 bytes)")
    if not data.strip():
        raise EmptyDocument(name, f"the file is empty ({len(data)} bytes of white space only)")
    if data.startswith(b"%PDF-") or b"%PDF-" in data[:1024]:
        return "pdf"
    if data.startswith(b"PK\x03\x04"):
        return _zip_format(data, name)
    if data.startswith(OLE_MAGIC):
        return _ole_format(data, name)
    kind = filetype.guess(data[:8192])
    if kind is not None and kind.extension in IMAGE_FORMATS:
        return "image"
    if kind is not None and kind.extension not in IMAGE_FORMATS:
        raise UnsupportedFormat(name, f"{kind.mime} files are not supported")
    if _looks_like_html(data):
        return "html"
    if _looks_like_text(data):
        ext = _extension(name)
        return TEXT_EXTENSIONS.get(ext, "txt") if ext in TEXT_EXTENSIONS else "txt"
    raise UnsupportedFormat(name, "unrecognised binary content; supported: " + ", ".join(SUPPORTED))
