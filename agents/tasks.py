"""Answering a question with citations: retrieve, fit the context, ask the LLM (or pick sentences), cite.

`answer` and `stream_answer` are the fast path for plain questions; `summarize` and `extract` live in
their own modules and are re-exported here. Every result says which mode produced it.
"""
from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

from agents.budget import fit
from agents.errors import LLMUnavailable
from agents.document_fields import asked_field, find_field, header_field
from agents.extractive import Passage, answer_sentences
from agents.sentences import block_kind, sentence_article
from agents.lexicons import alternation, lexicon
from agents.prompts import (ANSWER_SYSTEM, EXTRACTIVE_NOT_FOUND, NOT_FOUND, REWRITE_SYSTEM, answer_user,
                            passages_block)
from agents.types import Answer, Message, Source, TokenMeter, Usage
from rag.acl import Reader
from rag.filters import Filters
from rag.kb import KnowledgeBase, SearchHit
from rag.model import citation_label
from rag.morphemes import morphemes
from rag.retrieve import Mode, Retriever
from rag.store import DocumentRecord
from rag.settings import Settings

if TYPE_CHECKING:  # the LLM client loads LangChain and openai: only when an LLM is configured
    from agents.llm import LLM

log = logging.getLogger(__name__)
T = TypeVar("T")

# Why a result is extractive: no LLM configured (one notice per task), or the configured one failed.
EXTRACTIVE_NOTICE = "LLM이 설정되지 않아 문서에서 고른 문장으로 답합니다(추출형 답변)."
SUMMARY_NOTICE = "LLM이 설정되지 않아 문서에서 고른 문장으로 요약합니다(추출형 요약: 중심 문장 선택)."
RULES_NOTICE = "LLM이 설정되지 않아 규칙(날짜·금액·전화번호·기관명 등)으로 추출합니다(규칙 기반 추출)."
_FALLBACK = "LLM을 사용할 수 없어 추출형으로 대신합니다"
_CITE = re.compile(r"\[(\d+(?:\s*[,，]\s*\d+)*)\]")
# "그럼 일비는?", "그중 가장 싼 것은?": words that point back at the previous turn
_FOLLOW_UP = re.compile(alternation(lexicon("questions")["follow_up"]))


@dataclass
class Workspace:
    """What the tasks work with: one knowledge base, its retriever, and the LLM if one is configured."""

    kb: KnowledgeBase
    retriever: Retriever
    settings: Settings
    llm: LLM | None = None
    reader: Reader | None = None  # the person asking: every search and document lookup is limited to them

    @property
    def kiwi(self):
        return self.kb.kiwi()

    def search(self, query: str, k: int, mode: Mode = "hybrid", filters: Filters | None = None) -> list[SearchHit]:
        """The retriever's search, limited to what the reader may read (inside the indexes)."""
        return self.retriever.search(query, k, mode, (filters or Filters()).for_reader(self.reader))

    def document(self, ref: str) -> DocumentRecord:
        """A document the reader may read (DocumentNotFound otherwise, as if it did not exist)."""
        return self.kb.document(ref, self.reader)


def fallback_notice(error: LLMUnavailable) -> str:
    return f"{_FALLBACK}: {error}"


def llm_or_extractive(llm: LLM | None, notices: list[str], by_llm: Callable[[], T], extractive: Callable[[], T]) -> T:
    """`by_llm()` when an LLM is given; without one, or when it is unavailable, `extractive()`.

    Every task degrades the same way: an unreachable or failing server is a notice on the result
    (appended to `notices`), never an error, so korag keeps answering on its extractive default.
    """
    if llm is not None:
        try:
            return by_llm()
        except LLMUnavailable as error:
            log.warning("LLM unavailable, falling back to the extractive result: %s", error)
            notices.append(fallback_notice(error))
    return extractive()


def note_extractive(notices: list[str], notice: str) -> None:
    """Put `notice` (no LLM configured) first, unless a fallback notice already says why it is extractive."""
    if not any(n.startswith(_FALLBACK) for n in notices):
        notices.insert(0, notice)


def source(n: int, hit: SearchHit, offset: tuple[int, int] | None = None) -> Source:
    """The citation for a hit; `offset` narrows it to a span of the chunk's text (a sentence)."""
    chunk = hit.chunk
    start, end, quote = chunk.start, chunk.end, chunk.text
    if offset is not None:
        start = min(chunk.start + offset[0], chunk.end)
        end = min(chunk.start + offset[1], chunk.end)
        quote = chunk.text[offset[0]:offset[1]]
    boxes = [(b.left, b.top, b.right, b.bottom) for b in chunk.boxes]
    return Source(n=n, chunk_id=chunk.id, document_id=hit.document.id, document=hit.document.name, page=chunk.page,
                  start=start, end=end, quote=quote, heading_path=list(chunk.heading_path), score=hit.score,
                  boxes=boxes)


