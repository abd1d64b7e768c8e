"""The web process's one bounded pool of threads for synchronous work.

Under ASGI every request's synchronous parts (the ORM, parsing a form, Django's sync
middleware hooks and views) run on these threads and give them back as soon as each part is
done; a client that waits for a task waits on the event loop, holding a socket and no
thread. ``operations.serving`` creates the pool when the ASGI application starts; other
processes (workers, tests, management commands) have none, and :func:`sync_pool` answers
None there.
"""

from __future__ import annotations

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
