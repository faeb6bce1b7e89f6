"""The citation viewer: each [n] of an answer, summary or extraction opens its source — document,
page, the passage with the cited span highlighted, and for OCR'd pages the page image with its boxes.
"""
from __future__ import annotations

import html
import re
from dataclasses import dataclass

import streamlit as st

from agents.types import Source
from rag.errors import RetrievalError
from rag.model import Chunk
from ui.web import images
from ui.web.state import current


@dataclass(frozen=True)
class Highlighted:
    """A passage split around the cited span."""

    before: str
    span: str
    after: str

    def html(self) -> str:
        """Escaped HTML (the passage is document text, never markup) with the span in <mark>.

        One line, breaks as <br>: a blank line would end the HTML block and let Markdown read the rest
        (a table row's | or a line starting with # would turn into markup).
        """
        def text(part: str) -> str:
            return html.escape(part).replace("\n", "<br>")

        marked = f"<mark>{text(self.span)}</mark>" if self.span else ""
        return (f'<div class="korag-passage" style="line-height: 1.7">'
                f"{text(self.before)}{marked}{text(self.after)}</div>")


def highlight(passage: str, quote: str, start: int | None = None) -> Highlighted:
    """Find the cited quote in its passage (line breaks and spaces may differ); else fall back to the
    span offset `start` (where the quote begins in the passage); else mark nothing.
    """
    words = quote.split()
    found = re.search(r"\s+".join(map(re.escape, words)), passage) if words else None
    if found:
        return Highlighted(passage[:found.start()], found.group(), passage[found.end():])
    if words and start is not None and 0 <= start < len(passage):
        end = start + len(quote.strip())
        return Highlighted(passage[:start], passage[start:end], passage[end:])
    return Highlighted(passage, "", "")


def where(source: Source) -> str:
    return source.label()


def render_sources(sources: list[Source]) -> None:
    """One expander per citation, labelled [n] 문서 › 조문 · 쪽; opening it shows the source."""
    if not sources:
        return
    st.caption("출처 — 번호를 눌러 원문을 여세요")
    chunks = _chunks([s.chunk_id for s in sources])
    for source in sources:
        with st.expander(where(source)):
            _render_source(source, chunks.get(source.chunk_id))


def _chunks(ids: list[int]) -> dict[int, Chunk]:
    try:
        assistant = current()
        readable = {d.id for d in assistant.documents()}  # access may have changed since the answer
        return {i: c for i, c in assistant.kb.store.chunks(ids).items() if c.document_id in readable}
    except RetrievalError:
        return {}


def _render_source(source: Source, chunk: Chunk | None) -> None:
    if chunk is None:  # deleted or re-ingested since the answer was written
        st.warning("이 출처의 원문이 지식베이스에서 지워졌거나 바뀌었습니다. 인용된 문장만 보여 드립니다.")
        st.markdown(Highlighted("", source.quote, "").html(), unsafe_allow_html=True)
        return
    if source.start <= chunk.start and source.end >= chunk.end:
        # the citation covers the whole passage (or more: a summary cites whole documents, with a shortened
        # quote): mark all of it rather than the quote's first characters
        marked = Highlighted("", chunk.text, "")
    else:
        marked = highlight(chunk.text, source.quote, source.start - chunk.start)
    st.markdown(marked.html(), unsafe_allow_html=True)
    if chunk.boxes and source.page:
        _render_page(source, chunk, cited_lines(chunk, marked))


def cited_lines(chunk: Chunk, marked: Highlighted) -> list[bool]:
    """Which of an OCR'd chunk's boxes hold the cited span: boxes[i] is where the i-th line of the text
    was read (rag.model.Block). When lines and boxes do not pair up, every box counts as cited.
    """
    lines = chunk.text.split("\n")
    if len(lines) != len(chunk.boxes) or not marked.span:
        return [True] * len(chunk.boxes)
    start, end = len(marked.before), len(marked.before) + len(marked.span)
    flags, at = [], 0
    for line in lines:
        flags.append(at < end and start < at + len(line))
        at += len(line) + 1
    return flags


def _render_page(source: Source, chunk: Chunk, cited: list[bool]) -> None:
    """An OCR'd chunk knows where its lines are on the page: draw them on the page image."""
    kb = current().kb
    try:
        record = current().document(source.document_id)
        original = kb.file_path(record.sha256, record.name)
        if not original.exists() and not kb.settings.keep_originals:
            raise FileNotFoundError("원본 파일을 보관하지 않는 지식베이스입니다 (KORAG_KEEP_ORIGINALS=false)")
        data = original.read_bytes()
        page = images.page_image(data, record.name, source.page)
    except (RetrievalError, OSError, ValueError) as err:
        st.caption(f"쪽 이미지를 열 수 없습니다: {err}")
        return
    boxes = images.fraction_boxes(page, chunk.boxes)
    shown = images.draw_boxes(page, [b for b, c in zip(boxes, cited) if not c], color=(150, 150, 150))
    shown = images.draw_boxes(shown, [b for b, c in zip(boxes, cited) if c])
    legend = "빨간 상자: 인용된 줄, 회색 상자: 같은 단락의 다른 줄" if not all(cited) else "빨간 상자: 인용된 단락을 읽은 자리"
    st.image(shown, caption=f"{record.name} · {source.page}쪽 — {legend}", width="stretch")
