"""Several files at once: on S3 each upload or download is a network round trip, so a task's
inputs (up to four photos and a mask) and outputs move side by side instead of one by one.

The threads are kept for the life of the process: django-storages builds one boto3 client per
thread (about half a second each), which a fresh pool per call would pay every time.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

from .storage import StoredFile, read_bytes, store_bytes, uses_remote_storage

T = TypeVar("T")
R = TypeVar("R")
MAX_THREADS = 4

_pool: ThreadPoolExecutor | None = None
_pool_pid: int | None = None
_lock = threading.Lock()


def _executor() -> ThreadPoolExecutor:
    import os

    global _pool, _pool_pid
    with _lock:
        # A forked worker (gunicorn, django-q) must not reuse its parent's dead threads.
        if _pool is None or _pool_pid != os.getpid():
            _pool = ThreadPoolExecutor(MAX_THREADS, thread_name_prefix="aiceps-storage")
            _pool_pid = os.getpid()
        return _pool


def _each(function: Callable[[T], R], items: Iterable[T]) -> list[R]:
    items = list(items)
    if len(items) < 2 or not uses_remote_storage():
        return [function(item) for item in items]
    return list(_executor().map(function, items))


def store_many(files: Iterable[tuple[str, bytes]]) -> list[StoredFile]:
    """``store_bytes`` for each ``(name, data)``, in order; S3 uploads run concurrently."""
    return _each(lambda item: store_bytes(*item), files)


def read_many(names: Iterable[str]) -> list[bytes]:
    """``read_bytes`` for each name, in order; S3 downloads run concurrently."""
    return _each(read_bytes, names)
