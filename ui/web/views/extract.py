"""추출: pick a document and a schema (Korean presets or your own), get validated JSON with each
field's source, and download it as JSON or CSV.
"""
from __future__ import annotations

import jsonschema
import streamlit as st

from ui.web.schemas import PRESETS, parse_schema, preset_text, rows, to_csv, to_json
from ui.web.sources import render_sources
from ui.web.state import current, document_choice, show_mode, shown_errors

CUSTOM = "직접 작성"


def schema_editor() -> str:
    preset = st.selectbox("스키마", [*PRESETS, CUSTOM], key="extract_preset",
                          help="JSON Schema: 필드 이름, 형식(type), 설명(description)")
    start = preset_text(preset) if preset in PRESETS else '{\n  "type": "object",\n  "properties": {\n  }\n}'
    # keyed by preset: choosing another preset loads its schema; edits to one preset survive reruns
    return st.text_area("스키마 (JSON)", start, height=260, key=f"schema-{preset}")


def show(extraction) -> None:
    show_mode(extraction.mode, extraction.model, extraction.notices)
    if extraction.missing:
        st.warning(f"찾지 못한 항목: {', '.join(extraction.missing)}")
    left, right = st.columns(2)
    with left:
        st.markdown("**결과 (JSON)**")
        st.json(extraction.data)
    with right:
        st.markdown("**항목별 출처**")
        # one document: its name would only take the room the passage needs (the CSV keeps it)
        st.dataframe([{k: v for k, v in row.items() if k != "문서"} for row in rows(extraction)],
                     hide_index=True, width="stretch")
    stem = (extraction.document or "extraction").rsplit(".", 1)[0]
    cols = st.columns(2)
    cols[0].download_button("JSON 내려받기", to_json(extraction), f"{stem}.json", "application/json",
                            icon=":material/download:", width="stretch")
    cols[1].download_button("CSV 내려받기", to_csv(extraction), f"{stem}.csv", "text/csv",
                            icon=":material/download:", width="stretch")
    sources = [f.source for f in extraction.fields.values() if f.source is not None]
    render_sources(sorted({s.n: s for s in sources}.values(), key=lambda s: s.n))


st.title("추출")
document = document_choice("문서", key="extract_doc")
if document:
    text = schema_editor()
    if st.button("추출하기", type="primary", icon=":material/data_object:"):
        with shown_errors("추출"), st.spinner("추출하는 중…"):
            try:
                st.session_state["extraction"] = current().extract(document, parse_schema(text))
            except jsonschema.SchemaError as err:  # a schema the validator rejects: say where
                raise ValueError(f"스키마 오류: {err.message}") from None
    extraction = st.session_state.get("extraction")
    if extraction is not None and extraction.document_id == document:
        show(extraction)
