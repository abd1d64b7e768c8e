"""The web process's one bounded pool of threads for synchronous work.

Under ASGI every request's synchronous parts (the ORM, parsing a form, Django's sync
middleware hooks and views) run on these threads and give them back as soon as each part is
done; a client that waits for a task waits on the event loop, holding a socket and no
thread. ``operations.serving`` creates the pool when the ASGI application starts; other
processes (workers, tests, management commands) have none, and :func:`sync_pool` answers
None there.
"""

from __future__ import annotations

import contextlib
import threading
from concurrent.futures import ThreadPoolExecutor

_pool: ThreadPoolExecutor | None = None
_lock = threading.Lock()


def install(max_workers: int) -> ThreadPoolExecutor:
    global _pool
    with _lock:
        if _pool is None:
            _pool = ThreadPoolExecutor(max_workers=max_workers, thread_name_prefix="aiceps-sync")
        return _pool


def sync_pool() -> ThreadPoolExecutor | None:
    return _pool


def close_connections(timeout: float = 5.0) -> None:
    """Close the database connections every pool thread holds (a test server's shutdown):
    one job per thread, held at a barrier so that each runs on a thread of its own."""
    pool = _pool
    if pool is None:
        return
    from django.db import connections

    barrier = threading.Barrier(pool._max_workers)

    def close() -> None:
        with contextlib.suppress(threading.BrokenBarrierError):
            barrier.wait(timeout)
        connections.close_all()

    for job in [pool.submit(close) for _ in range(pool._max_workers)]:
        job.result(timeout + 1)
