"""Text normalisation applied to every block a loader emits.

NFC (HWP and macOS produce decomposed Hangul jamo), private-use glyphs removed (HWP and PDF fonts
map bullets and symbols into the PUA), tabs and odd spaces between words turned into one space.
"""
from __future__ import annotations

import re
import unicodedata

_PUA = re.compile("[\ue000-\uf8ff\U000f0000-\U000ffffd\U00100000-\U0010fffd]")
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufeff\u200b\u00ad]")
# Tabs, no-break and ideographic spaces: some PDFs separate every word with a TAB.
_SPACES = re.compile("[\t\u00a0\u2000-\u200a\u202f\u205f\u3000 ]+")
_BLANK_LINES = re.compile(r"\n\s*\n\s*\n+")


def normalize_text(text: str) -> str:
    """NFC, strip private-use and control characters, repair whitespace; keep line breaks."""
    text = unicodedata.normalize("NFC", text)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _PUA.sub("", text)
    text = _CONTROL.sub("", text)
    text = _SPACES.sub(" ", text)
    text = "\n".join(line.strip() for line in text.split("\n"))
    text = _BLANK_LINES.sub("\n\n", text)
    return text.strip()


def collapse_whitespace(text: str) -> str:
    """Every whitespace run becomes one space (how expected snippets are compared)."""
    return " ".join(text.split())
