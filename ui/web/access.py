"""The 문서 page's access control: who may read an upload, each document's readers, users and groups.

Only admins (the operator, KORAG_API_ADMINS, or users marked admin in the KB) see the management part.
"""
from __future__ import annotations

import streamlit as st

from ui.web.state import current, shown_errors

EVERYONE = "모두 (KB 전체)"


def reader_options() -> list[str]:
    """`group:…` and `user:…` for every group and user of the current KB."""
    access = current().kb.store.access
    return [f"group:{g}" for g, _ in access.groups()] + [f"user:{u}" for u, _, _ in access.users()]


def readers_label(readers: tuple[str, ...]) -> str:
    return ", ".join(readers) if readers else EVERYONE


def upload_readers() -> tuple[str, ...] | None:
    """The readers chosen for the next upload; None: everyone who can use the KB."""
    chosen = st.multiselect("읽을 수 있는 사람", reader_options(), key="upload_readers", placeholder=EVERYONE,
                            help="비워 두면 이 지식베이스를 쓰는 모두가 읽습니다. 부서(group:)나 사람(user:)을 고르세요.")
    return tuple(chosen) or None


def access_section() -> None:
    """Admins: set a document's readers; add users to groups."""
    assistant = current()
    kb = assistant.kb
    by = assistant.reader.user if assistant.reader else None  # who makes the changes, for the audit log
    with st.expander("접근 권한 관리", icon=":material/lock:"):
        documents = assistant.documents()
        if documents:
            names = {d.id: d.name for d in documents}
            doc = st.selectbox("문서", list(names), format_func=names.__getitem__, key="acl_doc")
            now = kb.store.access.readers(doc)
            options = sorted(set(reader_options()) | set(now))
            chosen = st.multiselect("읽을 수 있는 사람", options, default=list(now), key=f"acl_readers_{doc}",
                                    placeholder=EVERYONE)
            if st.button("권한 저장", key="acl_save", icon=":material/save:"):
                with shown_errors("권한 저장"):
                    record = kb.set_readers(doc, tuple(chosen), by=by)
                    st.success(f"{record.name}: {readers_label(kb.store.access.readers(doc))}")
        st.divider()
        cols = st.columns([2, 3, 1, 1], vertical_alignment="bottom")
        user = cols[0].text_input("사용자", key="acl_user").strip()
        groups = cols[1].text_input("부서 (쉼표로 구분)", key="acl_groups", placeholder="인사팀, 재무팀")
        admin = cols[2].checkbox("관리자", key="acl_admin")
        if cols[3].button("저장", key="acl_user_save", disabled=not user):
            with shown_errors("사용자 저장"):
                wanted = tuple(g.strip() for g in groups.split(",") if g.strip())
                reader = kb.add_user(user, wanted, admin, only=True, by=by)
                st.success(f"저장했습니다: {reader}")
        users = kb.store.access.users()
        if users:
            st.dataframe([{"사용자": n, "부서": ", ".join(g), "관리자": "예" if a else ""} for n, a, g in users],
                         hide_index=True, width="stretch")
