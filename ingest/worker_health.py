"""Is the `korag worker` on this host alive? Its RQ heartbeat in Redis says so: compose's healthcheck.

    python -m ingest.worker_health        # exit 0: a worker here beat within 120 s; 1: none did (why on stderr)

A Redis ping proves only that Redis answers. An RQ worker writes `last_heartbeat` into its Redis key
each time round its loop (every `WORKER_TTL_S - 15` s while idle, every 30 s during a job), so a fresh
heartbeat from a live process of this host means the loop that takes jobs is turning. Imports only
redis, rq and the settings: it runs every 30 s beside the worker and must stay light.
"""
from __future__ import annotations

import socket
import sys
from dataclasses import dataclass
from datetime import datetime, timezone

from rag.embed_state import process_alive

WORKER_TTL_S = 60  # run_worker's RQ worker_ttl: an idle worker beats every 45 s (RQ: ttl - 15)
HEALTHY_WITHIN_S = 120  # two missed idle beats, or four during a job, before the worker counts as hung


@dataclass(frozen=True)
class WorkerHealth:
    """The verdict on this host's workers: alive or not, and a line a person can act on."""

    alive: bool
    reason: str


def check_workers(connection, hostname: str | None = None, within_s: float = HEALTHY_WITHIN_S,
                  now: datetime | None = None) -> WorkerHealth:
    """Alive when a worker registered from `hostname` (this host), whose process exists here, beat within `within_s`."""
    from rq import Worker

    hostname = hostname or socket.gethostname()
    now = now or datetime.now(timezone.utc)
    mine = [w for w in Worker.all(connection=connection) if w.hostname == hostname]
    if not mine:
        return WorkerHealth(False, f"no RQ worker of host {hostname} is registered in Redis")
    running = [w for w in mine if process_alive(w.pid)]
    if not running:  # a container restarted under the same hostname: the old key lingers until its TTL
        return WorkerHealth(False, f"the workers registered from {hostname} (pids "
                                   f"{', '.join(str(w.pid) for w in mine)}) are not running here")
    ages = []
    for worker in running:
        beat = worker.last_heartbeat
        if beat is None:
            continue
        age = (now - beat.replace(tzinfo=beat.tzinfo or timezone.utc)).total_seconds()
        if age <= within_s:
            return WorkerHealth(True, f"worker {worker.name} (pid {worker.pid}) beat {age:.0f} s ago, "
                                      f"state {worker.get_state()}")
        ages.append(f"{worker.name} {age:.0f} s ago")
    return WorkerHealth(False, f"no heartbeat within {within_s:.0f} s: " + (", ".join(ages) or "none recorded"))


def main() -> int:
    from redis import Redis
    from redis.exceptions import RedisError

    from rag.settings import Settings

    url = Settings().redis_url  # the worker's own setting, read the way the worker reads it
    if not url:
        print("KORAG_REDIS_URL is not set: no queue, no worker to check", file=sys.stderr)
        return 1
    try:
        health = check_workers(Redis.from_url(url, socket_timeout=5))
    except RedisError as err:
        print(f"Redis at {url} does not answer: {err}", file=sys.stderr)
        return 1
    print(health.reason, file=sys.stdout if health.alive else sys.stderr)
    return 0 if health.alive else 1


if __name__ == "__main__":
    sys.exit(main())
