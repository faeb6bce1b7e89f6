"""요약: pick a document (or upload one), choose length and style, get the summary with its citations."""
from __future__ import annotations

import streamlit as st

from ui.web.sources import render_sources
from ui.web.state import allowed_types, current, document_choice, plain, settings, show_mode, shown_errors
from ui.web.uploads import Upload, ingest_inline

LENGTHS = {"short": "짧게", "medium": "보통", "long": "길게"}
STYLES = {"paragraph": "문단", "bullets": "글머리표"}


def upload_one() -> None:
    """A document uploaded here goes into the KB first (same pipeline as the 문서 page), then is chosen."""
    with st.expander("새 문서 올려서 요약하기"):
        file = st.file_uploader("파일", type=allowed_types() or None, max_upload_size=settings().max_file_mb,
                                key="summary_upload")
        if file is not None and st.button("올리기"):
            with shown_errors("문서 수집"):
                with st.spinner("문서를 분석하는 중…"):
                    [status] = ingest_inline(current(), [Upload(file.name, file.getvalue())], allowed_types(),
                                             lambda i, s: None)
                if status.state == "failed":
                    st.error(f"{status.name}: {status.message}")
                else:
                    st.session_state["summary_doc"] = status.document_id
                    st.rerun()


def page_range(document_id: str) -> tuple[int, int] | None:
    pages = current().document(document_id).pages or 1
    if pages < 2 or not st.checkbox("쪽 범위 지정", key="summary_range"):
        return None
    first, last = st.slider("쪽", 1, pages, (1, pages), key=f"summary_pages-{document_id}")
    return first, last


st.title("요약")
upload_one()
document = document_choice("문서", key="summary_doc")
if document:
    cols = st.columns(2)
    length = cols[0].radio("길이", list(LENGTHS), format_func=LENGTHS.__getitem__, index=1, horizontal=True)
    style = cols[1].radio("형식", list(STYLES), format_func=STYLES.__getitem__, horizontal=True)
    pages = page_range(document)
    if st.button("요약하기", type="primary", icon=":material/summarize:"):
        with shown_errors("요약"), st.spinner("요약하는 중…"):
            st.session_state["summary"] = current().summarize(document, length, style, pages)
    summary = st.session_state.get("summary")
    if summary is not None and summary.document_id == document:
        st.subheader(summary.document or "요약")
        show_mode(summary.mode, summary.model, summary.notices)
        st.markdown(plain(summary.text))
        render_sources(summary.citations)
