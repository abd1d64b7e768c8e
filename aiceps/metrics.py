"""Prometheus metrics: their definitions, the one-line hooks services call, and the scrape.

Counters and histograms are updated where things happen (web requests, the task lifecycle,
the pipeline, the credits ledger, storage); gauges (tasks by status, queue depth and age,
dependencies up) are computed from the database and the broker when ``/metrics`` is scraped.

Several processes (gunicorn workers, qcluster workers) each count their own events. Set
``PROMETHEUS_MULTIPROC_DIR`` to one empty, writable directory shared by the web server and the
queue cluster (the same value for both, set before they start) and ``/metrics`` adds up every
process's files (prometheus_client's multiprocess mode). Empty the directory when everything
starts (``python -m aiceps.metrics --clean`` removes the files of processes that are gone, so
it is safe while others run; ``aiceps/gunicorn.conf.py`` calls it when gunicorn starts).
Without the variable, each process exposes its own counts (fine for one process).

Every hook swallows its own errors: a metrics bug must never fail a task or a request.
"""

from __future__ import annotations

import functools
import logging
import os
import re
import sys
from pathlib import Path

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily

logger = logging.getLogger(__name__)
MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
CONTENT_TYPE = CONTENT_TYPE_LATEST
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
def task_finished(task) -> None:
    """A task completed or failed: count it and observe its queue wait, storing and run."""
    status = str(task.status)
    TASK_TRANSITIONS.labels(status).inc()
    if task.started_at is None:  # failed before any worker took it
        return
    provider = _provider_label(task.image_provider)
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


def _provider_label(name: str) -> str:
    """The provider's own name (``gemini``, ``invert``), as the stage records use."""
    if not name:
        return "none"
    try:
        from generation.providers.registry import get_image_provider

        return get_image_provider(name).name
    except Exception:
        return name.rsplit(".", 1)[-1][:100]


# --- Scrape-time gauges ------------------------------------------------------------------


class StateCollector:
    """Gauges read from the database and the broker at each scrape."""

    def describe(self):
        return []  # computed per scrape; nothing to check for name clashes

    def collect(self):
        from .ops import run_checks

        up = GaugeMetricFamily(
            "aiceps_dependency_up",
            "1 when the dependency answers (as /readyz)",
            labels=["dependency"],
        )
        latency = GaugeMetricFamily(
            "aiceps_dependency_latency_seconds",
            "Time the readiness check took",
            labels=["dependency"],
        )
        checks = run_checks()
        for name, check in checks.items():
            up.add_metric([name], 1.0 if check["ok"] else 0.0)
            latency.add_metric([name], check["latency_ms"] / 1000)
        yield up
        yield latency
        if checks["database"]["ok"]:
            yield from _guarded(_task_gauges)
        if checks["broker"]["ok"]:
            yield from _guarded(_queue_gauges)


def _guarded(build):
    try:
        return list(build())
    except Exception:
        logger.warning("metrics: %s failed", build.__name__, exc_info=True)
        return []


def _task_gauges():
    from django.db.models import Count, Min
    from django.utils import timezone

    from generation.models import TaskHistory

    counts = dict.fromkeys(TaskHistory.Status.values, 0)
    rows = TaskHistory.objects.order_by().values_list("status").annotate(n=Count("pk"))
    counts.update(dict(rows))
    tasks = GaugeMetricFamily(
        "aiceps_tasks", "Tasks by status, from the database", labels=["status"]
    )
    for status, count in counts.items():
        tasks.add_metric([status], count)
    yield tasks
    pending = TaskHistory.objects.filter(status=TaskHistory.Status.PENDING)
    oldest = pending.order_by().aggregate(oldest=Min("created_at"))["oldest"]
    age = (timezone.now() - oldest).total_seconds() if oldest else 0.0
    yield GaugeMetricFamily(
        "aiceps_tasks_oldest_pending_age_seconds",
        "Age of the oldest task still pending (0 when none), whatever the broker",
        value=max(age, 0.0),
    )


def _queue_gauges():
    from .ops import broker_queue

    depth, age = broker_queue()
    yield GaugeMetricFamily(
        "aiceps_queue_depth", "Jobs waiting in the broker for a worker", value=depth
    )
    yield GaugeMetricFamily(
        "aiceps_queue_oldest_age_seconds",
        "Time the oldest waiting job has waited in the broker (0 when none)",
        value=age,
    )


class _ProcessCollectors:
    """This process's own metrics (the default registry), for the plain single-process mode."""

    def describe(self):
        return []

    def collect(self):
        return REGISTRY.collect()


def multiprocess_dir() -> str | None:
    return os.environ.get(MULTIPROC_ENV) or None


def scrape_registry() -> CollectorRegistry:
    """A registry for one scrape: every process's files (multiprocess mode) or this process's
    metrics, plus the gauges computed now."""
    registry = CollectorRegistry(auto_describe=False)
    path = multiprocess_dir()
    if path:
        multiprocess.MultiProcessCollector(registry, path=path)
    else:
        registry.register(_ProcessCollectors())
    registry.register(StateCollector())
    return registry


def render() -> bytes:
    return generate_latest(scrape_registry())


# --- Multiprocess directory --------------------------------------------------------------

_PID_IN_NAME = re.compile(r"_(\d+)\.db$")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def clean_multiprocess_dir(path: str | None = None) -> int:
    """Create the directory and remove the files of processes that no longer run.

    Safe while other processes (a running qcluster) use the directory. Returns how many
    files went."""
    path = path or multiprocess_dir()
    if not path:
        return 0
    directory = Path(path)
    directory.mkdir(parents=True, exist_ok=True)
    removed = 0
    for file in directory.glob("*.db"):
        match = _PID_IN_NAME.search(file.name)
        if match and not _alive(int(match.group(1))):
            file.unlink(missing_ok=True)
            removed += 1
    return removed


if __name__ == "__main__":  # python -m aiceps.metrics --clean
    if "--clean" in sys.argv[1:]:
        count = clean_multiprocess_dir()
        print(f"removed {count} file(s) of finished processes from ${MULTIPROC_ENV}")
    else:
        print("usage: python -m aiceps.metrics --clean", file=sys.stderr)
        sys.exit(2)
