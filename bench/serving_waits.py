"""Waiting clients: 1,000 event streams and 200 seed calls held at once by the production web
tier, while a probe measures what everyone else gets.

The seed calls (``POST /api/custom-image-generation``, spread over several users) go to a
provider that takes 20 s (``bench.providers.RemoteModelStandIn``), run by a few worker
processes: a handful finish within ``AICEPS_SYNC_WAIT_SECONDS`` and answer 200, the others
answer 202 with a status URL. Each user lists its tasks and opens five event streams on each
(``GET /api/v1/tasks/{id}/events``). Once every seed call has answered, the benchmark cancels
the tasks that have not started through the API; the ones running complete on their worker.
Every stream must then receive its ``end`` event.

Meanwhile a probe (another process) reads ``GET /api/v1/credits`` and ``/healthz`` ten times
a second each, and a sampler reads the web tier's memory (gunicorn's master and workers) and
each worker's thread count.
"""

from __future__ import annotations

import asyncio
import resource
import time

from . import aclient
from .client import multipart, photo
from .figures import TreeSampler, cpu_seconds, median, percentile
from .installation import Installation
from .probe import Probe
from .servers import stop

PROVIDER = "bench.providers.RemoteModelStandIn"
PROBES = ["/api/v1/credits", "/healthz"]
QUIET_SECONDS = 15  # the probe alone first: the noise floor of this machine


async def _seed(port: int, token: str, body: bytes, content_type: str, timeout: float):
    """The seed call and when its answer came (``time.time()``)."""
    try:
        answer = await aclient.request(
            port,
            "POST",
            "/api/custom-image-generation",
            token=token,
            body=body,
            headers={"Content-Type": content_type},
            timeout=timeout,
        )
    except (OSError, ConnectionError, TimeoutError, ValueError) as exc:
        answer = aclient.Response(0, {}, repr(exc).encode(), float("nan"))
    return answer, time.time()


async def _task_ids(port: int, token: str, expected: int, deadline: float) -> list[str]:
    """The user's tasks, as its client would find them (the seed call has not answered)."""
    while True:
        answer = await aclient.request(port, "GET", "/api/v1/tasks?page_size=100", token=token)
        ids = [task["id"] for task in answer.json().get("results", [])]
        if len(ids) >= expected or time.monotonic() > deadline:
            return ids
        await asyncio.sleep(0.2)


async def _paced(coroutines, per_second: float) -> list[asyncio.Task]:
    """Start the coroutines at ``per_second``: clients arrive, not all in one instant."""
    tasks = []
    t0 = time.monotonic()
    for n, coroutine in enumerate(coroutines):
        delay = t0 + n / per_second - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.ensure_future(coroutine))
    return tasks


