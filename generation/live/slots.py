"""How many clients may wait at once: per user and per web process.

A stream or a synchronous wait takes a slot before it starts and gives it back when it ends,
however it ends. Over a limit the request is refused with 429 and ``Retry-After`` before
anything is created or charged. Counts are kept per process (exact, and nothing to clean up
when a process dies): with several web processes a user may hold up to the limit in each.
"""

from __future__ import annotations

import contextlib
import threading
import weakref
from collections import Counter

from django.conf import settings

from core.errors import LimitError

RETRY_AFTER_SECONDS = 5

_lock = threading.Lock()
_per_user: Counter = Counter()
_total = 0


def acquire(user_id) -> None:
    """Take a slot for ``user_id`` or raise :class:`LimitError`."""
    global _total
    with _lock:
        if _total >= settings.AICEPS_MAX_WAITERS_PER_PROCESS:
            raise LimitError(
                "The server is handling as many waiting requests as it can; try again soon.",
                code="server_busy",
                status=503,
                retry_after=RETRY_AFTER_SECONDS,
            )
        if _per_user[user_id] >= settings.AICEPS_MAX_WAITERS_PER_USER:
            raise LimitError(
                f"You already have {_per_user[user_id]} requests waiting for results (the "
                f"limit is {settings.AICEPS_MAX_WAITERS_PER_USER}); close one or try again soon.",
                code="too_many_waiting",
                retry_after=RETRY_AFTER_SECONDS,
            )
        _per_user[user_id] += 1
        _total += 1


def release(user_id) -> None:
    global _total
    with _lock:
        if _per_user[user_id] > 0:
            _per_user[user_id] -= 1
            _total -= 1
        if _per_user[user_id] <= 0:
            del _per_user[user_id]


class Ticket:
    """One slot, given back exactly once: by :meth:`release`, or when the ticket is dropped
    (a stream that never started, a request abandoned half-way)."""

    def __init__(self, user_id) -> None:
        acquire(user_id)
        self._finalizer = weakref.finalize(self, release, user_id)

    def release(self) -> None:
        self._finalizer()


@contextlib.contextmanager
def reserved(user_id):
    """A :class:`Ticket` for the block; given back at once if the block raises, otherwise
    handed on to whatever the block passed it to."""
    ticket = Ticket(user_id)
    try:
        yield ticket
    except BaseException:
        ticket.release()
        raise


def in_use(user_id=None) -> int:
    with _lock:
        return _total if user_id is None else _per_user[user_id]
