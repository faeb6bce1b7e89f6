"""Turning the bytes of a plain-text file (TXT, Markdown, HTML) into `str`.

Korean files come as UTF-8, CP949/EUC-KR (Windows "ANSI" Korean) or UTF-16 (Notepad's
"Unicode"); the order below tries the unambiguous answers first and guesses last.
"""
from __future__ import annotations

import codecs
import unicodedata

import charset_normalizer

from ingest.errors import UnsupportedFormat

# UTF-32 before UTF-16: the UTF-32-LE BOM starts with the UTF-16-LE BOM.
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_KOREAN_CANDIDATES = ["cp949", "euc_kr", "utf_16", "johab"]
# Share of odd characters (controls, unassigned, U+FFFD) above which a decoding is wrong.
_MAX_ODD_SHARE = 0.02


def decode_text(data: bytes, name: str) -> str:
    """Decode `data`, preferring Korean encodings; raise `UnsupportedFormat` when nothing fits."""
    for bom, codec in _BOMS:
        if data.startswith(bom):
            try:
                return data[len(bom):].decode(codec)
            except UnicodeDecodeError as err:
                raise UnsupportedFormat(
                    name, f"starts with a {codec} byte-order mark but is not valid {codec} ({err.reason}); "
                    "re-save it as UTF-8"
                ) from err
    if b"\0" in data and utf16_without_bom(data) is None:
        # NULs in 8-bit text (a C string dump, a padded export): dropped, as no reader shows them
        data = data.replace(b"\0", b"")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    text = _utf8_with_a_few_bad_bytes(data)
    if text is not None:
        return text
    for codec in (utf16_without_bom(data), _cp949_if_korean(data)):
        if codec is not None:
            # a stray bad byte (a file cut mid-character) becomes U+FFFD; _looks_clean caps how many
            text = _try_decode(data, codec, errors="replace")
            if text is not None:
                return text
    text = _by_line(data, strict=True) or _guess(data, _KOREAN_CANDIDATES) or _guess(data, None) or _by_line(data)
    if text is None:
        raise UnsupportedFormat(
            name, "cannot determine the text encoding (tried UTF-8, UTF-16, CP949/EUC-KR and a detector); "
            "re-save the file as UTF-8"
        )
    return text


def _by_line(data: bytes, strict: bool = False) -> str | None:
    """Each line in its own encoding, UTF-8 or else CP949: a file appended to by two programs (half
    CP949, half UTF-8) fits neither as a whole. `strict`: only when every line decodes cleanly in one."""
    lines = []
    for line in data.split(b"\n"):
        try:
            lines.append(line.decode("utf-8"))
            continue
        except UnicodeDecodeError:
            pass
        try:
            lines.append(line.decode("cp949"))
        except UnicodeDecodeError:
            if strict:
                return None
            lines.append(line.decode("utf-8" if _utf8_share(line) > 0.5 else "cp949", errors="replace"))
    text = "\n".join(lines)
    return text if _looks_clean(text) else None


def _utf8_share(line: bytes) -> float:
    """Share of a line's non-ASCII bytes that sit in valid UTF-8 characters."""
    high = sum(1 for b in line if b > 0x7F)
    if not high:
        return 1.0
    return sum(len(c.encode()) for c in line.decode("utf-8", errors="replace") if "\u0080" <= c != "\ufffd") / high


def _utf8_with_a_few_bad_bytes(data: bytes) -> str | None:
    """UTF-8 Korean cut mid-character, or with a stray byte: the bad bytes become U+FFFD.

    Only when the valid multi-byte characters outnumber the bad bytes 50 to 1 (and there are at most
    one per thousand bytes): Latin-1 or CP949 text read as UTF-8 breaks at nearly every non-ASCII
    character, so it never passes and goes on to the detectors below.
    """
    text = data.decode("utf-8", errors="replace")
    bad = text.count("\ufffd")
    wide = sum(1 for c in text if ord(c) > 0x7F) - bad
    if bad <= max(1, len(data) // 1000) and wide >= 50 * bad:
        return text
    return None


def utf16_without_bom(data: bytes) -> str | None:
    """'utf-16-le'/'utf-16-be' when NUL bytes sit on one parity only, as ASCII does in UTF-16.

    Hangul syllables almost never contain a zero byte (U+AC00 '가' and a few others do), so Korean
    UTF-16 shows NULs mostly at its spaces, digits and line breaks: few, but on one side of each unit.
    """
    sample = data[:65536]
    if len(sample) < 4 or len(sample) % 2:
        return None
    even = sample[0::2].count(0)
    odd = sample[1::2].count(0)
    if even + odd < max(2, len(sample) // 200):
        return None
    if odd >= 9 * even:
        return "utf-16-le"
    if even >= 9 * odd:
        return "utf-16-be"
    return None


def _cp949_if_korean(data: bytes) -> str | None:
    """'cp949' when the bytes decode as CP949 into mostly Hangul, with at most a few bad bytes.

    Detectors hesitate on short Korean strings (a 20-byte CP949 line reads as Big5 or GB18030
    too); CP949 plus a Hangul check is the cheaper and surer test for this corpus. UTF-8 Korean
    read as CP949 breaks on every few bytes, so the bad-byte cap keeps it out.
    """
    text = data.decode("cp949", errors="replace")
    if text.count("\ufffd") > _MAX_ODD_SHARE * len(text):
        return None
    wide = [c for c in text if ord(c) > 0x7F]
    hangul = sum(1 for c in wide if "\uac00" <= c <= "\ud7a3" or "\u3130" <= c <= "\u318f")
    return "cp949" if wide and hangul >= 0.6 * len(wide) else None


def _guess(data: bytes, candidates: list[str] | None) -> str | None:
    best = charset_normalizer.from_bytes(data, cp_isolation=candidates).best()
    if best is None or best.encoding is None:
        return None
    # CP949 is a superset of EUC-KR: Windows files labelled EUC-KR routinely carry CP949-only syllables.
    codec = "cp949" if best.encoding in ("euc_kr", "cp949") else best.encoding
    return _try_decode(data, codec)


def _try_decode(data: bytes, codec: str, errors: str = "strict") -> str | None:
    try:
        text = data.decode(codec, errors)
    except (UnicodeDecodeError, LookupError):
        return None
    return text if _looks_clean(text) else None


def _looks_clean(text: str) -> bool:
    if not text:
        return True
    odd = 0
    for ch in text[:65536]:
        if ch in "\t\n\r\f":
            continue
        category = unicodedata.category(ch)
        if category in ("Cc", "Cn", "Cs") or ch == "\ufffd":
            odd += 1
    return odd <= _MAX_ODD_SHARE * min(len(text), 65536)
