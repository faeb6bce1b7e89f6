"""Summarizing a document or a selection of it: whole when it fits the model's context, map-reduce when
it does not (section summaries, then a summary of summaries), extractive (central sentences) without an LLM.
"""
from __future__ import annotations

from typing import Literal

from agents.budget import _PER_MESSAGE
from agents.digest import digest
from agents.extractive import Passage
from agents.prompts import (MAP_INSTRUCTION, REDUCE_INSTRUCTION, SUMMARY_LENGTHS, SUMMARY_STYLES, SUMMARY_SYSTEM,
                            WHOLE_INSTRUCTION, passages_block)
from agents.tasks import SUMMARY_NOTICE, Workspace, llm_or_extractive, note_extractive, source
from agents.types import Summary
from rag.kb import SearchHit
from rag.model import Chunk
from rag.store import DocumentRecord

Length = Literal["short", "medium", "long"]
Style = Literal["paragraph", "bullets"]


def select_chunks(ws: Workspace, document: DocumentRecord, pages: tuple[int, int] | None = None,
                  chunk_ids: list[int] | None = None) -> list[Chunk]:
    """The document's chunks in order, narrowed to a page range or to chosen chunks."""
    chunks = ws.kb.store.document_chunks(document.id)
    if pages is not None:
        first, last = pages
        chunks = [c for c in chunks if c.page is not None and first <= c.page <= last]
    if chunk_ids is not None:
        wanted = set(chunk_ids)
        chunks = [c for c in chunks if c.id in wanted]
    return chunks


def summarize(ws: Workspace, document: DocumentRecord, chunks: list[Chunk], length: Length = "medium",
              style: Style = "paragraph") -> Summary:
    """A summary of `chunks` (all or part of `document`) by the LLM, or extractive without one."""
    if length not in SUMMARY_LENGTHS or style not in SUMMARY_STYLES:
        raise ValueError(f"length must be one of {list(SUMMARY_LENGTHS)}, style one of {list(SUMMARY_STYLES)}")
    notices: list[str] = []
    if not chunks:
        return Summary(document_id=document.id, document=document.name, text="요약할 내용이 없습니다.",
                       method="extractive", mode="extractive", notices=["선택한 범위에 본문이 없습니다."])
    return llm_or_extractive(ws.llm, notices, lambda: _llm_summary(ws, document, chunks, length, style, notices),
                             lambda: _extractive_summary(ws, document, chunks, length, style, notices))


def _hit(document: DocumentRecord, chunk: Chunk) -> SearchHit:
    return SearchHit(chunk=chunk, document=document, score=0.0)


def _extractive_summary(ws: Workspace, document: DocumentRecord, chunks: list[Chunk], length: Length, style: Style,
                        notices: list[str]) -> Summary:
    passages = [Passage(c.id, c.text, rank=i) for i, c in enumerate(chunks)]
    # central sentences over the whole selection, its sections in order, the document's kind in mind
    picked = digest(passages, ws.kiwi, length, title=document.title or "")
    by_id = {c.id: c for c in chunks}
    citations, parts = [], []
    for extract in picked:
        citations.append(source(len(citations) + 1, _hit(document, by_id[extract.chunk_id]),
                                (extract.start, extract.end)))
        parts.append(f"{' '.join(extract.text.split())} [{len(citations)}]")  # a PDF's wrapped lines as one
    text = "\n".join(f"- {p}" for p in parts) if style == "bullets" else " ".join(parts)
    note_extractive(notices, SUMMARY_NOTICE)
    return Summary(document_id=document.id, document=document.name, text=text or "요약할 문장을 찾지 못했습니다.",
                   citations=citations, method="extractive", mode="extractive", notices=notices)


def _llm_summary(ws: Workspace, document: DocumentRecord, chunks: list[Chunk], length: Length, style: Style,
                 notices: list[str]) -> Summary:
    llm = ws.llm
    count = llm.count_tokens
    room = llm.context_length - ws.settings.llm_max_tokens - count(SUMMARY_SYSTEM) - 3 * _PER_MESSAGE - 64
    if room < 256:
        raise ValueError(f"the model's context ({llm.context_length} tokens) leaves no room to summarize; "
                         f"lower KORAG_LLM_MAX_TOKENS")
    words = {"length": SUMMARY_LENGTHS[length], "style": SUMMARY_STYLES[style], "document": document.name}
    texts = [c.text for c in chunks]
    sections = _pack(texts, count, room)
    if len(sections) == 1:
        text = _ask(ws, sections[0], WHOLE_INSTRUCTION.format(**words))
        method = "whole"
    else:
        partials = [_ask(ws, section, MAP_INSTRUCTION.format(length="3~5문장으로", document=document.name))
                    for section in sections]
        while True:  # reduce, in as many rounds as the partial summaries need
            groups = _pack(partials, count, room)
            if len(groups) == 1:
                break
            partials = [_ask(ws, g, MAP_INSTRUCTION.format(length="3~5문장으로", document=document.name))
                        for g in groups]
        text = _ask(ws, groups[0], REDUCE_INSTRUCTION.format(**words))
        method = "map-reduce"
        notices.append(f"문서가 모델의 컨텍스트보다 길어 {len(sections)}개 부분을 나눠 요약한 뒤 합쳤습니다.")
    if llm.licence_notice:
        notices.append(llm.licence_notice)
    # The model's summary has no [n] markers to trust; its sources are the parts it read, one per page
    # (or one per chunk for documents without pages), so a reader can open each.
    firsts: dict[object, Chunk] = {}
    for chunk in chunks:
        firsts.setdefault(chunk.page if chunk.page is not None else chunk.id, chunk)
    spans = [source(i + 1, _hit(document, c)) for i, c in enumerate(list(firsts.values())[:50])]
    return Summary(document_id=document.id, document=document.name, text=text, citations=spans, method=method,
                   mode="llm", model=llm.model, notices=notices)


def _ask(ws: Workspace, texts: list[str], instruction: str) -> str:
    block = passages_block([(i + 1, "", t) for i, t in enumerate(texts)])
    return ws.llm.generate([("system", SUMMARY_SYSTEM), ("user", f"{block}\n\n{instruction}")])


def _pack(texts: list[str], count, room: int) -> list[list[str]]:
    """Consecutive texts grouped so each group fits `room` tokens (a text too long alone is cut)."""
    groups: list[list[str]] = [[]]
    used = 0
    for text in texts:
        cost = count(text) + 6
        if cost > room:  # one chunk larger than the whole room: keep its head
            text = text[: max(200, int(len(text) * room / cost) - 50)]
            cost = count(text) + 6
        if used + cost > room and groups[-1]:
            groups.append([])
            used = 0
        groups[-1].append(text)
        used += cost
    return groups
