"""공문 and 공고 header and footer fields as `label` blocks (`Block.label` names the field).

A 공문 (two or more of 수신, 경유, 제목, 시행 starting a line) has its fields cut out of the blocks
that hold them: a field that starts a line, and the ones a 공문 writes further along a line ("수신
○○장관 (경유)", "시행 과-13666 (2025. 10. 24.) 접수 ( )", a table row of the approval box); its
발신명의 is the short line that names an office holder ("서울특별시장", "○○○장관", "인 사 혁 신 처 장"),
with or without 직인. A 공고 ("기관 공고 제2025-477호") has its number (문서번호), the date line
above its 기관장 (시행일자) and the 기관장 (발신명의). Cutting a line only turns the space or cell
separator in front of a field into a newline; a field line taken from a table row reads "시행 값",
like the printed letter, rather than "시행 · 값".
"""
from __future__ import annotations

import dataclasses
import re

from rag.model import Block

_FIELD = re.compile(r"^\(?\s*(수\s*신\s*자|수\s*신|경\s*유|참\s*조|제\s*목|시\s*행\s*일\s*자|시\s*행|접\s*수|"
                    r"발\s*신\s*명\s*의|발\s*신|문\s*서\s*번\s*호)\s*\)?\s*(?:[:：·|]\s*|\s+|$)")
CORE = {"수신", "제목", "시행", "경유"}
# Fields a 공문 writes after another on the same line: "(경유)" after 수신's value, 접수 after 시행's
# number and date, 시행 before a document number ("부서-123") in the approval box's row.
_MIDLINE = re.compile(r"(?:\s+·\s+|\s+\|\s+|\s+)(?=\(\s*경\s*유\s*\)|접\s*수(?:\s|[:：(]|$)|시\s*행\s+[^\s()·|]+-\s?\d)")
# An office holder: an organisation's name and 장/장관 (서울특별시장, 식품의약품안전처장, ○○○장관),
# letters often spaced out, a seal mark after it.
_OFFICE = re.compile(r"^(?:[가-힣○◯]{1,20}(?:특별자치시|특별자치도|특별시|광역시|위원회|공단|공사|재단|센터|학교|법원|"
                     r"[시도군구부처청원실국회단])|[○◯]{2,})(?:장관|장|사장|이사장|총장|원장|위원장|회장)$"
                     r"|^[가-힣○◯]{1,20}(?:군수|도지사|교육감)$")
_SEAL = re.compile(r"\s*[(\[]?\s*(?:직\s*인\s*생\s*략|직\s*인|인)\s*[)\]]?\s*$")
_NOTICE = re.compile(r"^[가-힣○◯ ]{2,30}?(?:공고|고시)\s*제\s*\d{4}\s*-\s*\d+\s*호$")
_DATE_LINE = re.compile(r"^\d{4}\s*[.년]\s*\d{1,2}\s*[.월]\s*\d{1,2}\s*[.일]?\s*\.?$")
_SENTENCE_END = re.compile(r"(?:다|요|음|함|임)\s*[.。]?$")  # a sentence, not a field: "…정리한다."
_FIELD_KINDS = ("paragraph", "list", "heading", "annex", "note", "table", "form")
MAX_FIELD_CHARS = 300


def field_name(line: str) -> str | None:
    """The 공문 field a line starts with (수신, 제목, 시행, 접수…), spaces removed; 수신자 reads 수신.

    A line that ends a sentence ("제목 그대로 … 정리한다.") starts no field, however it begins.
    """
    match = _FIELD.match(line.strip())
    if not match or len(line) > MAX_FIELD_CHARS or _SENTENCE_END.search(line.rstrip()):
        return None
    name = re.sub(r"\s+", "", match.group(1))
    return "수신" if name == "수신자" else name


def is_office_holder(line: str) -> bool:
    """True for a 발신명의 line: an organisation's head (서울특별시장, ○○○장관), seal mark allowed."""
    name = re.sub(r"\s+", "", _SEAL.sub("", line.strip()))
    return bool(_OFFICE.match(name)) and field_name(line) is None


