"""질문하기: a multi-turn chat over the chosen KB; answers stream in, then each citation opens its source."""
from __future__ import annotations

import uuid

import streamlit as st

from agents.types import Answer
from rag.filters import Filters
from ui.web.sources import render_sources
from ui.web.state import current, current_kb, plain, show_mode, shown_errors


def conversation() -> dict:
    """This browser session's chat in this KB: an id for the Assistant's history, and the turns shown."""
    chats = st.session_state.setdefault("chats", {})
    return chats.setdefault(current_kb(), {"id": uuid.uuid4().hex, "turns": []})


def show_answer(answer: Answer) -> None:
    st.markdown(plain(answer.text))
    show_mode(answer.mode, answer.model, answer.notices)
    render_sources(answer.citations)


def ask(question: str, chat: dict, filters: Filters | None) -> Answer | None:
    """Stream the answer into the page as it is written; returns the finished Answer."""
    finished: list[Answer] = []

    def pieces():
        for item in current().chat_stream(question, chat["id"], filters):
            if isinstance(item, Answer):
                finished.append(item)
            else:
                yield item

    live = st.empty()
    with shown_errors("답변"):
        with live.container():
            st.write_stream(pieces())
    live.empty()  # the streamed text is replaced by the finished answer, with its [n] and sources
    return finished[0] if finished else None


def scope() -> Filters | None:
    documents = current().documents()
    names = {d.id: d.name for d in documents}
    chosen = st.multiselect("검색할 문서 (비우면 전체)", list(names), format_func=names.__getitem__,
                            key=f"scope-{current_kb()}", placeholder="전체 문서")
    return Filters(documents=tuple(chosen)) if chosen else None


st.title("질문하기")
chat = conversation()
top = st.columns([4, 1], vertical_alignment="bottom")
filters = None
with top[0]:
    with shown_errors("문서 목록"):
        filters = scope()
with top[1]:
    if st.button("새 대화", icon=":material/add_comment:", width="stretch"):
        st.session_state["chats"].pop(current_kb(), None)
        st.rerun()

if not chat["turns"]:
    st.caption("문서에 대해 한국어로 물어보세요. 답의 [번호]는 근거가 된 원문을 가리킵니다.")
for question, answer in chat["turns"]:
    with st.chat_message("user"):
        st.markdown(question)
    with st.chat_message("assistant"):
        show_answer(answer)

question = st.chat_input("질문을 입력하세요 (예: 부장 숙박비 한도는?)")
if question:
    with st.chat_message("user"):
        st.markdown(question)
    with st.chat_message("assistant"):
        answer = ask(question, chat, filters)
        if answer is not None:
            chat["turns"].append((question, answer))
            show_answer(answer)
