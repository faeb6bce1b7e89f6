"""문서: upload many files with a status and progress bar each, list/search/delete documents, and
choose or create the knowledge base. Inline ingestion by default; queued to workers with Redis.
"""
from __future__ import annotations

from datetime import datetime

import streamlit as st

from agents.errors import IngestError
from agents.jobs import Jobs
from ui.web.access import access_section, readers_label, upload_readers
from ui.web.state import KB_KEY, allowed_types, assistant, current, current_kb, is_admin, settings, shown_errors
from ui.web.uploads import STATE_LABELS, Upload, UploadStatus, ingest_inline, job_status, submit_queued

# Material icons, not emoji: a server without an emoji font (Debian + fonts-nanum) shows emoji as boxes
ICONS = {"queued": ":gray[:material/schedule:]", "parsing": ":blue[:material/manage_search:]",
         "searchable": ":green[:material/search:]", "embedding": ":blue[:material/memory:]", "done": ":green[:material/check_circle:]",
         "failed": ":red[:material/error:]"}


@st.cache_resource(show_spinner=False)
def job_queue() -> Jobs:
    """The Redis queue, one connection pool for every session (only when KORAG_REDIS_URL is set)."""
    return Jobs(settings())


def status_row(slot, status: UploadStatus) -> None:
    """One file's line: icon, name, state and reason, and its progress bar."""
    with slot.container(border=True):
        st.progress(status.progress, text=f"{ICONS[status.state]} **{status.name}** — "
                                          f"{STATE_LABELS[status.state]}: {status.message}")


OCR_ENGINES = {"auto": "자동 (문서는 Tesseract, 사진은 장면 글자)", "tesseract": "Tesseract",
               "scene": "장면 글자 (사진·간판)", "varco": "VARCO-VISION (vLLM 서버)"}


def ocr_engine_choice() -> str | None:
    """The OCR engine for scans and images in this upload; None keeps KORAG_OCR_ENGINE (also when it is off)."""
    configured = settings().ocr_engine
    if configured not in OCR_ENGINES:
        return None
    choices = [e for e in OCR_ENGINES if e != "varco" or settings().vlm_base_url]
    engine = st.selectbox("스캔·이미지 OCR 엔진", choices, format_func=OCR_ENGINES.__getitem__,
                          index=choices.index(configured) if configured in choices else 0, key="upload_ocr_engine")
    return None if engine == configured else engine


def upload_section() -> None:
    queued = bool(settings().redis_url)
    allowed = allowed_types()
    st.subheader("문서 올리기")
    st.caption(f"여러 파일을 한 번에 올릴 수 있습니다. 파일당 최대 {settings().max_file_mb} MB · "
               + ("작업 큐(Redis)로 보내 작업자가 처리합니다." if queued else "이 서버에서 바로 처리합니다."))
    round_ = st.session_state.setdefault("upload_round", 0)
    files = st.file_uploader("파일 선택", type=allowed or None, accept_multiple_files=True,
                             max_upload_size=settings().max_file_mb, key=f"uploader-{round_}")
    readers = upload_readers()
    ocr_engine = ocr_engine_choice()
    if not st.button("수집 시작", type="primary", icon=":material/upload:", disabled=not files):
        return
    uploads = [Upload(f.name, f.getvalue()) for f in files]
    with shown_errors("문서 수집"):
        if queued:
            st.session_state["jobs"] = submit_queued(job_queue(), current(), uploads, allowed, readers, ocr_engine)
        else:
            slots = [st.empty() for _ in uploads]
            finished = ingest_inline(current(), uploads, allowed, lambda i, s: status_row(slots[i], s), readers,
                                     ocr_engine)
            st.session_state["last_batch"] = finished
        st.session_state["upload_round"] = round_ + 1  # a fresh uploader: the same files are not sent twice
        st.rerun()


def batch_section() -> None:
    """The last inline batch's outcome, kept across reruns."""
    batch = st.session_state.get("last_batch")
    if batch:
        failed = sum(s.state == "failed" for s in batch)
        (st.warning if failed else st.success)(f"{len(batch) - failed}개 완료, {failed}개 실패")
        for status in batch:
            status_row(st.empty(), status)


def jobs_section() -> None:
    """Queued uploads: polled every 1.5 s while any job is still waiting or running."""
    pending = any(not s.over for s in st.session_state.get("jobs") or [])
    st.fragment(run_every=1.5 if pending else None)(follow_jobs)()