def _cut_midline(line: str) -> str:
    """A line with a newline before each field a 공문 writes further along it; only a line that starts
    with a field, or holds "시행 부서-번호" (the approval box's row), is cut."""
    lead = len(line) - len(line.lstrip())
    body = line[lead:]
    if field_name(body) is None and not re.search(r"(?:^|\s)시\s*행\s+[^\s()·|]+-\s?\d", body):
        return line
    return line[:lead] + _MIDLINE.sub("\n", body)


def _as_field_line(line: str) -> str:
    """A field line from a table row: its cells joined by spaces, as the letter prints them."""
    return re.sub(r"\s+[·|]\s+", " ", line.strip())


def _split(block: Block, starts, alone) -> list[Block]:
    """The block cut before every line for which `starts` holds and after every one for which `alone` does."""
    lines = block.text.split("\n")
    out, current = [], []
    for line in lines:
        if current and (starts(line) or alone(current[-1])):
            out.append(current)
            current = []
        current.append(line)
    out.append(current)
    if len(out) == 1:
        return [block]
    return [dataclasses.replace(block, text="\n".join(part), rows=None) for part in out]


def _starts_part(line: str) -> bool:
    return field_name(line) is not None or is_office_holder(line)


def _letter(blocks: list[Block]) -> list[Block] | None:
    """The blocks of a 공문 with its fields labelled, or None when it is not one."""
    cut: list[Block] = []
    for block in blocks:
        if block.kind not in _FIELD_KINDS or len(block.text) > 20 * MAX_FIELD_CHARS:
            cut.append(block)
            continue
        text = "\n".join(_cut_midline(line) if len(line) <= MAX_FIELD_CHARS else line for line in block.text.split("\n"))
        # a field in a table is its row: the rows under it are other matter (address, telephone)
        alone = _starts_part if block.kind in ("table", "form") else is_office_holder
        cut.extend(_split(dataclasses.replace(block, text=text), _starts_part, alone))
    found = {field_name(b.text.split("\n")[0]) for b in cut if b.kind in _FIELD_KINDS}
    if len(found & CORE) < 2:
        return None
    out: list[Block] = []
    title_at = signature_at = None
    for block in cut:
        name = field_name(block.text.split("\n")[0]) if block.kind in _FIELD_KINDS else None
        if name is not None and len(block.text) <= MAX_FIELD_CHARS:
            text = _as_field_line(block.text) if block.kind in ("table", "form") else block.text
            block = dataclasses.replace(block, kind="label", label=name, text=text, rows=None)
            title_at = len(out) if name == "제목" and title_at is None else title_at
        elif title_at is not None and block.kind in _FIELD_KINDS and is_office_holder(block.text):
            signature_at = len(out)  # the last office holder after the 제목 signs the letter
        out.append(block)
    if signature_at is not None:
        out[signature_at] = dataclasses.replace(out[signature_at], kind="label", label="발신명의", rows=None)
    return out


def _notice(blocks: list[Block]) -> list[Block] | None:
    """A 공고's number, date and 기관장 as labelled blocks, or None when no block is a 공고 number."""
    single = [b.kind in ("paragraph", "heading") and "\n" not in b.text.strip() for b in blocks]
    number = next((i for i, b in enumerate(blocks[:12]) if single[i] and _NOTICE.match(b.text.strip())), None)
    if number is None:
        return None
    out = list(blocks)
    out[number] = dataclasses.replace(out[number], kind="label", label="문서번호")
    # the first office holder after the number signs the notice; the date stands on the line above it
    head = next((i for i in range(number + 1, len(out)) if single[i] and is_office_holder(out[i].text)), None)
    if head is not None:
        out[head] = dataclasses.replace(out[head], kind="label", label="발신명의")
        before = out[head - 1]
        if before.kind == "paragraph" and _DATE_LINE.match(before.text.strip()):
            out[head - 1] = dataclasses.replace(before, kind="label", label="시행일자")
    return out


def apply(blocks: list[Block]) -> list[Block]:
    """Blocks with a 공문's or a 공고's fields as `label` blocks; the same blocks when it is neither."""
    return _letter(blocks) or _notice(blocks) or blocks
