"""Whether an XML part declares a DTD anywhere in its prologue (before the root element), however long.

A prologue may hold any amount of whitespace, comments and processing instructions before
`<!DOCTYPE`: a fixed window (the first 64 KiB) is passed by 70 KB of comment. The walk below reads
the part a block at a time, keeps only the unread tail, and stops at the root element's `<`.
"""
from __future__ import annotations

import codecs
from typing import BinaryIO

_BLOCK = 1 << 16
_ENDS = {"<?": "?>", "<!--": "-->"}  # what each kind of prologue item ends with


def _encoding(head: bytes) -> str:
    """The part's encoding from its first bytes (XML 1.0 appendix F), enough to find markup."""
    if head.startswith((codecs.BOM_UTF16_LE, b"<\0?\0")):
        return "utf-16-le"
    if head.startswith((codecs.BOM_UTF16_BE, b"\0<\0?")):
        return "utf-16-be"
    return "utf-8"


def declares_dtd(fh: BinaryIO) -> bool:
    """True when `<!DOCTYPE` comes before the root element; False at the root or at anything else."""
    first = fh.read(_BLOCK)
    decoder = codecs.getincrementaldecoder(_encoding(first))(errors="replace")
    text = decoder.decode(first).lstrip("\ufeff")
    exhausted = not first
    while True:
        text = text.lstrip()
        if len(text) < 9 and not exhausted:  # too short to tell "<!DOCTYPE" from "<!--" yet
            text, exhausted = _more(fh, decoder, text)
            continue
        if text.startswith("<!DOCTYPE"):
            return True
        end = next((e for s, e in _ENDS.items() if text.startswith(s)), None)
        if end is None:  # the root element, or not XML at all: the parser has the last word
            return False
        text = text[2:]  # past "<?" or "<!": "<!-->" does not close the comment it opens
        at = text.find(end)
        while at < 0 and not exhausted:
            text, exhausted = _more(fh, decoder, text[-len(end):])  # an open comment: keep only its tail
            at = text.find(end)
        if at < 0:
            return False
        text = text[at + len(end):]


def _more(fh: BinaryIO, decoder: codecs.IncrementalDecoder, text: str) -> tuple[str, bool]:
    block = fh.read(_BLOCK)
    return text + decoder.decode(block, final=not block), not block
