"""The portal's entry script (`korag serve` runs it with Streamlit): page setup, the sidebar with the
knowledge base and answer mode, and navigation between the pages in views/.
"""
from __future__ import annotations

import streamlit as st

from ui.web.state import KB_KEY, current, current_kb, kb_names, mode_label, settings, shown_errors

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
sidebar()
page.run()
