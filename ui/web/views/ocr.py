"""OCR: read an image or a scanned PDF page; the text beside the page with each line's box drawn.
Nothing is stored in the knowledge base.
"""
from __future__ import annotations

import streamlit as st

from ui.web import images
from ui.web.state import current, settings, shown_errors

TYPES = ["png", "jpg", "jpeg", "tif", "tiff", "webp", "bmp", "gif", "pdf"]
ENGINES = {"tesseract": "Tesseract (내장, CPU)", "varco": "VARCO-VISION (vLLM 서버)"}


def engine_choice() -> str:
    configured = settings().ocr_engine if settings().ocr_engine in ENGINES else "tesseract"
    engine = st.radio("엔진", list(ENGINES), format_func=ENGINES.__getitem__, horizontal=True,
                      index=list(ENGINES).index(configured), key="ocr_engine")
    if engine == "varco" and not settings().vlm_base_url:
        st.warning("VARCO-VISION 서버가 설정되지 않았습니다 (KORAG_VLM_BASE_URL). Tesseract를 쓰세요.")
    return engine


def run_ocr(name: str, data: bytes, page: int, engine: str) -> None:
    with shown_errors("OCR"), st.spinner(f"{ENGINES[engine]}로 읽는 중…"):
        [result] = current().ocr(data, engine=engine, pages=[page], name=name)
        st.session_state["ocr"] = (name, page, result)


def show(data: bytes) -> None:
    name, page, result = st.session_state["ocr"]
    for warning in result.warnings:
        st.warning(warning)
    lines = result.lines()
    st.caption(f"{name} · {page}쪽 · 엔진 {result.engine} · 줄 {len(lines)}개 · 단어 {len(result.words)}개")
    left, right = st.columns(2)
    with left:
        with shown_errors("쪽 이미지"):
            image = images.page_image(data, name, page)
            boxes = images.pixel_boxes(image, [line.box.as_list() for line in lines], result.width, result.height)
            st.image(images.draw_boxes(image, boxes), caption="빨간 상자: 읽은 줄", width="stretch")
    with right:
        st.text_area("읽은 텍스트", result.text, height=520, key=f"ocr_text-{name}-{page}")
        st.download_button("텍스트 내려받기", result.text.encode("utf-8"), f"{name.rsplit('.', 1)[0]}.txt",
                           "text/plain", icon=":material/download:")


st.title("OCR")
st.caption("이미지나 스캔한 PDF의 한 쪽을 읽습니다. 결과는 지식베이스에 저장되지 않습니다.")
file = st.file_uploader("이미지 또는 PDF", type=TYPES, max_upload_size=settings().max_file_mb, key="ocr_upload")
if file is not None:
    data = file.getvalue()
    with shown_errors("파일 열기"):
        pages = images.page_count(data, file.name)
        page = st.number_input(f"쪽 (전체 {pages}쪽)", 1, pages, 1, key="ocr_page") if pages > 1 else 1
        engine = engine_choice()
        if st.button("OCR 실행", type="primary", icon=":material/document_scanner:"):
            run_ocr(file.name, data, int(page), engine)
        shown = st.session_state.get("ocr")
        if shown is not None and shown[0] == file.name and shown[1] == page:
            show(data)
