"""What every page of the portal shares: the settings (read once), one Assistant per KB, the chosen KB,
and the edge where errors become messages.
"""
from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

import streamlit as st

from agents import Assistant
from agents.errors import AgentError
from rag.errors import RetrievalError
from rag.kb import KnowledgeBase
from rag.settings import Settings
from ui.keys import Caller, KeyRing

log = logging.getLogger(__name__)

KB_KEY = "kb"  # st.session_state key of the knowledge base this browser session works in
USER_KEY = "signed_in"  # st.session_state key of the Caller signed in with an API key (portal_auth=key)


@st.cache_resource(show_spinner=False)
def settings() -> Settings:
    """Read once per portal process (DESIGN: settings are read at the edge and passed down)."""
    return Settings()


@st.cache_resource(show_spinner="지식베이스를 여는 중… (Kiwi 형태소 분석기 준비)")
def assistant(kb: str) -> Assistant:
    """One Assistant per KB for every session: Kiwi and the embedder cost seconds and ~0.5 GB to build."""
    return Assistant(kb, settings(), create=True)


def current_kb() -> str:
    return st.session_state.get(KB_KEY) or settings().kb


def caller() -> Caller | None:
    """Who uses this browser session (KORAG_PORTAL_AUTH): None when not signed in yet.

    'none': the operator, who reads everything (a portal on localhost); 'key': a user signed in with
    their API key; 'header': the user a trusted reverse proxy (SSO) names in KORAG_PORTAL_USER_HEADER.
    """
    mode = settings().portal_auth
    if mode == "none":
        return Caller()
    if mode == "header":
        user = (st.context.headers.get(settings().portal_user_header) or "").strip()
        admins = {a.strip() for a in settings().api_admins.split(",") if a.strip()}
        return Caller(user, user in admins) if user else None
    return st.session_state.get(USER_KEY)


def sign_in(key: str) -> Caller | None:
    """portal_auth=key: the caller for an API key (None if it is not one of KORAG_API_KEYS)."""
    found = KeyRing(settings()).caller(key.strip())
    if found is not None:
        st.session_state[USER_KEY] = found
    return found


def current() -> Assistant:
    """The Assistant of the KB chosen in the sidebar, limited to what the signed-in user may read."""
    who = caller()
    if who is None:
        raise PermissionError("로그인이 필요합니다")
    shared = assistant(current_kb())
    return shared if who.user is None else shared.as_user(who.user, who.admin)


def is_admin() -> bool:
    """May this session manage documents and access (the operator, or an admin of the current KB)?"""
    reader = current().reader
    return reader is None or reader.admin


def kb_names() -> list[str]:
    names = KnowledgeBase.names(settings())
    chosen = current_kb()
    return names if chosen in names else sorted([*names, chosen])


def allowed_types() -> list[str]:
    """Upload extensions (KORAG_PORTAL_UPLOAD_TYPES), lower-case, without dots."""
    return [t.strip().lower().lstrip(".") for t in settings().portal_upload_types.split(",") if t.strip()]


@contextmanager
def shown_errors(doing: str) -> Iterator[None]:
    """The portal's edge: an error is one Korean message naming what failed, never a traceback.

    Expected errors (a bad file, an unreachable server, a missing document) show their own message;
    anything else is logged with its traceback for the operator and shown as one line.
    """
    try:
        yield
    except (AgentError, RetrievalError, ValueError, OSError) as err:
        st.error(f"{doing} 실패: {err}")
    except Exception as err:  # noqa: BLE001 — the edge: nothing may reach the browser as a traceback
        log.exception("portal: %s failed", doing)
        st.error(f"{doing} 중 예상하지 못한 오류가 났습니다: {type(err).__name__}: {err}")


def plain(text: str) -> str:
    """Markdown that shows Korean document text as written: `~` (3~5일) is not strikethrough, `$` not math."""
    return text.replace("\\", "\\\\").replace("~", "\\~").replace("$", "\\$")


def mode_label(mode: str, model: str | None) -> str:
    """Who wrote a result: the LLM (by name) or korag's extractive default."""
    if mode == "llm":
        return f"LLM · {model}"
    if mode == "agent":
        return f"에이전트 · {model}"
    return "추출형 (LLM 없음)"


def show_mode(mode: str, model: str | None, notices: list[str]) -> None:
    """The mode badge, then every notice the result carries (fallbacks, licences)."""
    extractive = mode == "extractive"
    st.badge(mode_label(mode, model), icon=":material/format_quote:" if extractive else ":material/smart_toy:",
             color="gray" if extractive else "blue")
    for notice in notices:
        st.info(notice, icon=":material/info:")


def document_choice(label: str, key: str) -> str | None:
    """A select box over the current KB's documents; returns the chosen document id."""
    documents = current().documents()
    if not documents:
        st.info("이 지식베이스에 문서가 없습니다. **문서** 페이지에서 먼저 올려 주세요.")
        return None
    names = {d.id: f"{d.name}  ·  " + (f"{d.pages}쪽 · " if d.pages else "") + f"{d.chunks}개 청크" for d in documents}
    return st.selectbox(label, list(names), format_func=names.__getitem__, key=key)
