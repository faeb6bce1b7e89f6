"""compose's worker health check (`python -m ingest.worker_health`) against a real Redis and real workers.

A worker that runs is healthy; one that stopped beating (hung), one that was killed, and a host with
no worker are not, whatever Redis itself says.
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from redis import Redis
from rq import Worker

from ingest.worker_health import HEALTHY_WITHIN_S, WORKER_TTL_S, check_workers

pytestmark = [pytest.mark.integration, pytest.mark.slow]
REPO = Path(__file__).resolve().parents[2]
KORAG = [sys.executable, "-c", "import sys; sys.argv[0] = 'korag'; from ui.cli import run; run()"]


@pytest.fixture()
def environment(tmp_path, redis_server) -> dict[str, str]:
    return {**os.environ, "KORAG_HOME": str(tmp_path / "home"), "KORAG_REDIS_URL": redis_server.url,
            "KORAG_EMBEDDER": "none", "KORAG_KIWI_WORKERS": "1", "PYTHONPATH": str(REPO)}


@pytest.fixture()
def worker(environment, tmp_path):
    log = tmp_path / "worker.log"
    process = subprocess.Popen([*KORAG, "worker", "--name", "health"], cwd=REPO, env=environment,
                               stdout=log.open("w"), stderr=subprocess.STDOUT, start_new_session=True)
    redis = Redis.from_url(environment["KORAG_REDIS_URL"])
    deadline = time.monotonic() + 60
    while not any(w.name == "health" for w in Worker.all(connection=redis)):
        assert process.poll() is None and time.monotonic() < deadline, log.read_text(errors="replace")[-3000:]
        time.sleep(0.2)
    yield process
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


def _health_check(environment: dict[str, str]) -> subprocess.CompletedProcess:
    """What compose runs in the container, every 30 s."""
    return subprocess.run([sys.executable, "-m", "ingest.worker_health"], cwd=REPO, env=environment,
                          capture_output=True, text=True, timeout=60)


def test_a_running_worker_is_healthy_and_beats_often_enough(worker, environment):
    done = _health_check(environment)
    assert done.returncode == 0, done.stderr
    assert "worker health" in done.stdout and "beat" in done.stdout
    redis = Redis.from_url(environment["KORAG_REDIS_URL"])
    [registered] = Worker.all(connection=redis)
    assert registered.pid == worker.pid  # the check found the worker process itself
    # the worker runs with worker_ttl WORKER_TTL_S (its key expires ttl + 60 s after a beat; RQ's default
    # 420 would make that 480) and so beats every ttl - 15 s while idle: twice within the check's window
    assert 0 < redis.ttl(registered.key) <= WORKER_TTL_S + 60
    assert 2 * (WORKER_TTL_S - 15) <= HEALTHY_WITHIN_S


def test_a_worker_that_stopped_beating_is_unhealthy_though_redis_answers(worker, environment):
    redis = Redis.from_url(environment["KORAG_REDIS_URL"])
    os.killpg(worker.pid, signal.SIGSTOP)  # hung: the process exists, its loop does not turn
    try:
        [registered] = Worker.all(connection=redis)
        later = registered.last_heartbeat + timedelta(seconds=HEALTHY_WITHIN_S + 1)
        health = check_workers(redis, now=later)
        assert not health.alive and f"no heartbeat within {HEALTHY_WITHIN_S} s" in health.reason
        assert redis.ping()  # the old check's whole question
        assert check_workers(redis, now=registered.last_heartbeat + timedelta(seconds=5)).alive
    finally:
        os.killpg(worker.pid, signal.SIGCONT)


def test_a_killed_worker_is_unhealthy_while_its_key_lingers(worker, environment):
    redis = Redis.from_url(environment["KORAG_REDIS_URL"])
    os.killpg(worker.pid, signal.SIGKILL)  # no warm shutdown: the key stays until its TTL
    worker.wait(timeout=10)
    assert [w.name for w in Worker.all(connection=redis)] == ["health"]
    done = _health_check(environment)
    assert done.returncode == 1 and "not running here" in done.stderr


def test_no_worker_and_no_redis_are_unhealthy(environment, redis_server):
    done = _health_check(environment)
    assert done.returncode == 1 and "no RQ worker of host" in done.stderr
    redis_server.stop()
    done = _health_check(environment)
    assert done.returncode == 1 and "does not answer" in done.stderr
    unset = {k: v for k, v in environment.items() if k != "KORAG_REDIS_URL"}
    done = _health_check(unset)
    assert done.returncode == 1 and "KORAG_REDIS_URL is not set" in done.stderr
