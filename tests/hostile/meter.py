"""Time and peak resident memory of a stretch of code in this process, for the hostile-input table.

On Linux the kernel's own high-water mark (VmHWM) is reset before each measurement and read after
it: exact, even for an allocation that lives a millisecond. Elsewhere a thread samples RSS every 5 ms,
and the process's lifetime peak (getrusage) counts when it rose during the block: code that holds
the GIL can allocate and free between two samples.
"""
from __future__ import annotations

import resource
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import psutil

MiB = 2**20
_CLEAR_REFS = Path("/proc/self/clear_refs")
_STATUS = Path("/proc/self/status")


@dataclass
class Usage:
    """Filled in when the measured block ends."""

    seconds: float = 0.0
    start_mib: float = 0.0  # RSS when the block began
    peak_mib: float = 0.0  # highest RSS while it ran

    @property
    def growth_mib(self) -> float:
        return max(0.0, self.peak_mib - self.start_mib)


def _reset_high_water_mark() -> bool:
    try:
        _CLEAR_REFS.write_text("5")  # "5": reset the peak RSS (proc(5), Linux 4.0+)
    except OSError:
        return False
    return True


def _lifetime_peak_mib() -> float:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / MiB if sys.platform == "darwin" else peak * 1024 / MiB  # bytes on macOS, KiB on Linux


def _high_water_mark() -> float:
    for line in _STATUS.read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024 / MiB
    raise RuntimeError("no VmHWM in /proc/self/status")


class Meter:
    """Measures blocks, which may nest: `with meter.measure() as usage: ...`."""

    def __init__(self, interval_s: float = 0.005) -> None:
        self.process = psutil.Process()
        self.interval_s = interval_s
        self.kernel = _reset_high_water_mark()
        self._open: list[Usage] = []

    def rss_mib(self) -> float:
        return self.process.memory_info().rss / MiB

    def _fold_high_water_mark(self) -> None:
        """Credit every open block with the kernel's peak so far (before a reset would lose it)."""
        if self.kernel:
            peak = _high_water_mark()
            for usage in self._open:
                usage.peak_mib = max(usage.peak_mib, peak)

    @contextmanager
    def measure(self) -> Iterator[Usage]:
        usage = Usage(start_mib=self.rss_mib())
        usage.peak_mib = usage.start_mib
        stop = threading.Event()
        sampler = None
        lifetime = _lifetime_peak_mib()
        if self.kernel:
            self._fold_high_water_mark()
            _reset_high_water_mark()
        else:
            def sample() -> None:
                while not stop.wait(self.interval_s):
                    usage.peak_mib = max(usage.peak_mib, self.rss_mib())

            sampler = threading.Thread(target=sample, daemon=True)
            sampler.start()
        self._open.append(usage)
        started = time.perf_counter()
        try:
            yield usage
        finally:
            usage.seconds = time.perf_counter() - started
            stop.set()
            if sampler is not None:
                sampler.join()
                if _lifetime_peak_mib() > lifetime:  # the process never went this high before: it was here
                    usage.peak_mib = max(usage.peak_mib, _lifetime_peak_mib())
            self._fold_high_water_mark()
            self._open.remove(usage)
            usage.peak_mib = max(usage.peak_mib, self.rss_mib())
