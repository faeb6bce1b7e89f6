"""The Kiwi splitter: whole sentences, eojeol-safe cuts, tables by rows, heading paths, spans."""
from __future__ import annotations

from ingest.split import KiwiTextSplitter, KoreanSplitter
from rag.model import Block, ParsedDocument

RULE = ("이 규칙은 한빛전자 주식회사 직원의 복무에 관한 사항을 정한다. 연차휴가는 15일이다. "
        "근속 2년마다 1일을 가산하며 최대 25일로 한다. 병가는 연 60일 이내에서 허가한다.")


def doc(*blocks: Block) -> ParsedDocument:
    return ParsedDocument(name="규칙.txt", format="txt", blocks=tuple(blocks))


def test_chunks_are_whole_sentences_within_budget(kiwi):
    splitter = KoreanSplitter(kiwi, chunk_tokens=24, overlap_sentences=1)
    chunks = splitter.split(doc(Block(RULE * 3, page=1)))
    sentences = {s.text for s in kiwi.split_into_sents(RULE)}
    assert len(chunks) > 3
    for chunk in chunks:
        for line in chunk.text.split("\n"):
            # every chunk is a run of whole sentences of the source
            rebuilt = [s.text for s in kiwi.split_into_sents(line)]
            assert all(s in sentences for s in rebuilt), line


def test_overlap_repeats_the_last_sentence(kiwi):
    chunks = KoreanSplitter(kiwi, chunk_tokens=40, overlap_sentences=1).split(doc(Block(RULE * 2, page=1)))
    last_of_first = kiwi.split_into_sents(chunks[0].text)[-1].text
    assert chunks[1].text.startswith(last_of_first)


def test_spans_point_into_the_document_text(kiwi):
    parsed = doc(Block("제1장 총칙", "heading", 1, ("제1장 총칙",)), Block(RULE, page=1, heading_path=("제1장 총칙",)))
    for chunk in KoreanSplitter(kiwi, chunk_tokens=30).split(parsed):
        first_sentence = chunk.text.split("\n")[0].split(". ")[0]
        assert parsed.text[chunk.start:chunk.end].startswith(first_sentence)


def test_long_sentence_is_cut_between_eojeol_only(kiwi):
    words = ["한빛전자의", "정보보안", "지침은", "모든", "임직원에게", "적용되며"] * 30
    sentence = " ".join(words)
    chunks = KoreanSplitter(kiwi, chunk_tokens=20, overlap_sentences=0).split(doc(Block(sentence)))
    assert len(chunks) > 3
    for chunk in chunks:
        assert all(word in set(words) for word in chunk.text.split()), chunk.text
    assert " ".join(c.text for c in chunks) == sentence


def test_heading_page_and_heading_path_start_new_chunks(kiwi):
    parsed = doc(
        Block("제1장 총칙", "heading", 1, ("제1장 총칙",)),
        Block("이 규칙은 직원의 복무를 정한다.", page=1, heading_path=("제1장 총칙",)),
        Block("제2장 휴가", "heading", 1, ("제2장 휴가",)),
        Block("연차휴가는 15일이다.", page=1, heading_path=("제2장 휴가",)),
        Block("병가는 60일 이내이다.", page=2, heading_path=("제2장 휴가",)),
    )
    chunks = KoreanSplitter(kiwi, chunk_tokens=200).split(parsed)
    assert [(c.page, c.heading_path, c.text) for c in chunks] == [
        (1, ("제1장 총칙",), "제1장 총칙\n이 규칙은 직원의 복무를 정한다."),
        (1, ("제2장 휴가",), "제2장 휴가\n연차휴가는 15일이다."),
        (2, ("제2장 휴가",), "병가는 60일 이내이다."),
    ]
    # a chunk that does not start with its heading still carries the heading's morphemes
    assert "휴가" in chunks[2].morphemes and "병가" in chunks[2].morphemes


def test_table_stays_whole_when_it_fits(kiwi):
    rows = (("종류", "일수"), ("연차", "15일"), ("병가", "60일"))
    table = Block("종류 | 일수\n연차 | 15일\n병가 | 60일", "table", 3, (), rows)
    chunks = KoreanSplitter(kiwi, chunk_tokens=100).split(doc(Block("휴가 종류는 다음과 같다.", page=3), table))
    assert [c.kind for c in chunks] == ["text", "table"]
    assert chunks[1].text == table.text and chunks[1].page == 3
    assert {"연차", "15일", "병가", "60일"} <= set(chunks[1].morphemes)


def test_big_table_is_split_by_rows_with_the_header_repeated(kiwi):
    header = ("부서", "예산", "담당자")
    body = tuple((f"제{i}부서", f"{i * 100}만원", f"담당자{i}") for i in range(1, 41))
    text = "\n".join(" | ".join(r) for r in (header, *body))
    chunks = KoreanSplitter(kiwi, chunk_tokens=60).split(doc(Block(text, "table", 1, (), (header, *body))))
    assert len(chunks) > 2
    seen = []
    for chunk in chunks:
        lines = chunk.text.split("\n")
        assert lines[0] == "부서 | 예산 | 담당자"
        seen += lines[1:]
    assert seen == [" | ".join(r) for r in body]  # every row once, in order, none cut


def test_number_and_unit_become_one_term(kiwi):
    chunk = KoreanSplitter(kiwi).split(doc(Block("연차휴가는 15일이다.")))[0]
    assert "15일" in chunk.morphemes and "연차" in chunk.morphemes
    assert "는" not in chunk.morphemes and "이" not in chunk.morphemes  # particles and copula dropped


def test_langchain_text_splitter_merges_sentences_with_a_space(kiwi):
    splitter = KiwiTextSplitter(kiwi=kiwi, chunk_size=60, chunk_overlap=0)
    parts = splitter.split_text(RULE)
    assert len(parts) >= 2 and all(len(p) <= 60 for p in parts)
    assert " ".join(parts) == RULE
    docs = splitter.create_documents([RULE], metadatas=[{"source": "규칙"}])
    assert docs[0].metadata == {"source": "규칙"}
