"""Hostile clients: slow headers, slow bodies and a 300 MB body, through nginx and against the
ASGI server alone.

Slow clients: 64 connections that send one header line a second and never finish their
headers, and 64 uploads that announce 1 MB and send four bytes a second. The probe (``GET
/api/v1/credits``, 20 a second, another process) runs in alternating windows without and
with them; its p99 with them is compared with its p99 without. A slow client that the
server disconnects connects again, so the load stays the same.

The 300 MB body: ``POST /api/v1/tasks`` announcing 300 MB and sending as fast as the server
takes it; the time to the answer counts from the end of the headers, and the benchmark
checks that the web tier read and wrote (almost) none of it: the workers' ``/proc`` I/O
counters, the servers' temporary folder (``TMPDIR``), the media folder and nginx's body
buffers.
"""

from __future__ import annotations

import asyncio
import time

from . import aclient
from .figures import TreeSampler, io_counters
from .installation import Installation
from .probe import Probe
from .servers import Nginx, Server

SLOW_HEADERS = SLOW_BODIES = 64
PROBE = "/api/v1/credits"


async def _windows(port: int, token: str, *, seconds: float, rounds: int) -> dict:
    """Alternating windows, probe alone and probe with the slow clients."""
    marks: list[tuple[str, float, float]] = []
    headers, bodies = aclient.SlowStats(), aclient.SlowStats()
    for _ in range(rounds):
        start = time.time()
        await asyncio.sleep(seconds)
        marks.append(("alone", start, time.time()))
        stop = asyncio.Event()
        clients = [aclient.slow_header_client(port, stop, headers) for _ in range(SLOW_HEADERS)]
        clients += [aclient.slow_body_client(port, token, stop, bodies) for _ in range(SLOW_BODIES)]
        running = [asyncio.ensure_future(c) for c in clients]
        await asyncio.sleep(1)  # all connected and trickling
        start = time.time()
        await asyncio.sleep(seconds)
        marks.append(("slow", start, time.time()))
        stop.set()
        await asyncio.gather(*running)
    return {"marks": marks, "slow_headers": headers, "slow_bodies": bodies}


def slow_clients(
    inst: Installation, server: Server, port: int, *, seconds: float = 10, rounds: int = 3
) -> dict:
    """``port``: nginx's, or the server's own."""
    loop = aclient.new_loop()
    out = inst.root / f"probe-slow-{port}.json"
    try:
        with (
            TreeSampler(server.pid) as sampler,
            Probe(port, inst.token, [PROBE], out, interval=0.05) as probe,
        ):
            seen = loop.run_until_complete(
                _windows(port, inst.token, seconds=seconds, rounds=rounds)
            )
    finally:
        loop.close()

    def pooled(kind: str) -> dict:
        latencies, errors = [], 0
        for name, start, end in seen["marks"]:
            if name == kind:
                window = [s for s in probe.samples[PROBE] if start <= s[0] < end]
                latencies += [ms for _, ms, status in window if status == 200]
                errors += sum(1 for *_, status in window if status != 200)
        from .figures import median, percentile

        return {
            "requests": len(latencies) + errors,
            "errors": errors,
            "p50_ms": median(latencies),
            "p99_ms": percentile(latencies, 99),
            "max_ms": max(latencies, default=float("nan")),
        }

    alone, slow = pooled("alone"), pooled("slow")
    slow_windows = [(a, b) for name, a, b in seen["marks"] if name == "slow"]
    threads: dict[int, int] = {}
    for a, b in slow_windows:
        for pid, count in sampler.max_threads(a, b).items():
            threads[pid] = max(threads.get(pid, 0), count)

    def described(stats: aclient.SlowStats) -> dict:
        lifetimes = sorted(stats.lifetimes)
        return {
            "connections": stats.opened,
            "closed_by_server": stats.closed_by_server,
            "answers": stats.answers,
            "median_lifetime_s": lifetimes[len(lifetimes) // 2] if lifetimes else None,
        }

    return {
        "alone": alone,
        "slow": slow,
        "ratio": slow["p99_ms"] / alone["p99_ms"],
        "slow_headers": described(seen["slow_headers"]),
        "slow_bodies": described(seen["slow_bodies"]),
        "worker_threads_max": threads,
        "window_s": seconds,
        "rounds": rounds,
    }


def _delta(before: dict, after: dict, key: str) -> int:
    """How much a /proc I/O counter grew, summed over the workers that are still there."""
    return sum(after[p].get(key, 0) - before[p].get(key, 0) for p in before if after.get(p))


def _files(*folders) -> set:
    return {p for folder in folders if folder.exists() for p in folder.rglob("*") if p.is_file()}


def oversized(
    inst: Installation, server: Server, nginx: Nginx | None, *, size: int = 300_000_000
) -> dict:
    """The 300 MB body, to the server alone (with ``Content-Length``, then chunked) and
    through nginx."""
    loop = aclient.new_loop()
    media = inst.root / "media"
    results = {}
    targets = [("direct", server.port, False), ("direct_chunked", server.port, True)]
    if nginx is not None:
        targets += [("nginx", nginx.port, False), ("nginx_chunked", nginx.port, True)]
    try:
        for name, port, chunked in targets:
            workers = server.worker_pids()
            proxies = nginx.worker_pids() if nginx else []
            before_io = {pid: io_counters(pid) for pid in workers}
            before_proxy = {pid: io_counters(pid) for pid in proxies}
            before_files = _files(inst.temp_dir, media)
            before_nginx = set(nginx.temp_files()) if nginx else set()
            answer = loop.run_until_complete(
                aclient.oversized_upload(port, inst.token, size=size, chunked=chunked)
            )
            time.sleep(1.0)  # whatever the server still does with it
            after_io = {pid: io_counters(pid) for pid in workers}
            after_proxy = {pid: io_counters(pid) for pid in proxies}

            answer.update(
                read_by_workers_bytes=_delta(before_io, after_io, "rchar"),
                written_by_workers_bytes=_delta(before_io, after_io, "write_bytes"),
                written_by_nginx_bytes=_delta(before_proxy, after_proxy, "write_bytes"),
                new_files=sorted(str(p) for p in _files(inst.temp_dir, media) - before_files),
                nginx_buffered=sorted(
                    str(p) for p in (set(nginx.temp_files()) if nginx else set()) - before_nginx
                ),
            )
            results[name] = answer
    finally:
        loop.close()
    return results
