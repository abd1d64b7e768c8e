"""The hand-off to workers: which queue a task goes to, the one enqueue function, and how
many jobs wait in a queue.

Tasks of local models (``queue_group == "local"``) go to ``AICEPS_LOCAL_QUEUE_NAME``, all
others (text tasks too, which have no image provider) to ``AICEPS_QUEUE_NAME``; each name
is a django-q2 cluster (``Q_CLUSTER_NAME``).
"""

from __future__ import annotations

import functools
import logging

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from catalogue.providers.registry import queue_group
from core.availability import is_unavailable

from ..liveness import queue_of_group

logger = logging.getLogger(__name__)

REDIS_TIMEOUT_SECONDS = 1.0


def queue_for(image_provider: str) -> str:
    """The queue (django-q2 cluster) whose workers run this provider's tasks (the default
    queue for a task without one: a text task)."""
    return queue_of_group(queue_group(image_provider) if image_provider else "default")


def queues() -> list[str]:
    return [settings.AICEPS_QUEUE_NAME, settings.AICEPS_LOCAL_QUEUE_NAME]


def enqueue_task(task) -> None:
    """Queue ``task`` for a worker of its provider's group once the current transaction
    commits (at once outside one): a worker must never look for a row not yet committed."""
    task_id, cluster = str(task.pk), queue_for(task.image_provider)

    def enqueue() -> None:
        try:
            enqueue_job(
                "generation.tasks.run_task", task_id, name=f"task-{task_id}", cluster=cluster
            )
        except Exception as exc:
            if not is_unavailable(exc):
                raise
            # The broker (Redis) is away: the task is committed and pending, and the reaper's
            # pending rescue queues it again (AICEPS_PENDING_RESCUE_SECONDS); the client gets
            # its task, not an error for a task it was charged for.
            logger.warning(
                "task not queued: broker unavailable",
                extra={"task_id": task_id, "error": type(exc).__name__},
            )

    transaction.on_commit(enqueue)


def enqueue_job(func: str, *args, name: str, cluster: str) -> str:
    """Put one job on ``cluster``'s queue, through this process's broker for it."""
    from django_q.tasks import async_task

    return async_task(func, *args, task_name=name[:100], cluster=cluster, broker=_broker(cluster))


_brokers: dict[tuple, object] = {}


def _broker(cluster: str):
    """One broker per queue and process: django-q2 builds a new one for every job otherwise
    (a Redis connection each time; with the ORM broker, closing the request's connection)."""
    from django_q.brokers import get_broker
    from django_q.conf import Conf

    key = (cluster, str(Conf.ORM), str(getattr(Conf, "REDIS", None)), Conf.BROKER_CLASS)
    broker = _brokers.get(key)
    if broker is None:
        if Conf.ORM and not Conf.BROKER_CLASS:
            broker = _orm_enqueuer()(list_key=cluster)
        else:
            broker = get_broker(cluster)
        _brokers[key] = broker
    return broker


def _orm_enqueuer():
    """The ORM broker without its ``close_old_connections`` (meant for the cluster's broker
    thread; in a request or a job it would close the caller's own connection)."""
    from django_q.brokers.orm import ORM
    from django_q.conf import Conf
    from django_q.models import OrmQ

    class OrmEnqueuer(ORM):
        @staticmethod
        def get_connection(list_key: str | None = None):
            return OrmQ.objects.using(Conf.ORM)

    return OrmEnqueuer


def broker_backend() -> str:
    from django_q.conf import Conf

    if Conf.ORM:
        return "orm"
    if getattr(settings, "REDIS_URL", ""):
        return "redis"
    return "other"


@functools.lru_cache(maxsize=4)
def redis_client(url: str):
    import redis

    return redis.Redis.from_url(
        url, socket_connect_timeout=REDIS_TIMEOUT_SECONDS, socket_timeout=REDIS_TIMEOUT_SECONDS
    )


def redis_key(queue: str) -> str:
    return f"django_q:{queue}:q"  # django_q.brokers.redis_broker.Redis


def waiting_jobs(queue: str) -> tuple[int, float]:
    """Jobs waiting in ``queue`` for a worker, and how long (seconds) the oldest has waited.
    Jobs a worker has taken are not counted."""
    from django.db.models import Count, Min
    from django_q.conf import Conf
    from django_q.models import OrmQ

    backend = broker_backend()
    if backend == "orm":
        now = timezone.now()
        waiting = OrmQ.objects.using(Conf.ORM).filter(key=queue, lock__lte=now)
        row = waiting.order_by().aggregate(n=Count("id"), oldest=Min("lock"))
        oldest = row["oldest"]
        return row["n"], max((now - oldest).total_seconds(), 0.0) if oldest else 0.0
    if backend == "redis":
        client = redis_client(settings.REDIS_URL)
        depth = int(client.llen(redis_key(queue)))
        return depth, _redis_oldest_age(client, queue) if depth else 0.0
    return 0, 0.0


def _redis_oldest_age(client, queue: str) -> float:
    from django_q.signing import SignedPackage

    payload = client.lindex(redis_key(queue), 0)
    try:
        started = SignedPackage.loads(payload)["started"]  # set by async_task
    except Exception:
        return 0.0
    return max((timezone.now() - started).total_seconds(), 0.0)
