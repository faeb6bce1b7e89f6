"""The second hostile corpus (issue 19): small files that make a parser do unbounded work, built here.

`cases()` is appended to tests/hostile/build.py's corpus, so every case runs in the same metered
batch (30 s and 1 GiB each) beside the first round's. Nothing binary is committed.
"""
from __future__ import annotations

import io
import random
import zipfile
import zlib

import numpy as np
from PIL import Image

CP949_HALF = "공지사항: 정기 점검은 오전 8시부터 오후 2시까지 진행합니다."
UTF8_HALF = "추가 안내: 점검 중에는 사내 메신저로 문의하시기 바랍니다."
NUL_TEXT = "널 바이트가 섞인 안내문입니다. 출입증은 반드시 패용하십시오."
UNBROKEN_HEAD = "출장비정산안내"
SPARSE_A, SPARSE_XFD = "해외출장특별예산", "감사팀사전승인필요"
SHEET = "xl/worksheets/sheet1.xml"
SST_REL = (b'<Relationship Id="rIdSst" Target="sharedStrings.xml" Type="http://schemas.openxmlformats.org/'
           b'officeDocument/2006/relationships/sharedStrings"/>')
SST_TYPE = (b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
            b'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>')
SHEET_NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'


def pdf_file(objects: list[bytes]) -> bytes:
    """A PDF of `objects` (object 1 is the catalog) with a correct cross-reference table."""
    out = bytearray(b"%PDF-1.7\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{o:010d} 00000 n \n".encode() for o in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


def _zlib_of_repeats(block: bytes, times: int) -> bytes:
    """zlib data of `block` repeated `times` times, compressed once: a full flush resets the history, so
    every later copy deflates to the same bytes (seconds instead of a minute of deflating 1 GiB)."""
    deflate = zlib.compressobj(6, zlib.DEFLATED, -15)
    first = deflate.compress(block) + deflate.flush(zlib.Z_FULL_FLUSH)
    again = deflate.compress(block) + deflate.flush(zlib.Z_FULL_FLUSH)
    adler = 1
    for _ in range(times):
        adler = zlib.adler32(block, adler)
    body = first + again * (times - 1) + deflate.flush()
    return b"\x78\x9c" + body + adler.to_bytes(4, "big")


def looping_page_tree() -> bytes:
    """~600 bytes: the page tree lists itself among its kids; PDFium fails to load page 2."""
    return pdf_file([b"<< /Type /Catalog /Pages 2 0 R >>",
                     b"<< /Type /Pages /Kids [2 0 R 3 0 R] /Count 2 >>",
                     b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>"])


def content_stream_bomb(expanded: int = 2**30) -> bytes:
    """One page whose content stream (spaces: valid, empty content) inflates to `expanded` bytes; ~1 MB."""
    stream = _zlib_of_repeats(b" " * 2**20, expanded // 2**20)
    return pdf_file([b"<< /Type /Catalog /Pages 2 0 R >>",
                     b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
                     b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>",
                     b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(stream) + stream + b"\nendstream"])


def empty_records(count: int = 26_000_000, every: int = 200) -> bytes:
    """`count` empty 4-byte HWP records, raw-deflated; one in `every` has a random tag and level, which
    holds the ratio near 130:1, under the 200:1 guard (all-zero records would deflate 1000:1)."""
    headers = np.zeros(count, dtype="<u4")
    rng = np.random.default_rng(19)
    headers[::every] = rng.integers(16, 2**20, size=len(headers[::every]), dtype=np.uint32)
    raw = headers.tobytes()
    deflate = zlib.compressobj(6, zlib.DEFLATED, -15)
    return deflate.compress(raw) + deflate.flush()


def _worksheet(rows: str) -> bytes:
    head = f'<?xml version="1.0" encoding="UTF-8"?><worksheet {SHEET_NS}><sheetData>'
    return (head + rows + "</sheetData></worksheet>").encode()


def _inline(ref: str, text: str) -> str:
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'


def sparse_sheet(rows: int = 20_000) -> bytes:
    """A cell in column A and one in XFD (16,384th) on every row: padded rows would be 16,384 cells wide."""
    def row(r: int) -> str:
        a, xfd = (SPARSE_A, SPARSE_XFD) if r == 777 else ("항목", "비고")
        return f'<row r="{r}">{_inline(f"A{r}", f"{a}{r}")}{_inline(f"XFD{r}", f"{xfd}{r}")}</row>'

    body = "".join(row(r) for r in range(1, rows + 1))
    return _worksheet(body)


def formula_rows(rows: int = 1_048_576) -> bytes:
    """Every row of a sheet holds a formula with no cached value: nothing to read, a million rows to walk."""
    return _worksheet("".join(f'<row r="{r}"><c r="A{r}"><f>ROW()*2</f></c></row>' for r in range(1, rows + 1)))


def shared_strings(count: int) -> tuple[bytes, bytes]:
    """(sharedStrings.xml, sheet): `count` strings, and a sheet whose last cell names string `count` (one past)."""
    table = "".join(f"<si><t>문자열{i}</t></si>" for i in range(count))
    strings = (f'<?xml version="1.0" encoding="UTF-8"?><sst {SHEET_NS} count="{count}" uniqueCount="{count}">'
               f"{table}</sst>").encode()
    cells = "".join(f'<row r="{r}"><c r="A{r}" t="s"><v>{r * 997 % count}</v></c></row>' for r in range(1, 20))
    return strings, _worksheet(cells + f'<row r="20"><c r="A20" t="s"><v>{count}</v></c></row>')


def noise_frames(mode: str, size: int, count: int, fmt: str) -> bytes:
    """An animated GIF or a multi-page TIFF of random-noise frames (nothing to read, all of it work)."""
    rng = random.Random(19)
    bits = 1 if mode == "1" else 8
    frames = [Image.frombytes(mode, (size, size), rng.randbytes(size * size * bits // 8)) for _ in range(count)]
    out = io.BytesIO()
    extra = {"duration": 20, "loop": 0} if fmt == "GIF" else {"compression": "group4"}
    frames[0].save(out, fmt, save_all=True, append_images=frames[1:], **extra)
    return out.getvalue()


def cases() -> list:
    """The round-2 cases, in build.py's `Case` terms."""
    from tests.hostile.build import HP_NS, HWPX_BODY, Case, _docx_body, _hwp, _rezip, _sample

    docx, xlsx, hwpx = _sample("취업규칙.docx"), _sample("부서별_예산.xlsx"), _sample("출장비_규정.hwpx")
    with zipfile.ZipFile(io.BytesIO(xlsx)) as z:  # the sample has no shared-string table: register one
        rels = z.read("xl/_rels/workbook.xml.rels").replace(b"</Relationships>", SST_REL + b"</Relationships>")
        types = z.read("[Content_Types].xml").replace(b"</Types>", SST_TYPE + b"</Types>")
    many_strings, many_sheet = shared_strings(400_000)
    strings, strings_sheet = shared_strings(20)
    padded_dtd = (b'<?xml version="1.0"?><!--' + b"x" * 70_000 + b'--><!DOCTYPE w:document [<!ENTITY x SYSTEM '
                  b'"file:///etc/passwd">]>' + _docx_body("<w:p><w:r><w:t>&x;</w:t></w:r></w:p>").split(b"?>", 1)[1])
    padded_hwpx = (b'<?xml version="1.0"?><!--' + b"x" * 70_000 + b'--><!DOCTYPE hp:sec [<!ENTITY x SYSTEM '
                   b'"file:///etc/passwd">]>' + f"<hp:sec {HP_NS}>{HWPX_BODY.replace('TEXT', '&x;')}</hp:sec>".encode())
    unbroken = (UNBROKEN_HEAD + "회사규정에따라출장비는실비로지급한다" * 1700).encode()
    return [
        Case("hwp 26M empty records (130:1)", "빈레코드.hwp", _hwp({"BodyText/Section0": empty_records()}),
             reason="KORAG_MAX_SECTION_RECORDS"),
        Case("pdf page tree loops", "순환.pdf", looping_page_tree(), reason="page tree"),
        Case("pdf content stream 1 GiB", "내용폭탄.pdf", content_stream_bomb(), reason="KORAG_MAX_PDF_STREAM_MB"),
        Case("xlsx A + XFD on 20k rows", "희소.xlsx", _rezip(xlsx, {SHEET: sparse_sheet()}), expect="safe",
             contains=(f"{SPARSE_A}777",), fmt="xlsx"),
        Case("xlsx 1,048,576 formula rows", "수식.xlsx", _rezip(xlsx, {SHEET: formula_rows()}),
             reason="KORAG_MAX_SHEET_CELLS"),
        Case("xlsx 400k shared strings", "문자열.xlsx",
             _rezip(xlsx, {"xl/sharedStrings.xml": many_strings, SHEET: many_sheet, "xl/_rels/workbook.xml.rels": rels,
                           "[Content_Types].xml": types}), reason="KORAG_MAX_SHARED_STRINGS"),
        Case("xlsx shared string past the table", "문자열색인.xlsx",
             _rezip(xlsx, {"xl/sharedStrings.xml": strings, SHEET: strings_sheet, "xl/_rels/workbook.xml.rels": rels,
                           "[Content_Types].xml": types}), reason="shared string"),
        Case("gif 3,000 noise frames", "잡음.gif", noise_frames("L", 32, 3000, "GIF"), reason="KORAG_MAX_OCR_PAGES"),
        Case("tiff 300 pages", "300쪽.tif", noise_frames("1", 64, 300, "TIFF"), reason="KORAG_MAX_OCR_PAGES"),
        Case("txt 21 MB one line of Hangul", "한줄.txt", "가나다라마바사아자차카타파하".encode() * 500_000,
             reason="KORAG_MAX_DOCUMENT_CHARS"),
        Case("txt 30k-character unbroken line", "붙여쓰기.txt", unbroken, expect="safe", contains=(UNBROKEN_HEAD,),
             fmt="txt"),
        Case("docx DTD after 70 KB of comment", "긴주석.docx", _rezip(docx, {"word/document.xml": padded_dtd}),
             reason="dtd"),
        Case("hwpx DTD after 70 KB of comment", "긴주석.hwpx", _rezip(hwpx, {"Contents/section0.xml": padded_hwpx}),
             reason="dtd"),
        Case("txt half CP949, half UTF-8", "반반.txt",
             f"{CP949_HALF}\n".encode("cp949") * 30 + f"\n{UTF8_HALF}\n".encode() * 30, expect="safe",
             contains=(CP949_HALF, UTF8_HALF), fmt="txt"),
        Case("txt UTF-8 with NUL bytes", "널.txt", f"{NUL_TEXT}\0\0\n".encode() * 40, expect="safe",
             contains=(NUL_TEXT,), fmt="txt"),
    ]
