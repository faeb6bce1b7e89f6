"""What the status page checks: which LLM, VLM/OCR engine, embedder, queue and KB are configured, and
whether each answers. Plain functions returning `Check`s, so they are testable without a browser.
"""
from __future__ import annotations

import shutil
from dataclasses import dataclass

import httpx

from agents import Assistant
from agents.errors import AgentError, IngestError
from agents.jobs import Jobs
from rag.errors import RetrievalError


@dataclass(frozen=True)
class Check:
    """One component: what is configured, whether it works (None: not configured / not applicable)."""

    name: str
    configured: str
    ok: bool | None
    detail: str = ""
    warning: str | None = None  # e.g. a non-commercial licence


def llm(assistant: Assistant) -> Check:
    if assistant.llm is None:
        return Check("LLM", "없음 — 추출형 답변 (KORAG_LLM_BASE_URL, KORAG_LLM_MODEL)", None,
                     "문서에서 고른 문장과 출처로 답합니다.")
    name = f"{assistant.llm.model} @ {assistant.llm.base_url}"
    try:
        info = assistant.model_info()
    except AgentError as err:
        return Check("LLM", name, False, str(err), assistant.llm.licence_notice)
    licence = f" · 라이선스: {info.licence}" if info.licence else ""
    preset = f" · 프리셋 {info.preset}" if info.preset else " · 프리셋 없음"
    return Check("LLM", name, True, f"컨텍스트 {info.context_length:,} 토큰{preset}{licence}",
                 assistant.llm.licence_notice)


def ocr(assistant: Assistant) -> Check:
    settings = assistant.settings
    if settings.ocr_engine == "none":
        return Check("OCR", "꺼짐 (KORAG_OCR_ENGINE=none)", None, "스캔한 쪽은 'OCR 필요'로 남습니다.")
    tesseract = _tesseract(settings.ocr_languages)
    if settings.ocr_engine == "tesseract":
        return Check("OCR", f"Tesseract ({settings.ocr_languages})", tesseract is None, tesseract or "설치됨")
    if not settings.vlm_base_url:
        return Check("OCR", f"VARCO-VISION {settings.vlm_model}", False, "KORAG_VLM_BASE_URL이 없습니다")
    reached = _models(settings.vlm_base_url, settings.vlm_api_key)
    fallback = "Tesseract 대체 가능" if tesseract is None else f"Tesseract 대체 불가: {tesseract}"
    if isinstance(reached, str):
        return Check("OCR", f"VARCO-VISION {settings.vlm_model}", False, f"{reached} · {fallback}")
    served = settings.vlm_model in reached
    detail = "서버 응답" + ("" if served else f" (그러나 {settings.vlm_model}을 서비스하지 않음: {', '.join(reached)})")
    return Check("OCR", f"VARCO-VISION {settings.vlm_model} @ {settings.vlm_base_url}", served,
                 f"{detail} · {fallback}")


def embedder(assistant: Assistant) -> Check:
    configured = assistant.settings.embedder
    if configured == "none":
        return Check("임베더", "없음 (KORAG_EMBEDDER=none)", None, "키워드(BM25) 검색만 합니다.")
    try:
        loaded = assistant.retriever.embedder
    except (RetrievalError, OSError, ImportError) as err:
        return Check("임베더", configured, False, str(err))
    pending = len(assistant.kb.pending_embeddings())
    return Check("임베더", configured, loaded is not None,
                 f"{getattr(loaded, 'name', configured)} · 벡터 없는 청크 {pending}개")


def queue(assistant: Assistant) -> Check:
    settings = assistant.settings
    if not settings.redis_url:
        return Check("작업 큐", "없음 — 이 서버에서 바로 처리", None)
    try:
        answered = Jobs(settings).ping()
    except IngestError as err:
        return Check("작업 큐", settings.redis_url, False, err.reason)
    return Check("작업 큐", f"Redis {settings.redis_url} · {settings.queue_name}", answered,
                 "응답함" if answered else "응답 없음: 올린 문서가 처리되지 않습니다")


def knowledge_base(assistant: Assistant) -> Check:
    kb = assistant.kb
    counts = kb.store.counts(assistant.reader)  # what this user may read
    return Check("지식베이스", f"{kb.name} ({kb.path})", True,
                 f"문서 {counts['documents']}개 · 청크 {counts['chunks']}개")


def all_checks(assistant: Assistant) -> list[Check]:
    return [knowledge_base(assistant), llm(assistant), ocr(assistant), embedder(assistant), queue(assistant)]


def _tesseract(languages: str) -> str | None:
    """Why Tesseract cannot read `languages`, or None when it can."""
    if shutil.which("tesseract") is None:
        return "tesseract가 설치되어 있지 않습니다 (apt-get install tesseract-ocr tesseract-ocr-kor)"
    from agents.ocr import tesseract_problem

    return tesseract_problem(languages)


def _models(base_url: str, api_key: str) -> list[str] | str:
    """The model ids an OpenAI-compatible server serves, or why it did not answer."""
    try:
        response = httpx.get(f"{base_url.rstrip('/')}/models", timeout=5.0,
                             headers={"Authorization": f"Bearer {api_key}"})
        response.raise_for_status()
        return [m.get("id", "?") for m in response.json().get("data", [])]
    except (httpx.HTTPError, ValueError) as err:
        return f"서버가 응답하지 않습니다: {err}"
