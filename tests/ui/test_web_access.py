"""The portal with KORAG_PORTAL_AUTH=key: sign in with an API key, see only your departments' documents
and sources; admins manage readers on the 문서 page."""
from __future__ import annotations

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from agents import Assistant
from rag.settings import Settings
from tests.conftest import REPO
from tests.departments import build
from ui.keys import new_key


@pytest.fixture()
def signed_portal(monkeypatch, tmp_path):
    home = tmp_path / "home"
    operator = Assistant("회사", Settings(home=home, embedder="none"))
    departments = build(operator, tmp_path / "docs")
    operator.kb.close()
    keys, entries = {}, []
    for user in ("김인사", "관리자"):
        keys[user], entry = new_key(user)
        entries.append(entry)
    for name, value in {"KORAG_HOME": str(home), "KORAG_KB": "회사", "KORAG_EMBEDDER": "none",
                        "KORAG_PORTAL_AUTH": "key", "KORAG_API_KEYS": ",".join(entries),
                        "KORAG_API_ADMINS": "관리자"}.items():
        monkeypatch.setenv(name, value)
    for name in ("KORAG_LLM_BASE_URL", "KORAG_LLM_MODEL", "KORAG_REDIS_URL"):
        monkeypatch.delenv(name, raising=False)
    st.cache_resource.clear()

    def start(user: str) -> AppTest:
        app = AppTest.from_file(str(REPO / "ui" / "web" / "app.py"), default_timeout=180).run()
        assert app.title[0].value == "korag 로그인"  # nothing else is shown before signing in
        app.text_input[0].set_value("korag-wrong").run()
        app.button[0].click().run()
        assert any("API 키가 맞지 않습니다" in e.value for e in app.error)
        app.text_input[0].set_value(keys[user]).run()
        app.button[0].click().run()
        assert not app.exception, app.exception
        return app

    yield start, departments
    st.cache_resource.clear()


def test_a_signed_in_user_sees_only_their_documents_and_sources(signed_portal):
    start, departments = signed_portal
    app = start("김인사")
    assert any("김인사 (인사팀)" in c.value for c in app.sidebar.caption)
    app.chat_input[0].set_value("재무팀 급여 예산 총액 48억 원 비밀 식별코드").run()
    assert not app.exception and not app.error
    shown = " ".join(m.value for m in app.markdown) + " ".join(e.label for e in app.expander)
    assert not departments.leaks("김인사", shown.replace("재무팀 급여 예산 총액 48억 원 비밀 식별코드", ""))
    app.switch_page("views/documents.py").run()
    names = set(app.dataframe[0].value["이름"])
    assert names == {"인사팀_급여인상안.txt", "공통_복무규정.txt"}
    assert not any(e.label == "접근 권한 관리" for e in app.expander)  # not an admin
    assert not any(b.label == "삭제" for b in app.button)


def test_an_admin_sets_readers_on_the_documents_page(signed_portal):
    start, departments = signed_portal
    app = start("관리자")
    app.switch_page("views/documents.py").run()
    assert len(app.dataframe[0].value) == 4
    fin = departments.ids["재무팀_예산안.txt"]
    app.selectbox(key="acl_doc").set_value(fin).run()
    app.multiselect(key=f"acl_readers_{fin}").set_value(["group:재무팀", "group:인사팀"]).run()
    app.button(key="acl_save").click().run()
    assert not app.exception and not app.error
    kb = Assistant("회사", Settings(embedder="none"), create=False).kb
    assert kb.readers(fin) == ("group:인사팀", "group:재무팀")
    assert any("readers of 재무팀_예산안.txt" in e["query"] for e in kb.audit.entries(action="acl"))
