"""Morpheme-aware splitting: Kiwi sentences packed into chunks that carry page and heading path.

Chunks are whole sentences up to a budget counted in Kiwi morphemes, with sentence overlap; a
sentence over the budget is cut only between eojeol (at spaces); a table stays whole where it
fits, else it is split between its lines (each line of a rendered table or form stands alone:
"header: value"). An article (제N조) starts a chunk; a long one is cut where a 항 (①) begins; the
항/호/목 levels of a heading path (ingest.structure) never start a chunk on their own. A chunk's
kind is the kind of the block it starts with ("text" for body). Kiwi runs once per sentence and its
lexical terms (content morphemes and noun pairs) are kept on the chunk for the BM25 index.
"""
from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from kiwipiepy import Kiwi, Token
from langchain_text_splitters import TextSplitter

from ingest.structure import is_soft
from rag.model import Block, Chunk, ParsedDocument, heading_prefix

_GRID_KINDS = ("table", "form")  # kept whole or split between lines, never packed with prose
# Block kind -> chunk kind; body text ("paragraph", "list") is "text".
_CHUNK_KIND = {"table": "table", "form": "form", "annex": "annex", "note": "note", "label": "label",
               "header": "header", "footer": "footer"}


def hard_path(path: tuple[str, ...]) -> tuple[str, ...]:
    """A heading path without its trailing 항/호/목 levels: what decides where a chunk starts."""
    end = len(path)
    while end and is_soft(path[end - 1]):
        end -= 1
    return path[:end]
from rag.morphemes import lexical_terms, lexical_terms_many, shared_kiwi


# Text with no space for this long is not prose Kiwi can place sentence ends in (a 21 MB line of
# Hangul, a base64 blob); Kiwi's cost grows faster than the length of one unbroken input, so such
# runs are cut into UNBROKEN_PIECE-character inputs: linear time, and eojeol boundaries are moot there.
UNBROKEN_RUN = 1024
UNBROKEN_PIECE = 512
_UNBROKEN = re.compile(r"\S{%d,}" % UNBROKEN_RUN)


def kiwi_inputs(text: str) -> list[tuple[int, str]]:
    """(offset, piece) of `text` for Kiwi: the text whole, or cut inside runs of UNBROKEN_RUN+ non-spaces."""
    if len(text) < UNBROKEN_RUN:
        return [(0, text)]
    cuts = [cut for run in _UNBROKEN.finditer(text)
            for cut in range(run.start() + UNBROKEN_PIECE, run.end(), UNBROKEN_PIECE)]
    bounds = [0, *cuts, len(text)]
    return [(a, text[a:b]) for a, b in zip(bounds, bounds[1:])]


@dataclass(frozen=True)
class Sentence:
    """A sentence (or eojeol-aligned piece of one) with its span in the document text."""

    text: str
    start: int
    end: int
    terms: tuple[str, ...]
    size: int  # Kiwi tokens


def _pieces(tokens: Sequence[Token], text: str, base: int, budget: int) -> list[Sentence]:
    """One Kiwi sentence as pieces of at most `budget` tokens, cut only where an eojeol ends."""
    pieces: list[Sentence] = []
    begin = 0
    while begin < len(tokens):
        end = min(begin + budget, len(tokens))
        if end < len(tokens):
            # back off to the last token that starts a new eojeol (a space precedes it)
            cut = end
            while cut > begin + 1 and tokens[cut].start == tokens[cut - 1].end:
                cut -= 1
            end = cut if cut > begin + 1 else end
        first, last = tokens[begin], tokens[end - 1]
        pieces.append(Sentence(text[first.start:last.end], base + first.start, base + last.end,
                               tuple(lexical_terms(tokens[begin:end])), end - begin))
        begin = end
    return pieces


def _block_offsets(blocks: Sequence[Block]) -> list[int]:
    offsets, position = [], 0
    for block in blocks:
        offsets.append(position)
        position += len(block.text) + 1  # ParsedDocument.text joins blocks with "\n"
    return offsets