def label(hit: SearchHit) -> str:
    return f"(문서: {citation_label(hit.document.name, hit.chunk.heading_path, hit.chunk.page)})"


def cited_numbers(text: str, count: int) -> list[int]:
    """[n] markers in the model's text, in order of first use, limited to passages that exist."""
    seen: list[int] = []
    for group in _CITE.findall(text):
        for n in re.split(r"\s*[,，]\s*", group):
            if n.isdigit() and 1 <= int(n) <= count and int(n) not in seen:
                seen.append(int(n))
    return seen


def says_not_found(text: str) -> bool:
    return NOT_FOUND[:-1] in text or "찾을 수 없습니다" in text[:80]


# --- follow-up questions ---

def standalone_question(ws: Workspace, question: str, history: list[Message], notices: list[str],
                        meter: TokenMeter | None = None) -> str | None:
    """A follow-up rewritten to stand alone (LLM), or joined to the previous question (extractive)."""
    if not history:
        return None

    def rewritten() -> str | None:
        dialogue = "\n".join(f"{'사용자' if r == 'user' else '도우미'}: {t}" for r, t in history[-6:])
        reply = ws.llm.generate([("system", REWRITE_SYSTEM),
                                 ("user", f"대화 기록:\n{dialogue}\n\n마지막 질문: {question}")], meter)
        return (reply.strip().splitlines()[0].strip(" \"'“”") if reply.strip() else "") or None

    def joined() -> str | None:
        previous = next((t for r, t in reversed(history) if r == "user"), None)
        if previous is None:
            return None
        terms = morphemes(ws.kiwi, question)
        if len(terms) <= 2 or _FOLLOW_UP.search(question):
            return f"{previous} {question}"
        return None

    return llm_or_extractive(ws.llm, notices, rewritten, joined)


# --- answering ---

def retrieve(ws: Workspace, question: str, filters: Filters | None, k: int | None) -> list[SearchHit]:
    hits = ws.search(question, k or ws.settings.answer_passages, "hybrid", filters)
    if not hits and filters is not None and len(filters.documents) == 1 and asked_field(question):
        # "이 문서의 제목은?" about the one chosen document: its words need not be in the document
        document = ws.document(filters.documents[0])
        chunks = ws.kb.store.document_chunks(document.id)
        hits = [SearchHit(chunks[0], document, 0.0)] if chunks else []
    return hits


def llm_messages(ws: Workspace, question: str, hits: list[SearchHit],
                 history: list[Message]) -> tuple[list[Message], list[SearchHit]]:
    """The grounded prompt, fitted to the model's context; returns the hits actually sent."""
    llm = ws.llm
    fixed = [("system", ANSWER_SYSTEM), ("user", answer_user(passages_block([]), question))]
    fitted = fit(llm.count_tokens, llm.context_length, ws.settings.llm_max_tokens, fixed,
                 [f"{label(h)}\n{h.chunk.text}" for h in hits], history)
    sent = hits[: len(fitted.passages)]
    block = passages_block([(i + 1, "", text) for i, text in enumerate(fitted.passages)])
    return [("system", ANSWER_SYSTEM), *fitted.history, ("user", answer_user(block, question))], sent


def llm_answer(ws: Workspace, question: str, text: str, sent: list[SearchHit], notices: list[str],
               standalone: str | None, meter: TokenMeter | None = None) -> Answer:
    numbers = [] if says_not_found(text) else cited_numbers(text, len(sent))
    citations = [source(n, sent[n - 1]) for n in numbers]
    grounded = bool(citations)
    if not grounded and not says_not_found(text):
        notices.append("모델이 근거 번호를 달지 않았습니다: 답변을 문서와 대조해 확인하세요.")
    if ws.llm.licence_notice:
        notices.append(ws.llm.licence_notice)
    usage = Usage(prompt_tokens=meter.prompt_tokens, completion_tokens=meter.completion_tokens,
                  counted_by="llm") if meter is not None and meter.calls else None
    return Answer(question=question, text=text, citations=citations, grounded=grounded, mode="llm",
                  model=ws.llm.model, notices=notices, standalone_question=standalone, usage=usage)


