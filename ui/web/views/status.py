"""상태: which LLM, OCR engine, embedder, queue and knowledge base are active, and whether they answer."""
from __future__ import annotations

import streamlit as st

from ui.web import status
from ui.web.state import current, settings, shown_errors

MARKS = {True: (":green[:material/check_circle:]", "정상"), False: (":red[:material/error:]", "연결 안 됨"),
         None: (":gray[:material/remove_circle_outline:]", "설정 안 됨")}

st.title("상태")
if st.button("다시 확인", icon=":material/refresh:"):
    st.rerun()
with shown_errors("상태 확인"), st.spinner("확인하는 중…"):
    for check in status.all_checks(current()):
        icon, word = MARKS[check.ok]
        with st.container(border=True):
            st.markdown(f"{icon} **{check.name}** — {word}")
            st.caption(f"설정: {check.configured}" + (f"  \n{check.detail}" if check.detail else ""))
            if check.warning:
                st.warning(check.warning, icon=":material/gavel:")
with st.expander("포털 설정"):
    s = settings()
    st.markdown(f"- 주소: `{s.portal_host}:{s.portal_port}` (KORAG_PORTAL_HOST, KORAG_PORTAL_PORT)\n"
                f"- 파일당 최대 크기: {s.max_file_mb} MB (KORAG_MAX_FILE_MB)\n"
                f"- 올릴 수 있는 형식: {s.portal_upload_types} (KORAG_PORTAL_UPLOAD_TYPES)\n"
                f"- 지식베이스 위치: `{s.home}` (KORAG_HOME)")
