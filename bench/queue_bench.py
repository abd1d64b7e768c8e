"""The queue: what a task pays for going through the API and a qcluster worker (ORM broker and
Redis broker), and how many tasks N worker processes finish per second."""

from __future__ import annotations

import random
import time

from .client import photo
from .figures import median, percentile
from .installation import SLOW, Installation
from .servers import Server, stop


def direct_pipeline_ms(image: bytes, runs: int = 40) -> list[float]:
    """The same two stages called in this process: the work a task does, with no service."""
    from catalogue.imaging import prepare_for_model
    from generation.pipeline import Pipeline, PipelineInput
    from tests.fakes.providers import EchoPromptWriter, InvertImageProvider

    data = prepare_for_model(image)
    pipeline = Pipeline(prompt_writer=EchoPromptWriter(), image_provider=InvertImageProvider())
    times = []
    for i in range(runs + 3):
        started = time.perf_counter()
        pipeline.run(PipelineInput(instruction=f"edit number {i}", images=(data,)))
        if i >= 3:  # warm-up
            times.append((time.perf_counter() - started) * 1000)
    return times


def _one_task(inst: Installation, client, image: bytes, prompt: str) -> dict:
    sent = time.time()
    status, body = client.submit(image, prompt)
    answered = time.time()
    if status != 202:
        raise RuntimeError(f"submit answered {status}: {body}")
    row = inst.wait_final([body["id"]], timeout=60, interval=0.002)[body["id"]]
    # When the client can see the result: the completing transaction (statistics included)
    # has committed (seen within 2 ms). completed_at is stamped before it and would flatter.
    seen = time.time()
    if row["status"] != "completed":
        raise RuntimeError(f"task {body['id']} ended {row['status']}")
    pipeline = (row["prompt_time_ms"] or 0) + (row["image_time_ms"] or 0)
    storing = row["storage_time_ms"] or 0
    return {
        "e2e": (seen - sent) * 1000,
        "api": (answered - sent) * 1000,
        "queue": (row["started_at"] - answered) * 1000,
        "run": (seen - row["started_at"]) * 1000,
        "pipeline": pipeline,
        "storing": storing,
        # The worker's own writes: the claim, stage records, up to completed_at ...
        "bookkeeping": (row["completed_at"] - row["started_at"]) * 1000 - pipeline - storing,
        # ... and the completing transaction, from completed_at to its commit.
        "completing": (seen - row["completed_at"]) * 1000,
    }


def overhead(
    inst: Installation,
    server: Server,
    *,
    poll: float | None = None,
    tasks: int = 25,
    broker: str = "orm",
    **env: str,
) -> dict:
    """Tasks one at a time through POST /api/v1/tasks and a one-worker qcluster; ``poll``
    None: the worker's default interval (``AICEPS_QUEUE_POLL_SECONDS``), which only the ORM
    broker uses (Redis blocks on BLPOP)."""
    image = photo(640, 480)
    cycle = inst.default_poll if poll is None else poll
    cluster = inst.qcluster(workers=1, poll=poll, **env)
    try:
        client = server.connection()
        for i in range(3):  # warm-up: worker start, imports, first connections
            _one_task(inst, client, image, f"warm-up {broker} {poll} {i}")
        samples = []
        for i in range(tasks):
            # Arrive at a random moment of the poll cycle, as independent users would; one
            # after the other, tasks would fall into step with the broker's polling.
            time.sleep(random.uniform(0, cycle))
            samples.append(_one_task(inst, client, image, f"edit {broker} {poll} {i}"))
    finally:
        stop(cluster)
    direct = direct_pipeline_ms(image)
    result = {key: median([s[key] for s in samples]) for key in samples[0]}
    result["e2e_p90"] = percentile([s["e2e"] for s in samples], 90)
    result["direct"] = median(direct)
    result["overhead"] = result["e2e"] - result["direct"]
    result["poll_ms"] = cycle * 1000
    result["broker"] = broker
    result["tasks"] = tasks
    return result


def throughput(inst: Installation, server: Server, *, workers: int, rounds: int = 6) -> dict:
    """``rounds`` x ``workers`` one-second tasks queued first, then a qcluster of ``workers``
    processes drains them: tasks per second from the first start to the last finish."""
    client = server.connection()
    image = photo(320, 240)
    ids = []
    for i in range(rounds * workers):
        status, body = client.submit(image, f"slow {workers} {i}")
        if status != 202:
            raise RuntimeError(f"submit answered {status}: {body}")
        ids.append(body["id"])
    cluster = inst.qcluster(workers=workers)
    try:
        rows = inst.wait_final(ids, timeout=rounds * 3 + 60, interval=0.05)
    finally:
        stop(cluster)
    done = [r for r in rows.values() if r["status"] == "completed"]
    first = min(r["started_at"] for r in done)
    last = max(r["completed_at"] for r in done)
    return {
        "workers": workers,
        "tasks": len(ids),
        "completed": len(done),
        "seconds": last - first,
        "per_second": len(done) / (last - first),
    }


def run_all(inst: Installation) -> dict:
    """The ORM broker at its default poll interval and at 0.01 s (the poll's share), the
    Redis broker when the installation has one, and throughput."""
    results = {}
    server = inst.gunicorn()
    try:
        results["overhead"] = overhead(inst, server)
        results["overhead_fast_poll"] = overhead(inst, server, poll=0.01)
    finally:
        server.close()
    if inst.redis_url:
        server = inst.gunicorn(**inst.redis_env())
        try:
            results["overhead_redis"] = overhead(inst, server, broker="redis", **inst.redis_env())
        finally:
            server.close()
    server = inst.gunicorn(AICEPS_IMAGE_PROVIDER=SLOW)
    try:
        results["throughput"] = [throughput(inst, server, workers=n) for n in (1, 2, 4)]
    finally:
        server.close()
    return results