async def _scenario(port: int, tokens: list[str], cfg: dict, marks: dict) -> dict:
    users, seeds, streams = len(tokens), cfg["seeds"], cfg["streams"]
    body, content_type = multipart(
        {"prompt": "make it a watercolour", "task_type": "edit"},
        [("image", "photo.jpg", photo(640, 480))],
    )
    wait_for = cfg["sync_wait"] + 60
    marks["start"] = time.time()
    seed_jobs = await _paced(
        (_seed(port, tokens[n % users], body, content_type, wait_for) for n in range(seeds)),
        cfg["seeds_per_second"],
    )
    deadline = time.monotonic() + 60
    per_user = await asyncio.gather(
        *(_task_ids(port, token, seeds // users, deadline) for token in tokens)
    )
    owners = {task_id: tokens[u] for u, ids in enumerate(per_user) for task_id in ids}
    marks["seeds_created"] = marks["streams_start"] = time.time()
    each = max(1, streams // max(1, len(owners)))
    targets = [(task_id, token) for task_id, token in owners.items() for _ in range(each)]
    timeout = cfg["sync_wait"] + 2 * cfg["provider_seconds"] + 90
    stream_jobs = await _paced(
        (aclient.stream(port, t, token, timeout=timeout) for t, token in targets[:streams]),
        cfg["streams_per_second"],
    )
    marks["streams_opened"] = time.time()
    seeds_done = await asyncio.gather(*seed_jobs)
    seed_answers = [answer for answer, _ in seeds_done]
    marks["seeds_answered"] = time.time()
    waited = [at for answer, at in seeds_done if answer.status == 202]
    marks["first_202"] = min(waited, default=marks["seeds_answered"])

    async def cancel(task_id: str, token: str) -> int:
        path = f"/api/v1/tasks/{task_id}/cancel"
        try:
            return (await aclient.request(port, "POST", path, token=token)).status
        except (OSError, ConnectionError, TimeoutError):
            return 0

    # The tasks that have not started are cancelled at the pace they came in (their users
    # give up one by one); those running complete on their workers.
    answered = {a.json().get("task_id"): a.json().get("status") for a in seed_answers}
    unfinished = [(t, tok) for t, tok in owners.items() if answered.get(t) != "completed"]
    cancels = await asyncio.gather(
        *await _paced((cancel(t, tok) for t, tok in unfinished), cfg["seeds_per_second"])
    )
    marks["cancelled"] = time.time()
    stream_results = await asyncio.gather(*stream_jobs)
    marks["ended"] = time.time()
    return {
        "seeds": seed_answers,
        "streams": stream_results,
        "cancels": cancels,
        "tasks": len(owners),
    }


def run(
    inst: Installation,
    *,
    redis: bool,
    streams: int = 1000,
    seeds: int = 200,
    sync_wait: float = 60.0,
    provider_seconds: float = 20.0,
    queue_workers: int = 4,
) -> dict:
    env = {
        "AICEPS_IMAGE_PROVIDER": PROVIDER,
        "AICEPS_BENCH_PROVIDER_SECONDS": str(provider_seconds),
        "AICEPS_MAX_WAITERS_PER_USER": "100000",
        "AICEPS_THROTTLE_USER": "1000000/min",
        "AICEPS_SYNC_WAIT_SECONDS": str(sync_wait),
        **(inst.redis_env() if redis else {}),
    }
    cfg = {
        "streams": streams,
        "seeds": seeds,
        "sync_wait": sync_wait,
        "provider_seconds": provider_seconds,
        "seeds_per_second": 25.0,
        "streams_per_second": 50.0,
    }
    cluster = inst.qcluster(workers=queue_workers, **env)
    server = inst.gunicorn(**env)
    marks: dict[str, float] = {}
    loop = aclient.new_loop()
    try:
        workers = server.worker_pids()
        with (
            TreeSampler(server.pid) as sampler,
            Probe(server.port, inst.tokens[0], PROBES, inst.root / "probe-waits.json") as probe,
        ):
            time.sleep(QUIET_SECONDS)  # the probe alone: the quiet figures
            web_cpu = sum(cpu_seconds(p) for p in workers)
            own_cpu = _own_cpu()
            outcome = loop.run_until_complete(_scenario(server.port, inst.tokens[1:], cfg, marks))
            own_cpu = _own_cpu() - own_cpu
            web_cpu = sum(cpu_seconds(p) for p in workers) - web_cpu
            time.sleep(1)
    finally:
        loop.close()
        server.close()
        stop(cluster)
    return _figures(inst, outcome, marks, probe, sampler, own_cpu, web_cpu, cfg, queue_workers)


def _own_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _figures(inst, outcome, marks, probe, sampler, own_cpu, web_cpu, cfg, queue_workers) -> dict:
    seeds, streams = outcome["seeds"], outcome["streams"]
    ended = [s for s in streams if s.ended is not None]
    rows = inst.task_rows(list({s.task_id for s in streams}))
    lag = [
        (s.ended - rows[s.task_id]["completed_at"]) * 1000
        for s in ended
        if rows.get(s.task_id, {}).get("completed_at")
    ]
    # Every stream has had its first event: all 1,200 connections are open and waiting.
    all_open = max((s.first_status for s in streams if s.first_status), default=0)
    all_open = max(all_open, marks["streams_opened"])
    windows = {
        "quiet": (marks["start"] - QUIET_SECONDS, marks["start"]),
        "arriving": (marks["start"], all_open),
        # Until the first seed call's wait can end (then 190-odd answers come at once).
        "held": (all_open, min(marks["first_202"], marks["start"] + cfg["sync_wait"])),
        "ending": (marks["first_202"], marks["ended"]),
        "whole": (marks["start"], marks["ended"]),
    }
    probes = {
        path: {name: probe.summary(path, since=a, until=b) for name, (a, b) in windows.items()}
        for path in PROBES
    }
    held = windows["held"]
    codes: dict[str, int] = {}
    for answer in seeds:
        codes[str(answer.status)] = codes.get(str(answer.status), 0) + 1
    errors: dict[str, int] = {}
    for s in streams:
        if s.ended is None:
            errors[s.error or s.end_status] = errors.get(s.error or s.end_status, 0) + 1
    end_statuses: dict[str, int] = {}
    for s in ended:
        end_statuses[s.end_status] = end_statuses.get(s.end_status, 0) + 1
    seconds = marks["ended"] - marks["start"]
    return {
        "config": {**cfg, "users": len(inst.tokens) - 1, "queue_workers": queue_workers},
        "seconds": seconds,
        "windows_s": {name: round(b - a, 1) for name, (a, b) in windows.items()},
        "streams_open_per_second": len(streams) / max(1e-3, all_open - marks["streams_start"]),
        "marks": marks,
        "seed_status": codes,
        "seed_ms_p50": {
            code: median([a.ms for a in seeds if str(a.status) == code]) for code in codes
        },
        "tasks": outcome["tasks"],
        "cancel_status": {str(c): outcome["cancels"].count(c) for c in set(outcome["cancels"])},
        "streams": len(streams),
        "streams_ended": len(ended),
        "stream_end_status": end_statuses,
        "stream_errors": errors,
        "end_lag_ms": {"p50": median(lag), "p99": percentile(lag, 99), "max": max(lag, default=0)},
        "probes": probes,
        "web_rss_peak_mib": sampler.peak_rss(),
        "web_rss_quiet_mib": sampler.peak_rss(*windows["quiet"]),
        "worker_threads_max_held": sampler.max_threads(*held),
        "worker_threads_max": sampler.max_threads(),
        "web_cpu_share": web_cpu / seconds,
        "web_cpu_s": {name: sampler.cpu_used(a, b) for name, (a, b) in windows.items()},
        "client_cpu_share": own_cpu / seconds,
    }
