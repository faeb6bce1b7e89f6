"""The LLM client against the scripted OpenAI-compatible server (real HTTP, the production client)."""
from __future__ import annotations

import time

import pytest

from agents.errors import LLMOutputError, LLMUnavailable
from agents.llm import LLM, estimate_tokens, llm_for
from agents.presets import PRESETS, find_preset
from rag.settings import Settings
from tests.scripted_openai import Reply


def _llm(server, tmp_path, **overrides) -> LLM:
    settings = Settings(home=tmp_path, llm_base_url=server.base_url, llm_model=overrides.pop("model", "scripted-model"),
                        llm_timeout_s=overrides.pop("timeout", 5), llm_max_retries=overrides.pop("retries", 0),
                        **overrides)
    return LLM(settings)


def test_no_llm_configured_means_extractive(tmp_path):
    assert llm_for(Settings(home=tmp_path)) is None


def test_generate_sends_messages_and_returns_the_reply(scripted_openai, tmp_path):
    scripted_openai.script(Reply(text="  연차는 15일입니다. [1] "))
    llm = _llm(scripted_openai, tmp_path)
    assert llm.generate([("system", "규칙"), ("user", "연차는?")]) == "연차는 15일입니다. [1]"
    sent = scripted_openai.requests[0]
    assert sent["model"] == "scripted-model"
    assert [m["role"] for m in sent["messages"]] == ["system", "user"]
    assert sent["messages"][1]["content"] == "연차는?"
    assert sent.get("max_completion_tokens", sent.get("max_tokens")) == 1024  # vLLM reads both


def test_stream_yields_pieces_in_order(scripted_openai, tmp_path):
    scripted_openai.script(Reply(text="출장비는 실비로 정산합니다.", chunk_chars=2))
    pieces = list(_llm(scripted_openai, tmp_path).stream([("user", "출장비?")]))
    assert len(pieces) > 3
    assert "".join(pieces) == "출장비는 실비로 정산합니다."
    assert scripted_openai.requests[0]["stream"] is True


def test_json_uses_response_format_json_schema(scripted_openai, tmp_path):
    schema = {"type": "object", "properties": {"금액": {"type": "integer"}}, "required": ["금액"]}
    scripted_openai.script(Reply(text='{"금액": 1500000}'))
    assert _llm(scripted_openai, tmp_path).generate_json([("user", "금액?")], schema) == {"금액": 1500000}
    fmt = scripted_openai.requests[0]["response_format"]
    assert fmt["type"] == "json_schema" and fmt["json_schema"]["schema"] == schema


def test_malformed_json_is_an_error_that_keeps_the_raw_text(scripted_openai, tmp_path):
    scripted_openai.script(Reply(text='{"금액": 15000'))
    with pytest.raises(LLMOutputError) as caught:
        _llm(scripted_openai, tmp_path).generate_json([("user", "금액?")], {"type": "object"})
    assert caught.value.raw == '{"금액": 15000'


def test_server_error_names_the_server_and_status(scripted_openai, tmp_path):
    scripted_openai.script(Reply(status=400, text="This model's maximum context length is 4096 tokens"))
    with pytest.raises(LLMUnavailable, match="HTTP 400.*maximum context length"):
        _llm(scripted_openai, tmp_path).generate([("user", "질문")])


def test_retries_recover_from_a_503(scripted_openai, tmp_path):
    scripted_openai.script(Reply(status=503, text="loading"), Reply(text="됐습니다"))
    assert _llm(scripted_openai, tmp_path, retries=2).generate([("user", "질문")]) == "됐습니다"
    assert len(scripted_openai.requests) == 2


def test_timeout_is_reported(scripted_openai, tmp_path):
    scripted_openai.script(Reply(text="늦은 답", delay_s=2.0))
    with pytest.raises(LLMUnavailable, match="timed out"):
        _llm(scripted_openai, tmp_path, timeout=0.5).generate([("user", "질문")])


def test_unreachable_server(tmp_path):
    settings = Settings(home=tmp_path, llm_base_url="http://127.0.0.1:9/v1", llm_model="m", llm_max_retries=0,
                        llm_timeout_s=2)
    with pytest.raises(LLMUnavailable, match="not reachable"):
        LLM(settings).generate([("user", "질문")])
    with pytest.raises(LLMUnavailable, match="not answering"):
        LLM(settings).info()