class KoreanSplitter:
    """Turns a `ParsedDocument` into `Chunk`s. Holds a shared, warmed Kiwi."""

    def __init__(self, kiwi: Kiwi | None = None, chunk_tokens: int = 384, overlap_sentences: int = 1) -> None:
        if chunk_tokens < 16:
            raise ValueError("chunk_tokens must be at least 16")
        self.kiwi = kiwi or shared_kiwi()
        self.budget = chunk_tokens
        self.overlap = max(0, overlap_sentences)

    def sentences(self, texts: Sequence[str], bases: Sequence[int]) -> list[list[Sentence]]:
        """Kiwi sentences of many texts in one call, so Kiwi's worker threads share the work.

        `tokenize(split_sents=True)` gives sentence boundaries from the same analysis that gives
        the morphemes; `split_into_sents` would build extra objects for the same result.
        """
        if not texts:
            return []
        inputs = [kiwi_inputs(text) for text in texts]
        flat = [(piece, base + offset) for parts, base in zip(inputs, bases) for offset, piece in parts]
        analysed = iter(self.kiwi.tokenize([piece for piece, _ in flat], split_sents=True))
        flat_sentences = [
            [piece for tokens in sents if tokens for piece in _pieces(tokens, text, base, self.budget)]
            for sents, (text, base) in zip(analysed, flat)
        ]
        result, at = [], 0
        for parts in inputs:
            result.append([s for part in flat_sentences[at:at + len(parts)] for s in part])
            at += len(parts)
        return result

    def split(self, doc: ParsedDocument) -> list[Chunk]:
        return self.split_many([doc])[0]

    def split_many(self, docs: Sequence[ParsedDocument]) -> list[list[Chunk]]:
        """Chunks of several documents, with all their text analysed in one batch."""
        prose: list[tuple[int, int]] = []  # (doc index, block index)
        texts: list[str] = []
        bases: list[int] = []
        offsets = [_block_offsets(doc.blocks) for doc in docs]
        for d, doc in enumerate(docs):
            for i, block in enumerate(doc.blocks):
                if block.kind not in _GRID_KINDS:
                    prose.append((d, i))
                    texts.append(block.text)
                    bases.append(offsets[d][i])
        sentences = dict(zip(prose, self.sentences(texts, bases)))
        tables = [(d, i) for d, doc in enumerate(docs) for i, b in enumerate(doc.blocks) if b.kind in _GRID_KINDS]
        rows = dict(zip(tables, self._table_rows([docs[d].blocks[i] for d, i in tables])))
        headings = self._heading_terms([b for doc in docs for b in doc.blocks])
        result = []
        for d, doc in enumerate(docs):
            packer = _Packer(self.budget, self.overlap, headings)
            for i, block in enumerate(doc.blocks):
                if block.kind in _GRID_KINDS:
                    packer.flush()
                    packer.emit_table(block, offsets[d][i], rows[(d, i)])
                else:
                    packer.add(block, sentences[(d, i)])
            packer.flush()
            result.append(packer.chunks)
        return result

    def _heading_terms(self, blocks: Sequence[Block]) -> dict[tuple[str, ...], tuple[str, ...]]:
        # every prefix too: a chunk that starts with its own heading is indexed with the headings above it
        paths = sorted({b.heading_path[:n] for b in blocks for n in range(1, len(b.heading_path) + 1)})
        terms = lexical_terms_many(self.kiwi, (" ".join(p) for p in paths))
        return {p: tuple(t) for p, t in zip(paths, terms)}

    def _table_rows(self, blocks: Sequence[Block]) -> list[list[tuple[str, tuple[str, ...], int]]]:
        """(row text, lexical terms, token count) for every row of every table."""
        texts: list[str] = []
        counts: list[int] = []
        for block in blocks:
            lines = block.text.split("\n")  # a rendered table: one self-describing line per row
            texts.extend(lines)
            counts.append(len(lines))
        indexed = [_row_values(text) for text in texts]
        analysed = iter(self.kiwi.tokenize([t for t, _ in indexed])) if texts else iter(())
        result, position = [], 0
        for count in counts:
            table = []
            for text, (_, labels) in zip(texts[position:position + count], indexed[position:position + count]):
                tokens = next(analysed)
                table.append((text, tuple(lexical_terms(tokens)), len(tokens) + labels))
            result.append(table)
            position += count
        return result


def _row_values(line: str) -> tuple[str, int]:
    """The words of a rendered row to index, and how many header labels were left out.

    A row reads "부서명: 연구개발1팀 · 팀장: 최민서" (ingest/structure_tables.py): its header names
    stand on the table's header line once; indexed again on every row they would inflate the chunk's
    length and the names' term frequency, and a 40-row sheet would lose to any prose that says 팀장 once.
    """
    cells = line.split(" · ")
    if len(cells) < 2 or not all(": " in cell for cell in cells):
        return line, 0
    return " ".join(cell.partition(": ")[2] for cell in cells), len(cells)


