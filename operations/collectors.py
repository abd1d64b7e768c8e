"""The ``/metrics`` scrape: every process's counters plus gauges computed at this moment.

Gauges (tasks by status, the oldest pending task, queue depth and age, dependencies up) are
read from the database and the broker at each scrape, so they are right whichever process
answers. The counters are defined in :mod:`core.metrics`.
"""

from __future__ import annotations

import logging

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily

from .checks import broker_queue, run_checks
from .multiprocess import multiprocess_dir

logger = logging.getLogger(__name__)
CONTENT_TYPE = CONTENT_TYPE_LATEST


class StateCollector:
    """Gauges read from the database and the broker at each scrape."""

    def describe(self):
        return []  # computed per scrape; nothing to check for name clashes

    def collect(self):
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