def test_context_length_from_server_preset_and_setting(scripted_openai, tmp_path):
    scripted_openai.max_model_len = 8192
    assert _llm(scripted_openai, tmp_path).context_length == 8192  # unknown model: what vLLM reports
    scripted_openai.model = "LGAI-EXAONE/EXAONE-3.5-7.8B-Instruct"
    try:
        llm = _llm(scripted_openai, tmp_path, model=scripted_openai.model)
        assert llm.context_length == 8192  # served shorter than the preset's 32k: the server wins
        info = llm.info()
        assert info.preset == "exaone" and info.commercial is False
        assert "비상업" in llm.licence_notice
    finally:
        scripted_openai.model = "scripted-model"
    assert _llm(scripted_openai, tmp_path, llm_context_length=2000).context_length == 2000


def test_a_server_still_loading_is_asked_for_its_context_again_later(scripted_openai, tmp_path, monkeypatch):
    # compose starts korag before vLLM has loaded: the length it reports once up must not be missed
    monkeypatch.setattr("agents.llm.SERVER_RETRY_S", 0.3)
    scripted_openai.max_model_len = 2048
    scripted_openai.model = "another-model"  # the configured one is not served yet: not an answer
    try:
        llm = _llm(scripted_openai, tmp_path)
        assert llm.context_length == 4096  # korag's default meanwhile
        scripted_openai.model = "scripted-model"
        assert llm.context_length == 4096  # not asked on every request
        time.sleep(0.4)
        assert llm.context_length == 2048  # asked again after the pause: vLLM's length from now on
        assert llm.context_length == 2048
    finally:
        scripted_openai.model = "scripted-model"


def test_model_not_served_is_named(scripted_openai, tmp_path):
    with pytest.raises(LLMUnavailable, match="does not serve 'other'.*scripted-model"):
        _llm(scripted_openai, tmp_path, model="other").info()


def test_token_count_uses_vllm_tokenize_when_present(scripted_openai, tmp_path):
    llm = _llm(scripted_openai, tmp_path)
    assert llm.count_tokens("연차 휴가") == estimate_tokens("연차 휴가")  # no /tokenize: the estimate
    scripted_openai.tokenize = lambda body: len(body["prompt"])  # a server that has /tokenize
    assert _llm(scripted_openai, tmp_path).count_tokens("연차 휴가") == 5


def test_estimate_over_counts_korean():
    assert estimate_tokens("연차휴가는 15일이다") >= 12
    assert estimate_tokens("hello world") == 4


def test_completion_preset_renders_its_template(scripted_openai, tmp_path):
    scripted_openai.model = "beomi/KoAlpaca-Polyglot-12.8B"
    try:
        scripted_openai.script(Reply(text=" 15일입니다."))
        llm = _llm(scripted_openai, tmp_path, model=scripted_openai.model)
        assert llm.completion_style
        answer = llm.generate([("system", "문서를 근거로 답하세요."), ("user", "연차는?"), ("assistant", "15일"),
                               ("user", "병가는?")])
    finally:
        scripted_openai.model = "scripted-model"
    assert answer == "15일입니다."
    sent = scripted_openai.requests[0]
    assert "messages" not in sent
    assert sent["prompt"][0] == "문서를 근거로 답하세요.\n\n### 질문: 연차는?\n\n### 답변: 15일\n\n### 질문: 병가는?\n\n### 답변:"
    assert "### 질문:" in sent["stop"]


def test_42dot_preset_uses_human_bot_turns():
    preset = find_preset("42dot/42dot_LLM-SFT-1.3B")
    assert preset.format == "completion" and not preset.commercial
    assert preset.render("시스템", [("user", "안녕?")]).endswith("<human>: 안녕?\n<bot>:")


def test_presets_cover_the_korean_models():
    assert find_preset("NCSOFT/VARCO-LLM-2.0").context_length == 4096
    assert find_preset("kakaocorp/kanana-1.5-8b-instruct-2505").commercial
    assert not find_preset("kakaocorp/kanana-nano-2.1b-instruct").commercial
    assert find_preset("MLP-KTLim/llama-3-Korean-Bllossom-8B").name == "llama-k"
    assert find_preset("meta-llama/Llama-3.1-8B-Instruct").context_length == 131072
    assert find_preset("Qwen/Qwen2.5-7B-Instruct").name == "qwen"
    assert find_preset("mystery-model") is None
    assert find_preset("anything", override="exaone").name == "exaone"
    with pytest.raises(ValueError, match="known presets"):
        find_preset("x", override="nope")
    assert len({p.name for p in PRESETS}) == len(PRESETS)
