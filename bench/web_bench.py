"""The web server: how many 1 MB photos ``POST /api/v1/tasks`` accepts per second, and whether a
worker's memory stays flat over 1,000 requests."""

from __future__ import annotations

import threading
import time

from .client import photo
from .figures import median, percentile, rss_mib
from .installation import Installation


def one_megabyte_jpeg() -> bytes:
    """A 2000x1500 photo with grain, JPEG quality 90: about 1 MB, like a phone's."""
    data = photo(2000, 1500, quality=90, noise=11.0)
    assert 0.9e6 < len(data) < 1.3e6, len(data)
    return data


def intake(
    inst: Installation,
    *,
    workers: int | None = None,
    clients: int = 8,
    total: int = 200,
    time_limit: float = 25.0,
) -> dict:
    """``clients`` concurrent uploaders; no qcluster runs, so the tasks just queue."""
    image = one_megabyte_jpeg()
    server = inst.gunicorn(workers=workers)
    workers = len(server.worker_pids())
    latencies: list[float] = []
    failures: list[int] = []
    lock = threading.Lock()
    counter = iter(range(10**9))
    deadline = time.monotonic() + time_limit

    def uploader():
        client = server.connection()
        client.submit(image, "warm-up")  # connection and first-request costs, not counted
        barrier.wait()
        while time.monotonic() < deadline:
            with lock:
                n = next(counter)
            if n >= total:
                return
            started = time.perf_counter()
            status, _ = client.submit(image, f"intake {n}")
            elapsed = (time.perf_counter() - started) * 1000
            with lock:
                (latencies if status == 202 else failures).append(
                    elapsed if status == 202 else status
                )

    barrier = threading.Barrier(clients + 1)
    pool = [threading.Thread(target=uploader, daemon=True) for _ in range(clients)]
    try:
        for thread in pool:
            thread.start()
        barrier.wait()
        started = time.perf_counter()
        for thread in pool:
            thread.join(time_limit + 60)
        elapsed = time.perf_counter() - started
    finally:
        server.close()
    return {
        "config": f"gunicorn, {workers} uvicorn workers",
        "clients": clients,
        "image_bytes": len(image),
        "accepted": len(latencies),
        "failed": len(failures),
        "per_second": len(latencies) / elapsed,
        "p50_ms": median(latencies),
        "p99_ms": percentile(latencies, 99),
    }


def memory(inst: Installation, *, requests: int = 1000, checkpoint: int = 100) -> dict:
    """One worker answering a mix of reads and small submissions; its RSS after
    ``checkpoint`` and after ``requests`` requests."""
    server = inst.gunicorn(workers=1)
    try:
        (pid,) = server.worker_pids()
        client = server.connection()
        small = photo(320, 240)
        status, body = client.submit(small, "memory")
        assert status == 202, body
        task_path = f"/api/v1/tasks/{body['id']}"
        marks = {}
        started = time.perf_counter()
        for n in range(1, requests + 1):
            kind = n % 10
            if kind == 0:
                status, _ = client.submit(small, f"memory {n}")
            elif kind in (1, 4, 7):
                status, _ = client.request("GET", task_path)
            elif kind in (2, 5, 8):
                status, _ = client.request("GET", "/api/v1/tasks?page=1")
            elif kind == 3:
                status, _ = client.request("GET", "/api/v1/credits")
            elif kind == 6:
                status, _ = client.request("GET", "/readyz")
            else:
                status, _ = client.request("GET", "/metrics")
            if status >= 400:
                raise RuntimeError(f"request {n} answered {status}")
            if n in (checkpoint, requests) or n % 250 == 0:
                marks[n] = rss_mib(pid)
        elapsed = time.perf_counter() - started
    finally:
        server.close()
    return {
        "rss_at_checkpoint_mib": marks[checkpoint],
        "rss_at_end_mib": marks[requests],
        "growth": marks[requests] / marks[checkpoint] - 1,
        "requests": requests,
        "checkpoint": checkpoint,
        "trend_mib": {n: round(v, 1) for n, v in sorted(marks.items())},
        "seconds": elapsed,
    }