def extractive_answer(ws: Workspace, question: str, hits: list[SearchHit], notices: list[str],
                      standalone: str | None = None) -> Answer:
    """The best-supported sentences of the top passages, each followed by its citation."""
    fielded = document_field_answer(ws, question, hits, notices, standalone)
    if fielded is not None:
        return fielded
    parts, citations = extractive_parts(ws, question, hits, notices, standalone)
    return extractive_result(ws, question, hits, notices, standalone, parts, citations)


def extractive_result(ws: Workspace, question: str, hits: list[SearchHit], notices: list[str],
                      standalone: str | None, parts: list[str], citations: list[Source]) -> Answer:
    """The `Answer` of `extractive_parts`' sentences (the not-found line and 관련 문서 when there are none)."""
    related = [] if parts else related_sources(hits)
    text = " ".join(parts) or not_found_text(related)
    return Answer(question=question, text=text, citations=citations, grounded=bool(parts), mode="extractive",
                  related=related, notices=notices, standalone_question=standalone,
                  usage=kiwi_usage(ws, question, hits, text))


def related_sources(hits: list[SearchHit], limit: int = 3) -> list[Source]:
    """The closest passages, one per place (document, article, page), for a refusal's 관련 문서 line."""
    out: list[Source] = []
    for hit in hits:
        cited = source(len(out) + 1, hit)
        if cited.citation not in {s.citation for s in out}:
            out.append(cited)
        if len(out) == limit:
            break
    return out


def not_found_text(related: list[Source]) -> str:
    """"문서에서 … 찾지 못했습니다. 관련 문서: 규정.hwp › 제12조 · 3쪽; …": a refusal still says where to look."""
    if not related:
        return EXTRACTIVE_NOT_FOUND
    return f"{EXTRACTIVE_NOT_FOUND} 관련 문서: {'; '.join(s.citation for s in related)}"


def extractive_parts(ws: Workspace, question: str, hits: list[SearchHit], notices: list[str],
                     standalone: str | None = None) -> tuple[list[str], list[Source]]:
    """The extractive answer as its cited sentences ("sentence [n]"), in order, and their sources."""
    passages = [Passage(h.chunk.id, h.chunk.text, rank=i, score=h.score, kind=block_kind(h.chunk))
                for i, h in enumerate(hits)]
    # A follow-up joined to the previous question retrieves well, but its own words ("그럼 일비는?") say
    # which sentence answers it: score sentences on the follow-up when it has content words of its own.
    own = standalone is not None and ws.llm is None and morphemes(ws.kiwi, question)
    # No embedder here: on autorag_ko, blending sentence-embedding similarity into the choice changed
    # char-F1 by < 0.01 (0.275 → 0.278 at best) while costing ~1 s per question on CPU.
    lexical = ws.kb.lexical()
    picked = answer_sentences(question if own else (standalone or question), passages, ws.kiwi,
                              idf=lexical.idf, known=lexical.holds)
    note_extractive(notices, EXTRACTIVE_NOTICE)
    by_chunk = {h.chunk.id: h for h in hits}
    citations: list[Source] = []
    parts: list[str] = []
    seen: set[str] = set()
    for extract in picked:
        sentence = " ".join(extract.text.split())  # PDF line breaks inside a sentence
        if extract.header:  # a table row alone is a row of numbers: say which column each one is
            sentence = row_with_header(extract.header, sentence)
        if sentence in seen:  # chunk overlap and repeated pages give the same sentence twice
            continue
        seen.add(sentence)
        cited = source(len(citations) + 1, by_chunk[extract.chunk_id], (extract.start, extract.end))
        article = sentence_article(by_chunk[extract.chunk_id].chunk.text, extract.start)
        if article and article not in cited.heading_path:  # the chunk spans articles: cite the sentence's own
            cited = cited.model_copy(update={"heading_path": [*_above_articles(cited.heading_path), article]})
        citations.append(cited)
        parts.append(f"{sentence} [{len(citations)}]")
    return parts, citations


def kiwi_usage(ws: Workspace, question: str, hits: list[SearchHit], text: str) -> Usage:
    """An extractive answer's tokens, as Kiwi morphemes: what it read (question, passages) and what it wrote."""
    read = [question, *(h.chunk.text for h in hits)]
    prompt = sum(len(tokens) for tokens in ws.kiwi.tokenize(read))  # a list in, a lazy iterator out: consumed
    return Usage(prompt_tokens=prompt, completion_tokens=len(ws.kiwi.tokenize(text)), counted_by="kiwi")


