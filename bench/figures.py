"""Numbers the benchmarks share: the machine, its CPU pressure, percentiles, and what a
process tree costs (resident memory, threads) read from ``/proc``."""

from __future__ import annotations

import contextlib
import os
import platform
import statistics
import threading
import time
from pathlib import Path


def machine() -> dict:
    cpu = platform.processor() or "unknown"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    ram = 0.0
    with contextlib.suppress(OSError, ValueError, IndexError):
        kb = Path("/proc/meminfo").read_text().splitlines()[0].split()[1]
        ram = int(kb) / 1024 / 1024
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "ram_gib": round(ram, 1),
        "python": platform.python_version(),
        "os": platform.platform(),
    }


def cpu_pressure() -> dict:
    """Linux PSI: the share of time something waited for a CPU (other load on the machine),
    over the last 10, 60 and 300 seconds, in percent."""
    try:
        line = Path("/proc/pressure/cpu").read_text().splitlines()[0]
    except (OSError, IndexError):
        return {}
    fields = dict(part.split("=") for part in line.split()[1:])
    return {key: float(fields[key]) for key in ("avg10", "avg60", "avg300") if key in fields}


def pressure_text(psi: dict) -> str:
    if not psi:
        return "n/a"
    return f"{psi['avg10']:.1f}% (avg60 {psi['avg60']:.1f}%, avg300 {psi['avg300']:.1f}%)"


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    index = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[index]


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def _status_field(pid: int, name: str) -> int | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(name + ":"):
                return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        return None
    return None


def rss_mib(pid: int) -> float:
    kb = _status_field(pid, "VmRSS")
    return float("nan") if kb is None else kb / 1024


def threads(pid: int) -> int | None:
    return _status_field(pid, "Threads")


def children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    with contextlib.suppress(OSError):
        return [int(p) for p in path.read_text().split()]
    return []


def tree_rss_mib(pid: int) -> float:
    """A process and its children (gunicorn's master and workers), resident memory summed."""
    values = [rss_mib(p) for p in (pid, *children(pid))]
    return sum(v for v in values if v == v)  # a worker that just exited reads NaN


def io_counters(pid: int) -> dict[str, int]:
    """``/proc/PID/io``: ``rchar`` (bytes read by syscalls, sockets included) and
    ``write_bytes`` (bytes this process caused to be written to storage)."""
    values = {}
    with contextlib.suppress(OSError):
        for line in Path(f"/proc/{pid}/io").read_text().splitlines():
            key, _, value = line.partition(":")
            values[key] = int(value)
    return values


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return float("nan")
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class TreeSampler:
    """Samples a process tree (gunicorn: master and workers) every ``interval`` seconds on a
    thread of its own: total resident memory, and each worker's thread count.

    ``samples``: (``time.time()``, total RSS MiB, {worker pid: threads}, workers' CPU
    seconds so far)."""

    def __init__(self, pid: int, interval: float = 0.2) -> None:
        self.pid, self.interval = pid, interval
        self.samples: list[tuple[float, float, dict[int, int], float]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            pids = children(self.pid)
            workers = {p: threads(p) or 0 for p in pids}
            cpu = sum(c for c in map(cpu_seconds, pids) if c == c)
            self.samples.append((time.time(), tree_rss_mib(self.pid), workers, cpu))
            self._stop.wait(self.interval)

    def __enter__(self) -> TreeSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()

    def window(self, since: float = 0, until: float = float("inf")) -> list:
        return [s for s in self.samples if since <= s[0] < until]

    def peak_rss(self, since: float = 0, until: float = float("inf")) -> float:
        return max((s[1] for s in self.window(since, until)), default=float("nan"))

    def max_threads(self, since: float = 0, until: float = float("inf")) -> dict[int, int]:
        peaks: dict[int, int] = {}
        for _, _, workers, _ in self.window(since, until):
            for pid, count in workers.items():
                peaks[pid] = max(peaks.get(pid, 0), count)
        return peaks

    def cpu_used(self, since: float, until: float) -> float:
        """CPU seconds the workers used between two moments (as sampled)."""
        window = self.window(since, until)
        return window[-1][3] - window[0][3] if len(window) > 1 else float("nan")
