"""The places a Korean contract gives its parties and its date, for the extraction rules (`agents.rules`).

A contract names its parties once, in the formula `X(이하 "갑"이라 한다)`, and dates itself on a line
of its own above the signatures (`2025. 3. 14.` / `갑 주식회사 …`). A 당사자 or 계약일 field with no
label of its own is read from those places, never from the first organisation or date in the text.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from agents.extractive import Passage
from ingest.numbers import KoreanDate, find_dates

# X(이하 "갑"이라 한다), X(이하 '을'이라 함), X (이하 “병”이라 칭한다)
_DEFINED = re.compile(r"\(\s*이하\s*[\"'“‘]?\s*(갑|을|병|정)\s*[\"'”’]?\s*(?:이?라|라고)\s*(?:칭\s?)?(?:한다|함)\s*\)")
# the lines right under the contract's date: the parties' signature block
_SIGNATURE = re.compile(r"^\s*(?:[\"“]?[갑을병][\"”]?(?:\s|\(|:|$)|구분|상호|대표|주소|발주|수급|계약\s?상대)")


_COMPANY_WORD = r"(?:주식회사|유한회사|\(주\)|㈜)"
_NAMED = re.compile(rf"(?:{_COMPANY_WORD}\s?)?[가-힣A-Za-z0-9&]+(?:\s?{_COMPANY_WORD})?$")


@dataclass(frozen=True)
class Placed:
    """A value and where its source text is: passages[passage].text[start:end]."""

    value: object
    passage: int
    start: int
    end: int


def parties(passages: list[Passage]) -> list[Placed]:
    """The parties a contract defines ("갑", "을" …), in the order it defines them."""
    out: list[Placed] = []
    seen: set[str] = set()
    for p, passage in enumerate(passages):
        text = passage.text
        for m in _DEFINED.finditer(text):
            before = text[:m.start()].rstrip()
            # the word before the formula, with its company word ("주식회사 한결건설", "대성레미콘 주식회사")
            word = _NAMED.search(before)
            if word is None:
                continue
            start = word.start()
            name = before[start:]
            if name and name not in seen:
                seen.add(name)
                out.append(Placed(name, p, start, len(before)))
    return out


def closing_date(passages: list[Passage]) -> Placed | None:
    """The date on a line of its own right above the signature block, or ending the contract (the last such)."""
    lines = []
    for p, passage in enumerate(passages):
        offset = 0
        for line in passage.text.split("\n"):
            if line.strip():
                lines.append((p, offset, line))
            offset += len(line) + 1
    found = None
    for n, (p, offset, line) in enumerate(lines):
        dates = find_dates(line, partial=False)
        written = line[dates[0].start:dates[0].end] if dates else ""
        alone = len(dates) == 1 and re.sub(r"[\s.]", "", line) == re.sub(r"[\s.]", "", written)
        if not alone:
            continue
        last = n == len(lines) - 1  # or the contract's last line, the signatures left to the seals
        if last or any(_SIGNATURE.match(following) for _, _, following in lines[n + 1:n + 4]):
            date = dates[0]
            found = Placed(date.value, p, offset + date.start, offset + date.end)
    return found if found is not None and isinstance(found.value, KoreanDate) else None
