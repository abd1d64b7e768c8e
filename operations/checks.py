"""Readiness checks of the dependencies (database, file storage, queue broker), for
``/readyz`` and the ``aiceps_dependency_up`` gauges.

Each check runs with its dependency's own short timeout (S3: ``AICEPS_S3_TIMEOUT_SECONDS`` and
two attempts; Redis: 1 s), one after the other, so give a readiness probe about 10 s.

The readiness answer names each failing check's error class, never its message (which may
carry host names); the message goes to the log.
"""

from __future__ import annotations

import contextlib
import logging
import tempfile
import time
from pathlib import Path

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections

from generation.liveness import queues_alive
from generation.services.queue import broker_backend, redis_client, waiting_jobs
from generation.services.workers import worker_queues

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


def _write_probe(root: Path) -> None:
    root.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=root, prefix=".readyz-", delete=True) as probe:
        probe.write(b"ok")
        probe.flush()


def check_storage() -> dict:
    """Local storage: a file can be written. S3: it answers; when it does not (or the upload
    breaker is open) and the local fallback can be written, storage is *degraded*: files are
    kept and served locally until S3 is back, so the instance stays ready."""
    from django.core.files.storage import default_storage

    from generation.storage import FALLBACK_DIR, uses_remote_storage
    from generation.storage_breaker import breaker

    if not uses_remote_storage():
        _write_probe(Path(settings.MEDIA_ROOT))
        return {"backend": "local"}
    backend = type(default_storage._wrapped).__name__
    state = breaker.describe()
    if state["state"] == "closed":
        try:
            default_storage.exists(STORAGE_PROBE_KEY)  # a HEAD; a 404 is an answer
            return {"backend": backend, "breaker": state}
        except Exception as exc:
            logger.warning(
                "storage probe failed",
                extra={"error": type(exc).__name__, "detail": str(exc)[:300]},
            )
            state = {**state, "probe": type(exc).__name__}
    _write_probe(Path(settings.MEDIA_ROOT) / FALLBACK_DIR)  # raises: nothing can store
    return {"backend": backend, "degraded": True, "serving": "local fallback", "breaker": state}


def broker_queue() -> tuple[int, float]:
    """Jobs waiting in the default queue and how long (seconds) the oldest has waited."""
    return waiting_jobs(settings.AICEPS_QUEUE_NAME)


def check_broker() -> dict:
    backend = broker_backend()
    if backend == "redis":
        redis_client(settings.REDIS_URL).ping()
    depth, _ = broker_queue()
    alive = queues_alive()  # which queues this server offers have a live worker
    workers = {queue: queue in alive for queue in worker_queues()}
    return {"backend": backend, "queued": depth, "workers": workers}


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
