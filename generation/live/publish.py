"""Telling waiters that a task changed: one small message per change, once it commits.

The worker (and every service that changes a task) calls :func:`task_changed`. The message
goes out on the process's notification channel, chosen by :func:`backend`:

``redis``
    ``PUBLISH`` on ``<queue name>:tasks`` (``REDIS_URL`` set).
``postgres``
    ``NOTIFY aiceps_tasks`` (the database is PostgreSQL).
``poll``
    nothing is sent: waiters in each web process share one poll of the database (SQLite).

A message that cannot be sent is logged and dropped: waiters also poll now and then, so a
lost message delays an answer by seconds and never loses it.
"""

from __future__ import annotations

import functools
import json
import logging

from django.conf import settings
from django.db import connections, transaction

logger = logging.getLogger(__name__)
PG_CHANNEL = "aiceps_tasks"
_MAX_PAYLOAD = 7000  # PostgreSQL's NOTIFY payload limit is 8000 bytes


def backend() -> str:
    chosen = (settings.AICEPS_NOTIFY_BACKEND or "auto").strip().lower()
    if chosen != "auto":
        return chosen
    if settings.REDIS_URL:
        return "redis"
    if connections["default"].vendor == "postgresql":
        return "postgres"
    return "poll"


def redis_channel() -> str:
    return f"{settings.AICEPS_QUEUE_NAME}:tasks"


@functools.lru_cache(maxsize=4)
def _redis(url: str):
    import redis

    return redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=1)


def task_changed(task_id, *, status: str, stage: str = "", progress: dict | None = None) -> None:
    """Announce a change of ``task_id`` after the current transaction commits (at once
    outside one)."""
    message = {"id": str(task_id), "status": str(status), "stage": str(stage)}
    if progress:
        message["progress"] = {k: v for k, v in progress.items() if k != "preview"}
    payload = json.dumps(message, separators=(",", ":"))[:_MAX_PAYLOAD]
    transaction.on_commit(functools.partial(_send, payload), robust=True)


def _send(payload: str) -> None:
    kind = backend()
    try:
        if kind == "redis":
            _redis(settings.REDIS_URL).publish(redis_channel(), payload)
        elif kind == "postgres":
            with connections["default"].cursor() as cursor:
                cursor.execute("SELECT pg_notify(%s, %s)", [PG_CHANNEL, payload])
    except Exception as exc:  # waiters poll too: a lost message only delays them
        logger.warning(
            "task notification not sent", extra={"backend": kind, "error": type(exc).__name__}
        )
