"""Prometheus metrics: their definitions and the one-line hooks services call.

Counters and histograms are updated where things happen (web requests, the task lifecycle,
the pipeline, the credits ledger, storage). The scrape, with the gauges computed from the
database and the broker at that moment, is ``operations.collectors``.

Several processes (web workers, qcluster workers) each count their own events. Set
``PROMETHEUS_MULTIPROC_DIR`` to one empty, writable directory shared by the web server and the
queue cluster (the same value for both, set before they start) and ``/metrics`` adds up every
process's files (prometheus_client's multiprocess mode). ``python -m operations.multiprocess
--clean`` removes the files of processes that are gone (safe while others run; the web
server's start runs it). Without the variable, each process exposes its own counts.

Every hook swallows its own errors: a metrics bug must never fail a task or a request.
"""

from __future__ import annotations

import functools
import logging
import os

from prometheus_client import Counter, Histogram

logger = logging.getLogger(__name__)
MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
TASK_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 30, 60, 120, 300, 600, 1800)
if os.environ.get(MULTIPROC_ENV):  # each metric opens its file there as it is defined
    os.makedirs(os.environ[MULTIPROC_ENV], exist_ok=True)

HTTP_REQUEST_DURATION = Histogram(
    "aiceps_http_request_duration_seconds",
    "Time to answer a web request (to the first byte of a streamed answer), by URL route "
    "pattern, method and status code.",
    ["route", "method", "status"],
)
TASK_STAGE_DURATION = Histogram(
    "aiceps_task_stage_duration_seconds",
    "Duration of a task's stages: queue (waiting for a worker), prompt, image, storing, and "
    "total (the run); by provider and outcome.",
    ["stage", "provider", "outcome"],
    buckets=TASK_BUCKETS,
)
TASK_TRANSITIONS = Counter(
    "aiceps_task_transitions", "Tasks entering a status (pending when created).", ["status"]
)
CREDITS_CHARGED = Counter("aiceps_credits_charged", "Credits charged for tasks.")
CREDITS_REFUNDED = Counter("aiceps_credits_refunded", "Credits refunded for tasks.")
PROVIDER_ERRORS = Counter(
    "aiceps_provider_errors",
    "Tasks failed by a provider error (after the pipeline's retries), by provider and code.",
    ["provider", "code"],
)
STORAGE_FALLBACKS = Counter(
    "aiceps_storage_fallbacks",
    "Files kept on local disk because the remote storage (S3) failed.",
)


def _safe(func):
    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        try:
            func(*args, **kwargs)
        except Exception:
            logger.warning("metrics hook %s failed", func.__name__, exc_info=True)

    return wrapper


def _after_commit(callback) -> None:
    """Count what a transaction did only once it commits (at once outside one)."""
    from django.db import transaction

    transaction.on_commit(callback, robust=True)


# --- Hooks (one line each in the services) -----------------------------------------------


@_safe
def request_finished(*, route: str, method: str, status: int, seconds: float) -> None:
    HTTP_REQUEST_DURATION.labels(route, method, str(status)).observe(seconds)


@_safe
def task_created(task) -> None:
    TASK_TRANSITIONS.labels("pending").inc()


@_safe
def task_cancelled(task) -> None:
    _after_commit(lambda: TASK_TRANSITIONS.labels("cancelled").inc())


@_safe
def task_finished(task, *, provider: str | None = None) -> None:
    """A task completed or failed: count it and observe its queue wait, storing and run.

    ``provider`` is the image provider's own name (as the stage records use); by default
    the task's configured name."""
    status = str(task.status)
    TASK_TRANSITIONS.labels(status).inc()
    if task.started_at is None:  # failed before any worker took it
        return
    provider = provider or provider_label(task.image_provider)
    observe = TASK_STAGE_DURATION.labels
    observe("queue", provider, status).observe(_seconds(task.created_at, task.started_at))
    if task.storage_time_ms is not None:
        observe("storing", provider, status).observe(task.storage_time_ms / 1000)
    if task.generation_time_ms is not None:
        total = task.generation_time_ms / 1000
    else:
        total = _seconds(task.started_at, task.completed_at)
    observe("total", provider, status).observe(total)


@_safe
def stages_finished(result) -> None:
    """The pipeline's two stages ran (``generation.pipeline.PipelineResult``)."""
    for stage, record in (("prompt", result.prompt_stage), ("image", result.image_stage)):
        outcome = "cached" if record.cached else "ok"
        TASK_STAGE_DURATION.labels(stage, record.provider or "unknown", outcome).observe(
            record.duration_ms / 1000
        )


@_safe
def provider_error(error) -> None:
    provider = getattr(error, "provider", None) or "none"
    PROVIDER_ERRORS.labels(provider, getattr(error, "code", "") or "unknown").inc()


@_safe
def storage_fell_back() -> None:
    STORAGE_FALLBACKS.inc()


@_safe
def credits_charged(amount: int) -> None:
    if amount > 0:
        _after_commit(lambda: CREDITS_CHARGED.inc(amount))


@_safe
def credits_refunded(amount: int) -> None:
    if amount > 0:
        _after_commit(lambda: CREDITS_REFUNDED.inc(amount))


def _seconds(start, end) -> float:
    if start is None or end is None:
        return 0.0
    return max((end - start).total_seconds(), 0.0)


def provider_label(name: str) -> str:
    """A provider's short name as a label: registry names as they are, a dotted class path
    by its last part (bounded, so a label never carries a whole module path)."""
    if not name:
        return "none"
    return name.rsplit(".", 1)[-1][:100]
