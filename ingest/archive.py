"""Opening zip containers (DOCX, HWPX, PPTX, XLSX) without trusting them.

A zip bomb is caught before anything is inflated: member count, declared sizes and
per-member compression ratio are checked against `LoadOptions`, and reads are capped so a
member that lies about its size still cannot expand past the limit.
"""
from __future__ import annotations

import io
import zipfile
import zlib

from ingest.errors import CorruptDocument, DocumentTooLarge, EncryptedDocument
from ingest.loaders.base import LoadOptions
from ingest.xml_prolog import declares_dtd

_XML_PARTS = (".xml", ".rels", ".vml")


class SafeZip:
    """A read-only zip whose members are size-checked before and while they are read."""

    def __init__(self, data: bytes, name: str, options: LoadOptions) -> None:
        self.name = name
        self.options = options
        try:
            self._zip = zipfile.ZipFile(io.BytesIO(data))
            infos = self._zip.infolist()
        except (zipfile.BadZipFile, OSError, ValueError, EOFError) as err:
            raise CorruptDocument(name, f"broken zip container ({err})") from err
        if len(infos) > options.max_zip_entries:
            raise DocumentTooLarge(
                name, f"zip holds {len(infos)} entries (limit {options.max_zip_entries}): likely a zip bomb"
            )
        total = 0
        for info in infos:
            if info.flag_bits & 0x1:
                raise EncryptedDocument(name, "the file is password-protected; save it without a password and retry")
            total += info.file_size
            if info.compress_size and info.file_size / info.compress_size > options.max_compression_ratio and info.file_size > 1_000_000:
                raise DocumentTooLarge(
                    name,
                    f"member {info.filename!r} expands {info.file_size // max(info.compress_size, 1)}:1 "
                    "(zip bomb guard)",
                )
        if total > options.max_unzipped_bytes:
            raise DocumentTooLarge(
                name, f"expands to {total // 2**20} MiB (limit {options.max_unzipped_bytes // 2**20} MiB)"
            )
        self._budget = options.max_unzipped_bytes

    def names(self) -> list[str]:
        return self._zip.namelist()

    def has(self, member: str) -> bool:
        try:
            self._zip.getinfo(member)
        except KeyError:
            return False
        return True

    def refuse_dtds(self) -> None:
        """Refuse XML parts that declare a DTD, which Office packages never do (entity-expansion guard).

        The parsers behind python-docx, python-pptx and openpyxl fetch no external entities and cap
        entity expansion, each in its own way and words; a DTD is how a billion-laughs or XXE file
        starts, so refusing it here gives one plain reason whatever the library. The whole prologue is
        read, however much comment pads it (ingest.xml_prolog).
        """
        for info in self._zip.infolist():
            if not info.filename.lower().endswith(_XML_PARTS):
                continue
            try:
                with self._zip.open(info) as fh:
                    dtd = declares_dtd(fh)
            except (zipfile.BadZipFile, zlib.error, NotImplementedError, OSError, EOFError, ValueError) as err:
                raise CorruptDocument(self.name, f"cannot read part {info.filename!r} ({err})") from err
            if dtd:
                raise CorruptDocument(
                    self.name, f"{info.filename} declares a DTD, which Office files never do (entity-expansion guard)")

    def read(self, member: str) -> bytes:
        """Read one member, never inflating more than the remaining budget."""
        try:
            with self._zip.open(member) as fh:
                data = fh.read(self._budget + 1)
        except KeyError as err:
            raise CorruptDocument(self.name, f"missing part {member!r}") from err
        except (zipfile.BadZipFile, zlib.error, NotImplementedError, OSError, EOFError, ValueError) as err:
            # zlib.error: damaged deflate data; NotImplementedError: an unknown compression method
            raise CorruptDocument(self.name, f"cannot read part {member!r} ({err})") from err
        if len(data) > self._budget:
            raise DocumentTooLarge(self.name, f"part {member!r} expands past the size limit (zip bomb guard)")
        self._budget -= len(data)
        return data
