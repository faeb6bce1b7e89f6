"""Summaries and extraction through the LLM path (scripted OpenAI-compatible server, production client)."""
from __future__ import annotations

import pytest
from pydantic import BaseModel

from agents.errors import ExtractionFailed
from tests.scripted_openai import Reply

SCHEMA = {"type": "object", "properties": {
    "부장_숙박비": {"type": "integer", "description": "부장의 1박 숙박비 한도(원)"},
    "정산_기한_일": {"type": "integer", "description": "출장 후 정산서 제출 기한(일)"}},
    "required": ["부장_숙박비", "정산_기한_일"]}


def test_whole_document_summary_when_it_fits(llm_assistant, scripted_openai):
    scripted_openai.script(Reply(text="출장비 규정은 직급별 여비와 정산 절차를 정한다."))
    summary = llm_assistant.summarize("출장비_규정.hwpx", length="short", style="bullets")
    assert summary.method == "whole" and summary.mode == "llm"
    assert summary.text == "출장비 규정은 직급별 여비와 정산 절차를 정한다."
    assert len(scripted_openai.requests) == 1
    prompt = scripted_openai.requests[0]["messages"][-1]["content"]
    assert "7일 이내에 출장비 정산서" in prompt and "3문장 이내" in prompt and "글머리표" in prompt


def test_long_document_is_summarized_by_map_reduce(llm_assistant, scripted_openai):
    llm_assistant.settings.llm_context_length = 1400
    llm_assistant.settings.llm_max_tokens = 256
    llm_assistant.llm = type(llm_assistant.llm)(llm_assistant.settings)
    scripted_openai.default = lambda request: Reply(text=f"부분 요약 {len(scripted_openai.requests)}")
    summary = llm_assistant.summarize("취업규칙.docx")  # ~1,400 estimated tokens: two sections
    assert summary.method == "map-reduce"
    sections = len(scripted_openai.requests) - 1
    assert sections >= 2
    reduce_prompt = scripted_openai.requests[-1]["messages"][-1]["content"]
    assert "부분별로 요약한 것" in reduce_prompt and "부분 요약 1" in reduce_prompt
    assert summary.text == f"부분 요약 {sections + 1}"
    assert any("나눠 요약" in n for n in summary.notices)


def test_summary_of_a_page_range(llm_assistant, scripted_openai):
    scripted_openai.script(Reply(text="2쪽 요약"))
    llm_assistant.summarize("2025_사업계획.pdf", pages=(2, 2))
    prompt = scripted_openai.requests[0]["messages"][-1]["content"]
    whole = llm_assistant.kb.store.document_chunks(llm_assistant.kb.document("2025_사업계획.pdf").id)
    page1 = [c.text for c in whole if c.page == 1]
    page2 = [c.text for c in whole if c.page == 2]
    assert page2 and all(t[:40] in prompt for t in page2)
    assert not any(t[:40] in prompt for t in page1)


def test_extract_uses_json_schema_and_cites_each_field(llm_assistant, scripted_openai):
    def reply(request):
        prompt = request["messages"][-1]["content"]
        n = next(int(b.split("]")[0].lstrip("<자료>\n[")) for b in prompt.split("\n\n[") if "120,000원" in b)
        return Reply(text='{"data": {"부장_숙박비": 120000, "정산_기한_일": 7}, "sources": {"부장_숙박비": %d}}' % n)

    scripted_openai.script(reply)
    result = llm_assistant.extract("출장비_규정.hwpx", SCHEMA)
    assert result.data == {"부장_숙박비": 120000, "정산_기한_일": 7}
    assert "120,000원" in result.fields["부장_숙박비"].source.quote
    assert result.fields["정산_기한_일"].source is None and result.attempts == 1
    fmt = scripted_openai.requests[0]["response_format"]
    assert fmt["type"] == "json_schema"
    assert fmt["json_schema"]["schema"]["properties"]["data"]["properties"] == SCHEMA["properties"]


def test_extract_retries_after_invalid_output(llm_assistant, scripted_openai):
    scripted_openai.script(Reply(text='{"data": {"부장_숙박비": "십이만원"}, "sources": {}}'),
                           Reply(text='```json\n{"data": {"부장_숙박비": 120000, "정산_기한_일": 7}, "sources": {}}\n```'))
    result = llm_assistant.extract("출장비_규정.hwpx", SCHEMA)
    assert result.attempts == 2 and result.data["부장_숙박비"] == 120000
    retry = scripted_openai.requests[1]["messages"]
    assert retry[-2]["role"] == "assistant" and "스키마에 맞지 않습니다" in retry[-1]["content"]
    assert "부장_숙박비" in retry[-1]["content"]


def test_extract_gives_up_with_a_clear_error(llm_assistant, scripted_openai):
    scripted_openai.default = Reply(text='{"data": {"부장_숙박비": 120000}')  # truncated JSON, every time
    with pytest.raises(ExtractionFailed, match="출장비_규정.hwpx.*3번 모두") as caught:
        llm_assistant.extract("출장비_규정.hwpx", SCHEMA)
    assert caught.value.raw == '{"data": {"부장_숙박비": 120000}'
    assert len(scripted_openai.requests) == 3


def test_extract_validates_against_a_pydantic_model(llm_assistant, scripted_openai):
    class Travel(BaseModel):
        부장_숙박비: int
        시행일: str

    scripted_openai.script(Reply(text='{"data": {"부장_숙박비": 120000}, "sources": {}}'),
                           Reply(text='{"data": {"부장_숙박비": 120000, "시행일": "2025-01-01"}, "sources": {}}'))
    result = llm_assistant.extract("출장비_규정.hwpx", Travel)
    assert Travel.model_validate(result.data).시행일 == "2025-01-01" and result.attempts == 2
    assert "시행일" in scripted_openai.requests[1]["messages"][-1]["content"]


def test_bad_schema_is_refused_before_calling_the_model(llm_assistant, scripted_openai):
    import jsonschema

    with pytest.raises(jsonschema.SchemaError):
        llm_assistant.extract("출장비_규정.hwpx", {"type": "object", "properties": {"a": {"type": "nonsense"}}})
    assert scripted_openai.requests == []