def document_field_answer(ws: Workspace, question: str, hits: list[SearchHit], notices: list[str],
                          standalone: str | None) -> Answer | None:
    """"이 문서의 제목은?", 작성일, 기관, 문서번호: read from the best hit's document header and title."""
    field = asked_field(question)
    if field is None or not hits:
        return None
    document = hits[0].document
    chunks = ws.kb.store.document_chunks(document.id)
    # a 공문's header opens it, a 공고's date and 기관장 close it
    ends = chunks if len(chunks) <= 8 else chunks[:5] + chunks[-3:]
    found = (header_field(field, [(c.start, c.text) for c in ends])
             or find_field(field, document.title, [b.text for b in ws.kb.store.blocks(document.id)]))
    if found is None:
        return None
    chunk = next((c for c in chunks if c.start <= found.start < c.end), chunks[0] if chunks else None)
    if chunk is None:
        return None
    cited = source(1, SearchHit(chunk, document, hits[0].score))
    cited = cited.model_copy(update={"start": found.start, "end": found.end, "quote": found.value})
    note_extractive(notices, EXTRACTIVE_NOTICE)
    text = f"{document.name}의 {field}: {found.value} [1]"
    return Answer(question=question, text=text, citations=[cited], grounded=True, mode="extractive",
                  notices=notices, standalone_question=standalone, usage=kiwi_usage(ws, question, hits, text))


def _above_articles(path: list[str]) -> list[str]:
    """A heading path without its trailing 조 (the part the sentence's own article replaces)."""
    return path[:-1] if path and sentence_article(path[-1], len(path[-1])) else path


def row_with_header(header: str, row: str) -> str:
    """"부장 | 40,000원 | 120,000원" under "직급 | 일비 | 숙박비" → "직급: 부장, 일비: 40,000원, 숙박비: 120,000원"."""
    names = [h.strip() for h in header.split("|")]
    cells = [c.strip() for c in row.split("|")]
    if len(names) != len(cells) or len(cells) < 2:
        return row
    return ", ".join(f"{n}: {c}" if n else c for n, c in zip(names, cells))


def _prepare(ws: Workspace, question: str, history: list[Message], filters: Filters | None, k: int | None,
             meter: TokenMeter) -> tuple[list[str], list[Message], str | None, list[SearchHit]]:
    """What answering starts with: notices so far, the history, the standalone question, the passages."""
    notices: list[str] = []
    history = list(history)
    standalone = standalone_question(ws, question, history, notices, meter)
    return notices, history, standalone, retrieve(ws, standalone or question, filters, k)


def answer(ws: Workspace, question: str, history: list[Message] = (), filters: Filters | None = None,
           k: int | None = None) -> Answer:
    """Answer from the knowledge base with citations; says so when the documents don't support an answer."""
    meter = TokenMeter()
    notices, history, standalone, hits = _prepare(ws, question, history, filters, k, meter)

    def by_llm() -> Answer:
        messages, sent = llm_messages(ws, standalone or question, hits, history)
        return llm_answer(ws, question, ws.llm.generate(messages, meter), sent, notices, standalone, meter)

    # a notice so far means the rewrite's call to the LLM failed: don't wait on the same server twice
    llm = ws.llm if not notices else None
    return llm_or_extractive(llm, notices, by_llm, lambda: extractive_answer(ws, question, hits, notices, standalone))


def stream_answer(ws: Workspace, question: str, history: list[Message] = (), filters: Filters | None = None,
                  k: int | None = None) -> Iterator[str | Answer]:
    """Like `answer`, but yields the text as it is produced, then the finished `Answer` last: the LLM's
    pieces as the server sends them, or the extractive answer one cited sentence at a time."""
    meter = TokenMeter()
    notices, history, standalone, hits = _prepare(ws, question, history, filters, k, meter)
    if ws.llm is not None and not notices:
        pieces: list[str] = []
        try:
            messages, sent = llm_messages(ws, standalone or question, hits, history)
            for piece in ws.llm.stream(messages, meter):
                pieces.append(piece)
                yield piece
            yield llm_answer(ws, question, "".join(pieces).strip(), sent, notices, standalone, meter)
            return
        except LLMUnavailable as error:
            if pieces:  # the reader already has half an answer: say it broke off rather than switch modes
                raise
            notices.append(fallback_notice(error))
    parts, citations = extractive_parts(ws, question, hits, notices, standalone)
    for i, part in enumerate(parts or [not_found_text(related_sources(hits))]):
        yield part if i == 0 else " " + part  # joined, the pieces are the answer's text
    yield extractive_result(ws, question, hits, notices, standalone, parts, citations)


def schema_of(schema: Any) -> dict[str, Any]:
    """A JSON Schema from a dict or a pydantic model class."""
    if isinstance(schema, dict):
        return schema
    if hasattr(schema, "model_json_schema"):
        return schema.model_json_schema()
    raise TypeError("schema must be a JSON Schema dict or a pydantic model class")
