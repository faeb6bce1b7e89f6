"""A real `redis-server` on a free loopback port, for the queue, worker and API tests (and the bench).

Each server lives in its own temporary folder. No persistence unless asked for: the restart test
asks for an append-only file, as compose.yaml's `redis` service has.
"""
from __future__ import annotations

import shutil
import socket
import subprocess
import time
from pathlib import Path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class RedisServer:
    """Start with `start()`; `url` for clients; `restart()` keeps the port (and, with AOF, the data)."""

    def __init__(self, folder: Path, appendonly: bool = False) -> None:
        self.binary = shutil.which("redis-server") or "/usr/bin/redis-server"
        self.folder = folder
        self.appendonly = appendonly
        self.port = free_port()
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> RedisServer:
        self.folder.mkdir(parents=True, exist_ok=True)
        args = [self.binary, "--bind", "127.0.0.1", "--port", str(self.port), "--dir", str(self.folder),
                "--save", "", "--daemonize", "no", "--loglevel", "warning"]
        if self.appendonly:
            args += ["--appendonly", "yes", "--appendfsync", "always"]
        else:
            args += ["--appendonly", "no"]
        self.process = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"redis-server exited: {self.process.stderr.read().decode(errors='replace')}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2) as s:
                    s.sendall(b"PING\r\n")
                    if s.recv(16).startswith(b"+PONG"):
                        return self
            except OSError:
                time.sleep(0.05)
        raise RuntimeError(f"redis-server did not answer on port {self.port}")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()  # SIGTERM: Redis flushes its append-only file and exits
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None

    def restart(self) -> None:
        self.stop()
        self.start()


def redis_available() -> bool:
    return shutil.which("redis-server") is not None or Path("/usr/bin/redis-server").exists()


def run_burst_worker(settings) -> bool:
    """`korag worker --burst` in this process: runs every queued job, then returns (True if any ran).

    RQ installs SIGINT/SIGTERM handlers for a warm shutdown; they are put back so pytest keeps its own.
    """
    import signal

    from ingest.worker import run_worker

    saved = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        return run_worker(settings, burst=True)
    finally:
        for sig, handler in saved.items():
            signal.signal(sig, handler)
