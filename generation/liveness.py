"""Which queues have a live worker now, from the heartbeats every ``qcluster`` records
(``generation.services.workers.worker_beat``).

A process reads them at most every ``AICEPS_WORKER_CHECK_SECONDS`` (one small indexed query,
whatever the number of requests); the broker is never scanned. Every queue counts as served
when jobs run inline (django-q2's ``sync``, the tests) or when ``AICEPS_WORKER_CHECK`` is off.
"""

from __future__ import annotations

import threading
import time
from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from .models import WorkerHeartbeat

_lock = threading.Lock()
_alive: tuple[float, frozenset[str]] = (float("-inf"), frozenset())


def queue_of_group(group: str) -> str:
    """The queue (django-q2 cluster) whose workers run a queue group's tasks."""
    if group == "local":
        return settings.AICEPS_LOCAL_QUEUE_NAME
    return settings.AICEPS_QUEUE_NAME


def checking() -> bool:
    """Whether liveness is checked at all: not when jobs run inline in the caller."""
    from django_q.conf import Conf

    return bool(settings.AICEPS_WORKER_CHECK) and not Conf.SYNC


def queues_alive() -> frozenset[str]:
    """The queues with a worker seen within ``AICEPS_WORKER_STALE_SECONDS``."""
    global _alive
    read_at, alive = _alive
    now = time.monotonic()
    if now - read_at < settings.AICEPS_WORKER_CHECK_SECONDS:
        return alive
    with _lock:
        read_at, alive = _alive
        if now - read_at < settings.AICEPS_WORKER_CHECK_SECONDS:
            return alive
        cutoff = timezone.now() - timedelta(seconds=settings.AICEPS_LEASES.worker_stale_seconds)
        rows = WorkerHeartbeat.objects.filter(seen_at__gte=cutoff).order_by()
        alive = frozenset(rows.values_list("queue", flat=True).distinct())
        _alive = (time.monotonic(), alive)
        return alive


def forget_alive() -> None:
    """Read the heartbeats anew on the next question (after a worker starts or stops here)."""
    global _alive
    _alive = (float("-inf"), frozenset())


def group_served(group: str) -> bool:
    """Whether a task of this queue group would be taken by a worker now."""
    return not checking() or queue_of_group(group) in queues_alive()
