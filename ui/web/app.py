"""The portal's entry script (`korag serve` runs it with Streamlit): page setup, the sidebar with the
knowledge base and answer mode, and navigation between the pages in views/.
"""
from __future__ import annotations

import streamlit as st

from ui.web.state import (KB_KEY, USER_KEY, caller, current, current_kb, kb_names, mode_label, settings,
                          shown_errors, sign_in)

st.set_page_config(page_title="korag · 한국어 문서 질의응답", page_icon=":material/description:", layout="wide")


def sidebar() -> None:
    """The KB every page works in, the answer mode, and a licence warning that is never hidden."""
    with st.sidebar:
        names = kb_names()
        chosen = current_kb()
        st.session_state["kb_select"] = chosen  # follow a KB chosen elsewhere (created on the 문서 page)
        st.selectbox("지식베이스", names, key="kb_select",
                     on_change=lambda: st.session_state.update({KB_KEY: st.session_state["kb_select"]}))
        with shown_errors("지식베이스 열기"):
            assistant = current()
            if assistant.reader is not None:
                st.caption(f"사용자: {assistant.reader}")
                if settings().portal_auth == "key" and st.button("로그아웃", icon=":material/logout:"):
                    st.session_state.pop(USER_KEY, None)
                    st.rerun()
            st.caption(f"답변 방식: {mode_label(assistant.mode, assistant.llm.model if assistant.llm else None)}")
            notice = assistant.llm.licence_notice if assistant.llm else None
            if notice:
                st.warning(notice, icon=":material/gavel:")


pages = [
    st.Page("views/ask.py", title="질문하기", icon=":material/forum:", default=True),
    st.Page("views/documents.py", title="문서", icon=":material/folder_open:"),
    st.Page("views/summarize.py", title="요약", icon=":material/summarize:"),
    st.Page("views/extract.py", title="추출", icon=":material/data_object:"),
    st.Page("views/ocr.py", title="OCR", icon=":material/document_scanner:"),
    st.Page("views/status.py", title="상태", icon=":material/monitor_heart:"),
]
page = st.navigation(pages)
try:
    settings()
except ValueError as err:  # a malformed KORAG_ variable: say which, instead of a stack trace
    st.error(f"설정을 읽을 수 없습니다: {err}")
    st.stop()
if caller() is None:  # KORAG_PORTAL_AUTH=key or header, and no one is signed in
    st.title("korag 로그인")
    if settings().portal_auth == "header":
        st.error(f"프록시가 사용자 헤더({settings().portal_user_header})를 보내지 않았습니다. 관리자에게 문의하세요.")
        st.stop()
    key = st.text_input("API 키", type="password", help="관리자가 `korag api --new-key --user 이름`으로 만든 키")
    if st.button("로그인", type="primary", disabled=not key):
        if sign_in(key):
            st.rerun()
        st.error("API 키가 맞지 않습니다.")
    st.stop()
sidebar()
page.run()
