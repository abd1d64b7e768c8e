"""The serving tier under load (``python bench/run.py --only serving``): each part on the
production web tier, gunicorn with uvicorn workers (``aiceps/gunicorn.conf.py``, one worker
per CPU), with nginx in front where a part says so.

1. Waiting clients (``bench/serving_waits.py``): 1,000 event streams and 200 seed calls at
   once on a 20 s provider; probe latencies, web memory, worker threads, every stream's end.
2. Slow clients (``bench/serving_clients.py``): 64 slow-header and 64 slow-body connections,
   through nginx and against the ASGI server alone; the probe's p99 with and without them.
3. A 300 MB body: the answer's time, and that nothing was read or written.
4. Large images (``bench/serving_uploads.py``): 16 parallel requests of four flat
   40-megapixel PNGs; peak web memory, and memory a minute later against the baseline.

With a Redis URL the web tier and workers use Redis (broker, pub/sub notifications, cache);
without one, the database's own notifications (PostgreSQL ``LISTEN``, or the shared poll on
SQLite).
"""

from __future__ import annotations

from . import serving_uploads, serving_waits
from .installation import Installation
from .serving_clients import oversized, slow_clients

USERS = 10  # the waiting clients' users (plus one for the probe)


def notifications(inst: Installation) -> str:
    if inst.redis_url:
        return f"Redis pub/sub and broker ({inst.redis_url})"
    if inst.postgres_url:
        return "PostgreSQL LISTEN/NOTIFY, ORM broker"
    return "SQLite shared poll, ORM broker"


def run_all(inst: Installation, say=print) -> dict:
    env = inst.redis_env() if inst.redis_url else {}
    results: dict = {"notifications": notifications(inst)}
    say("  serving: 1,000 streams and 200 seed calls ...")
    results["waits"] = serving_waits.run(inst, redis=bool(inst.redis_url))
    server = inst.gunicorn(**env)
    try:
        proxy = inst.nginx(server)
        try:
            say("  serving: slow clients through nginx ...")
            results["slow_nginx"] = slow_clients(inst, server, proxy.port)
            say("  serving: slow clients against the ASGI server alone ...")
            results["slow_direct"] = slow_clients(inst, server, server.port)
            say("  serving: a 300 MB body ...")
            results["oversized"] = oversized(inst, server, proxy)
        finally:
            proxy.close()
    finally:
        server.close()
    server = inst.gunicorn(**env)  # a fresh tier: a baseline of its own
    try:
        say("  serving: 16 x 4 flat 40-megapixel PNGs, then a minute's rest ...")
        results["uploads"] = serving_uploads.run(inst, server)
    finally:
        server.close()
    return results
