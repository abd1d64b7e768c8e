"""Readiness checks of the dependencies (database, file storage, queue broker), for
``/readyz`` and the ``aiceps_dependency_up`` gauges.

Each check runs with its dependency's own short timeout (S3: ``AICEPS_S3_TIMEOUT_SECONDS`` and
two attempts; Redis: 1 s), one after the other, so give a readiness probe about 10 s.

The readiness answer names each failing check's error class, never its message (which may
carry host names); the message goes to the log.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import tempfile
import time
from pathlib import Path

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.utils import timezone

logger = logging.getLogger(__name__)
STORAGE_PROBE_KEY = "readyz-probe"
REDIS_TIMEOUT_SECONDS = 1.0


def check_database() -> dict:
    connection = connections[DEFAULT_DB_ALIAS]
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:
        # Drop a broken connection now, so the next check (or query) connects afresh
        # instead of reusing it until the request ends.
        if not connection.in_atomic_block:
            with contextlib.suppress(Exception):
                connection.close()
        raise
    return {"backend": connection.vendor}


def check_storage() -> dict:
    from django.core.files.storage import default_storage

    from generation.storage import uses_remote_storage

    if uses_remote_storage():
        # A HEAD of a key that needs no special permission; a 404 is an answer.
        default_storage.exists(STORAGE_PROBE_KEY)
        return {"backend": type(default_storage._wrapped).__name__}
    root = Path(settings.MEDIA_ROOT)
    root.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=root, prefix=".readyz-", delete=True) as probe:
        probe.write(b"ok")
        probe.flush()
    return {"backend": "local"}


def broker_backend() -> str:
    from django_q.conf import Conf

    if Conf.ORM:
        return "orm"
    if getattr(settings, "REDIS_URL", ""):
        return "redis"
    return "other"


@functools.lru_cache(maxsize=4)
def _redis_client(url: str):
    import redis

    return redis.Redis.from_url(
        url, socket_connect_timeout=REDIS_TIMEOUT_SECONDS, socket_timeout=REDIS_TIMEOUT_SECONDS
    )


def _redis_key() -> str:
    from django_q.conf import Conf

    return f"django_q:{Conf.CLUSTER_NAME}:q"  # django_q.brokers.redis_broker.Redis


def broker_queue() -> tuple[int, float]:
    """Jobs waiting in the broker and how long (seconds) the oldest has waited."""
    from django.db.models import Count, Min
    from django_q.conf import Conf
    from django_q.models import OrmQ

    backend = broker_backend()
    if backend == "orm":
        now = timezone.now()
        waiting = OrmQ.objects.using(Conf.ORM).filter(key=Conf.CLUSTER_NAME, lock__lte=now)
        row = waiting.order_by().aggregate(n=Count("id"), oldest=Min("lock"))
        oldest = row["oldest"]
        return row["n"], max((now - oldest).total_seconds(), 0.0) if oldest else 0.0
    if backend == "redis":
        client = _redis_client(settings.REDIS_URL)
        depth = int(client.llen(_redis_key()))
        return depth, _redis_oldest_age(client) if depth else 0.0
    return 0, 0.0


def _redis_oldest_age(client) -> float:
    from django_q.signing import SignedPackage

    payload = client.lindex(_redis_key(), 0)
    try:
        started = SignedPackage.loads(payload)["started"]  # set by async_task
    except Exception:
        return 0.0
    return max((timezone.now() - started).total_seconds(), 0.0)


def check_broker() -> dict:
    backend = broker_backend()
    if backend == "redis":
        _redis_client(settings.REDIS_URL).ping()
    depth, _ = broker_queue()
    return {"backend": backend, "queued": depth}


CHECKS = {"database": check_database, "storage": check_storage, "broker": check_broker}


def run_checks() -> dict[str, dict]:
    results = {}
    for name, check in CHECKS.items():
        started = time.perf_counter()
        try:
            result = {"ok": True, **check()}
        except Exception as exc:
            logger.warning(
                "readiness check failed",
                extra={"check": name, "error": type(exc).__name__, "detail": str(exc)[:300]},
            )
            result = {"ok": False, "error": type(exc).__name__}
        result["latency_ms"] = round((time.perf_counter() - started) * 1000, 2)
        results[name] = result
    return results