class _Packer:
    """Accumulates sentences into chunks; a new page, heading or table starts a new chunk."""

    def __init__(self, budget: int, overlap: int, heading_terms: dict[tuple[str, ...], tuple[str, ...]]) -> None:
        self.budget, self.overlap, self.heading_terms = budget, overlap, heading_terms
        self.chunks: list[Chunk] = []
        self.units: list[tuple[int, Sentence]] = []  # (block id, sentence)
        self.size = 0
        self.page: int | None = None
        self.heading_path: tuple[str, ...] = ()
        self.kind = "text"
        self.headings_only = False  # the chunk so far is headings: the next block joins it
        self.block_id = 0

    def add(self, block: Block, sentences: list[Sentence]) -> None:
        self.block_id += 1
        kind = _CHUNK_KIND.get(block.kind, "text")
        if self.units and not self.headings_only:
            same_part = hard_path(block.heading_path) == hard_path(self.heading_path)
            new_paragraph = same_part and block.heading_path != self.heading_path  # a new 항 of the same article
            too_long = self.size + sum(s.size for s in sentences) > self.budget
            if (block.page != self.page or block.kind == "heading" or not same_part or kind != self.kind
                    or (new_paragraph and too_long)):
                self.flush()
        if not self.units or self.headings_only:
            # A heading opens the chunk of what follows it: that block's path and kind are the chunk's.
            if not self.units or block.page == self.page:
                self.page, self.heading_path, self.kind = block.page, block.heading_path, kind
            else:
                self.flush()
                self.page, self.heading_path, self.kind = block.page, block.heading_path, kind
        self.headings_only = block.kind == "heading" and (self.headings_only or not self.units)
        for sentence in sentences:
            if self.units and self.size + sentence.size > self.budget:
                carried = self.units[-self.overlap:] if self.overlap else []
                self.flush()
                self.page, self.heading_path, self.kind = block.page, block.heading_path, kind
                if sum(s.size for _, s in carried) + sentence.size <= self.budget:  # overlap only if it fits
                    self.units = list(carried)
                    self.size = sum(s.size for _, s in carried)
            self.units.append((self.block_id, sentence))
            self.size += sentence.size

    def flush(self) -> None:
        if not self.units:
            return
        parts: list[str] = []
        previous_block = None
        for block_id, sentence in self.units:
            if previous_block is not None:
                parts.append(" " if block_id == previous_block else "\n")
            parts.append(sentence.text)
            previous_block = block_id
        text = "".join(parts)
        terms = tuple(t for _, s in self.units for t in s.terms)
        # The headings above the chunk are indexed with it (제2장 대부 › 제12조…): its own heading too
        # unless the text starts with it, where the words are already counted.
        context = self.heading_path if heading_prefix(text, self.heading_path) else self.heading_path[:-1]
        terms = self.heading_terms.get(context, ()) + terms
        self._emit(text, terms, self.units[0][1].start, self.units[-1][1].end, self.kind)
        self.units, self.size, self.headings_only = [], 0, False

    def emit_table(self, block: Block, base: int, rows: list[tuple[str, tuple[str, ...], int]]) -> None:
        self.page, self.heading_path = block.page, block.heading_path
        total = sum(size for _, _, size in rows)
        if total <= self.budget or len(rows) <= 1:
            terms = self.heading_terms.get(block.heading_path, ()) + tuple(t for _, ts, _ in rows for t in ts)
            self._emit(block.text, terms, base, base + len(block.text), block.kind)
            return
        header, body = rows[0], rows[1:]
        piece: list[tuple[str, tuple[str, ...], int]] = []
        size = header[2]
        cursor = 0
        for row in body:
            if piece and size + row[2] > self.budget:
                cursor = self._emit_rows(block, base, header, piece, cursor)
                piece, size = [], header[2]
            piece.append(row)
            size += row[2]
        if piece:
            self._emit_rows(block, base, header, piece, cursor)

    def _emit_rows(self, block: Block, base: int, header, piece, cursor: int) -> int:
        text = "\n".join([header[0]] + [row[0] for row in piece])
        start = block.text.find(piece[0][0], cursor)
        end = block.text.find(piece[-1][0], max(start, cursor))
        start = start if start >= 0 else 0
        end = end + len(piece[-1][0]) if end >= 0 else len(block.text)
        terms = self.heading_terms.get(block.heading_path, ()) + header[1] + tuple(t for _, ts, _ in piece for t in ts)
        self._emit(text, terms, base + start, base + end, block.kind)
        return end

    def _emit(self, text: str, terms: tuple[str, ...], start: int, end: int, kind: str) -> None:
        self.chunks.append(Chunk(text=text, morphemes=terms, page=self.page, heading_path=self.heading_path,
                                 ordinal=len(self.chunks), start=start, end=end, kind=kind))


class KiwiTextSplitter(TextSplitter):
    """LangChain `TextSplitter` on Kiwi sentence boundaries, for use outside korag.

    Sentences are merged with " " (the TextSplitter default "\\n\\n" is wrong for sentence units);
    `chunk_size` and `chunk_overlap` are in `length_function` units (characters by default).
    """

    def __init__(self, kiwi: Kiwi | None = None, separator: str = " ", **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._kiwi = kiwi or shared_kiwi()
        self._separator = separator

    def split_text(self, text: str) -> list[str]:
        pieces: list[str] = []
        for sentence in self._kiwi.split_into_sents(text, return_tokens=True):
            if self._length_function(sentence.text) <= self._chunk_size:
                pieces.append(sentence.text)
                continue
            # over-long sentence: cut between eojeol so no word is split
            words, current = sentence.text.split(" "), ""
            for word in words:
                candidate = f"{current} {word}" if current else word
                if current and self._length_function(candidate) > self._chunk_size:
                    pieces.append(current)
                    current = word
                else:
                    current = candidate
            if current:
                pieces.append(current)
        return self._merge_splits(pieces, self._separator)
