"""Large images at once: 16 parallel ``POST /api/v1/tasks``, each with four flat 40-megapixel
PNGs (an ``edit`` task takes up to four), against the web tier's memory.

Flat PNGs are small files (a few hundred KB) that decode to 120 MB each: a web process that
decoded uploads would need 7.7 GB for these 64. The web tier checks images from their headers
only, so its memory (gunicorn's master and workers, resident) should barely move, and be back
near its baseline a minute later. No queue worker runs: the tasks just wait in the queue.
"""

from __future__ import annotations

import asyncio
import time

from . import aclient
from .client import flat_png, multipart, photo
from .figures import TreeSampler, median
from .installation import Installation
from .servers import Server

COLOURS = [(200, 40, 40), (40, 200, 40), (40, 40, 200), (200, 200, 40)]


def _settled_rss(sampler: TreeSampler, seconds: float = 2.0) -> float:
    """The median of the last ``seconds`` of samples."""
    now = time.time()
    return median([sample[1] for sample in sampler.window(now - seconds, now)])


def run(
    inst: Installation,
    server: Server,
    *,
    requests: int = 16,
    side: tuple[int, int] = (8000, 5000),
    settle: float = 60.0,
) -> dict:
    images = [flat_png(*side, colour) for colour in COLOURS]
    body, content_type = multipart(
        {"prompt": "brighten all four", "task_type": "edit"},
        [("image", f"flat-{n}.png", data) for n, data in enumerate(images)],
    )
    small, small_type = multipart({"prompt": "warm-up"}, [("image", "photo.jpg", photo(320, 240))])
    loop = aclient.new_loop()

    async def post(data: bytes, kind: str) -> aclient.Response:
        return await aclient.request(
            server.port,
            "POST",
            "/api/v1/tasks",
            token=inst.token,
            body=data,
            headers={"Content-Type": kind},
            timeout=120,
        )

    async def burst(data: bytes, kind: str, n: int) -> list[aclient.Response]:
        return await asyncio.gather(*(post(data, kind) for _ in range(n)))

    try:
        with TreeSampler(server.pid, interval=0.05) as sampler:
            for _ in range(4):  # every worker's first requests: imports, connections
                loop.run_until_complete(burst(small, small_type, 4))
            time.sleep(3)
            baseline = _settled_rss(sampler)
            started = time.time()
            answers = loop.run_until_complete(burst(body, content_type, requests))
            finished = time.time()
            peak = sampler.peak_rss(started, finished + 1.0)
            time.sleep(settle)
            after = _settled_rss(sampler)
    finally:
        loop.close()
    statuses: dict[str, int] = {}
    for answer in answers:
        statuses[str(answer.status)] = statuses.get(str(answer.status), 0) + 1
    refused = [a.json().get("error", a.body[:200]) for a in answers if a.status != 202]
    return {
        "requests": requests,
        "images_per_request": len(images),
        "megapixels": side[0] * side[1] / 1e6,
        "png_bytes": [len(data) for data in images],
        "decoded_bytes_if_decoded": 3 * side[0] * side[1] * len(images) * requests,
        "statuses": statuses,
        "refused": refused[:3],
        "seconds": finished - started,
        "latency_ms_p50": median([a.ms for a in answers]),
        "baseline_mib": baseline,
        "peak_mib": peak,
        "after_mib": after,
        "after_ratio": after / baseline,
        "settle_s": settle,
    }