def follow_jobs() -> None:
    """Each job's state as the workers report it (stage and progress); the page reloads when all are over."""
    statuses: list[UploadStatus] = st.session_state.get("jobs") or []
    if not statuses:
        return
    refreshed = []
    for status in statuses:
        if status.job_id and not status.over:
            try:
                status = job_status(job_queue().job(status.job_id))
            except IngestError as err:
                status = UploadStatus(status.name, "failed", err.reason, 1.0, None, status.job_id)
        refreshed.append(status)
        status_row(st.empty(), status)
    st.session_state["jobs"] = refreshed
    if all(s.over for s in refreshed) and any(not s.over for s in statuses):
        st.rerun()  # the whole page: the document list now holds the new documents


def dead_letters_section() -> None:
    """Jobs that failed for good (after their retries): the queue's dead-letter list, this KB's only."""
    if not settings().redis_url:
        return  # inline ingestion reports failures in the batch above; nothing waits anywhere
    who = current().reader
    failed = [j for j in job_queue().list(kb=current_kb(), state="failed", limit=50)
              if who is None or who.admin or j.user == who.user]
    if not failed:
        return
    with st.expander(f"실패한 작업 {len(failed)}건 (작업 큐)", icon=":material/error:"):
        st.dataframe([{"파일": j.name, "시도": j.attempts, "이유": j.error or ""} for j in failed],
                     hide_index=True, use_container_width=True)
        names = {j.id: f"{j.name} ({j.id[-8:]})" for j in failed}
        cols = st.columns([3, 1], vertical_alignment="bottom")
        chosen = cols[0].selectbox("다시 시도할 작업", list(names), format_func=names.__getitem__, key="retry_job",
                                   help="디스크 부족, 잠금 같은 원인을 고친 뒤 다시 큐에 넣습니다. 읽을 수 없는 파일은 다시 올려야 합니다.")
        if cols[1].button("다시 시도", key="retry", icon=":material/replay:"):
            with shown_errors("작업 다시 시도"):
                try:
                    job = job_queue().retry(chosen)
                except IngestError as err:
                    st.warning(err.reason)
                else:
                    st.session_state["jobs"] = [*(st.session_state.get("jobs") or []), job_status(job)]
                    st.rerun()


def documents_section() -> None:
    """The document list; refreshed every 2 s while vectors are being added, so 벡터 n/m moves."""
    embedding = current().vectors()
    st.fragment(run_every=2.0 if embedding.embedding and not embedding.complete else None)(document_list)()


def document_list() -> None:
    documents = current().documents()
    vectors = current().document_vectors([d.id for d in documents])
    access = current().kb.store.access
    st.subheader(f"문서 목록 ({len(documents)})")
    query = st.text_input("문서 검색", placeholder="파일 이름으로 찾기", key="doc_query").strip().lower()
    shown = [d for d in documents if query in d.name.lower()]
    if not shown:
        st.caption("문서가 없습니다." if not documents else "이름이 맞는 문서가 없습니다.")
        return
    st.dataframe([{"이름": d.name, "상태": vectors[d.id].label() if d.id in vectors else "", "형식": d.format, "쪽": str(d.pages) if d.pages else "–", "청크": d.chunks,
                   "버전": d.version, "OCR 필요": ", ".join(map(str, d.pages_needing_ocr)),
                   "갱신": datetime.fromtimestamp(d.updated_at).strftime("%Y-%m-%d %H:%M"),
                   "읽기 권한": readers_label(access.readers(d.id)), "ID": d.id}
                  for d in shown], hide_index=True, width="stretch")
    if not is_admin():
        return  # deleting documents is for admins
    names = {d.id: d.name for d in shown}
    cols = st.columns([3, 1, 1], vertical_alignment="bottom")
    doomed = cols[0].selectbox("삭제할 문서", list(names), format_func=names.__getitem__, key="doomed")
    sure = cols[1].checkbox("삭제 확인", key="sure")
    if cols[2].button("삭제", icon=":material/delete:", disabled=not sure, width="stretch"):
        with shown_errors("문서 삭제"):
            record = current().kb.delete_document(doomed)
            st.session_state["deleted"] = record.name
            st.session_state.pop("sure", None)
            st.rerun()
    if st.session_state.get("deleted"):
        st.success(f"삭제했습니다: {st.session_state.pop('deleted')}")


def kb_section() -> None:
    if not is_admin():
        return  # creating knowledge bases is for admins
    with st.expander("새 지식베이스 만들기"):
        name = st.text_input("이름 (영문·숫자·한글, - _ .)", key="new_kb").strip()
        if st.button("만들기", disabled=not name):
            with shown_errors("지식베이스 만들기"):
                assistant(name)
                st.session_state[KB_KEY] = name
                st.rerun()


st.title("문서")
st.caption(f"지식베이스: **{current_kb()}**")
kb_section()
with shown_errors("문서 올리기"):
    upload_section()
batch_section()
jobs_section()
with shown_errors("실패한 작업"):
    dead_letters_section()
with shown_errors("문서 목록"):
    documents_section()
with shown_errors("접근 권한"):
    if is_admin():
        access_section()
