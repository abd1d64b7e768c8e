"""Helpers for tests of limits under concurrency: release many calls at once; keep a burst
inside one fixed window of a django-ratelimit counter."""

from __future__ import annotations

import secrets
import threading
import time
from concurrent.futures import ThreadPoolExecutor

from django.db import connections
from django_ratelimit.core import get_usage


def burst(count: int, call) -> list:
    """``call(n)`` for n in range(count), all released at once from their own threads."""
    start = threading.Barrier(count)

    def run(n):
        start.wait()
        try:
            return call(n)
        finally:
            connections.close_all()  # this thread's own, so the test database can be dropped

    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(run, range(count)))


def outside_a_window_end(group: str, ident: str, rate: str, margin: int = 8) -> None:
    """Wait, if need be, so what follows does not straddle the end of ``ident``'s fixed
    window (the limit holds per window; a burst across two would meet two limits)."""
    usage = get_usage(None, group=group, key=lambda *_: ident, rate=rate)
    if usage["time_left"] < margin:
        time.sleep(usage["time_left"] + 1)


def an_address_far_from_its_window_end(group: str, rate: str, margin: int) -> str:
    """A private address of its own whose ``rate`` window in ``group`` has at least ``margin``
    seconds left (each key's window starts at its own offset), so nothing needs to wait."""
    while True:
        address = f"10.{secrets.randbelow(250)}.{secrets.randbelow(250)}.1"
        usage = get_usage(None, group=group, key=lambda *_: f"address:{address}", rate=rate)
        if usage["time_left"] >= margin:
            return address
