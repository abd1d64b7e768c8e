"""Leases that follow the worker: a running task's lease is renewed while its worker lives.

A claimed task holds a short lease (``AICEPS_TASK_LEASE_SECONDS``, 30 s). While it runs, a
thread of the worker renews it every ``AICEPS_LEASE_RENEW_SECONDS`` (10 s), so a model call of
many minutes stays owned; when the worker dies (killed, out of memory, machine lost) the
renewals stop, the lease runs out within half a minute, and the reaper
(:func:`keep_reaping`, every ``AICEPS_REAPER_SECONDS`` in each qcluster) runs it again or fails
and refunds it. A renewal only extends the lease of the attempt that holds it: a task taken
over by another worker is never extended by the first.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections.abc import Callable
from datetime import timedelta

from django.conf import settings
from django.db import close_old_connections, connection
from django.utils import timezone

from ..models import TaskHistory

logger = logging.getLogger(__name__)


def lease_until():
    return timezone.now() + timedelta(seconds=settings.AICEPS_LEASES.lease_seconds)


def task_renew_lease(*, task: TaskHistory) -> bool:
    """Extend the lease of ``task``'s current attempt; False when it is no longer ours."""
    return bool(
        TaskHistory.objects.filter(
            pk=task.pk, status=TaskHistory.Status.PROCESSING, attempts=task.attempts
        ).update(lease_expires_at=lease_until())
    )


@contextlib.contextmanager
def lease_kept(task: TaskHistory):
    """Renew ``task``'s lease in the background while the block runs."""
    stop = threading.Event()

    def renew() -> None:
        while not stop.wait(settings.AICEPS_LEASES.renew_seconds):
            try:
                if not task_renew_lease(task=task):
                    return  # finished, cancelled or taken over: nothing left to keep
            except Exception as exc:  # the database is away: try again next time
                logger.warning("lease not renewed", extra={"error": type(exc).__name__})
                with contextlib.suppress(Exception):
                    connection.close()
        with contextlib.suppress(Exception):
            connection.close()  # this thread's own connection

    keeper = threading.Thread(target=renew, name=f"lease-{task.pk}", daemon=True)
    keeper.start()
    try:
        yield
    finally:
        stop.set()
        keeper.join(timeout=5)


def keep_reaping(running: Callable[[], bool], *, reap: Callable[[], dict]) -> None:
    """Call ``reap`` every ``AICEPS_REAPER_SECONDS`` while ``running()`` (a qcluster's main
    process calls this while its cluster lives); errors are logged, never raised."""
    while running():
        close_old_connections()
        try:
            reap()
        except Exception as exc:
            logger.warning("reaper run failed", extra={"error": type(exc).__name__})
            with contextlib.suppress(Exception):
                connection.close()
        deadline = time.monotonic() + settings.AICEPS_LEASES.reaper_seconds
        while running() and time.monotonic() < deadline:
            time.sleep(0.25)
