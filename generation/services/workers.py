"""Workers that report themselves, and the refusal of work that no live worker can take.

Every ``qcluster`` records a heartbeat (:func:`worker_beat`) each ``AICEPS_REAPER_SECONDS``
while it runs and removes it when it stops (:func:`worker_gone`). A provider is offered (the
compose page, ``/v1/models``, the editor's ``check-feature``, ``auto``) only while a worker of
its queue group is alive (:func:`provider_served`), and :func:`workers_check` refuses a task
up front, before anything is stored or charged, when none is: 503 ``no_worker`` instead of a
task that waits forever.
"""

from __future__ import annotations

import contextlib
import os
import socket
import uuid
from datetime import datetime, timedelta

from django.utils import timezone

from catalogue.providers.base import ProviderError
from catalogue.providers.registry import (
    IMAGE_PROVIDERS,
    display_name,
    provider_class,
    queue_group,
    resolve_chain,
)
from core.errors import DomainError, UnavailableError

from ..liveness import group_served, queue_of_group
from ..models import WorkerHeartbeat

FORGOTTEN_AFTER = timedelta(hours=1)  # rows of clusters that died without removing theirs


class NoWorkerError(UnavailableError):
    """No live worker runs the queue a task would go to; nothing was stored or charged."""

    code = "no_worker"
    default_message = "No worker is running this image model now; try again later."


def worker_beat(*, beat_id: uuid.UUID, queue: str, started_at: datetime) -> None:
    """Record that the cluster ``beat_id``, serving ``queue``, is alive now."""
    now = timezone.now()
    if WorkerHeartbeat.objects.filter(pk=beat_id).update(seen_at=now, queue=queue):
        return
    WorkerHeartbeat.objects.filter(seen_at__lt=now - FORGOTTEN_AFTER).delete()
    WorkerHeartbeat.objects.create(
        id=beat_id,
        queue=queue,
        host=socket.gethostname()[:255],
        pid=os.getpid(),
        started_at=started_at,
        seen_at=now,
    )


def worker_gone(*, beat_id: uuid.UUID) -> None:
    """The cluster ``beat_id`` stopped: its group is offered only while another one beats."""
    WorkerHeartbeat.objects.filter(pk=beat_id).delete()


def provider_served(name: str) -> bool:
    """Whether a live worker would take a task of the image provider ``name`` now."""
    try:
        return group_served(queue_group(name))
    except ProviderError:  # not importable here: not offered either
        return False


def workers_check(*, image_providers: list[str] | tuple[str, ...]) -> list[str]:
    """The providers (in order) whose tasks a live worker would take now; ``NoWorkerError``
    (503 ``no_worker``) when there is none, so nothing is charged for a task nobody runs."""
    served = [name for name in image_providers if provider_served(name)]
    if served or not image_providers:
        return served
    names = ", ".join(display_name(name) for name in image_providers)
    raise NoWorkerError(
        retry_after=30,
        detail=f"No worker of the queue for {names} has reported itself in the last "
        "AICEPS_WORKER_STALE_SECONDS: start one (./scripts/run does; in production "
        "Q_CLUSTER_NAME=<its queue> manage.py qcluster, or manage.py workers).",
        image_provider=image_providers[0],
    )


def worker_queues() -> list[str]:
    """The queues this server's workers must take (``manage.py workers`` starts one cluster
    each): the default queue, and the local-model queue when a provider of the local group is
    set up (``AICEPS_DIFFUSERS_MODEL``) or the configured chain names one."""
    groups = {"default"}
    for name in IMAGE_PROVIDERS:
        try:
            if provider_class(name).is_configured():
                groups.add(provider_class(name).queue_group)
        except ProviderError:
            continue
    with contextlib.suppress(DomainError):  # a setting task_create refuses in its own words
        groups.update(queue_group(name) for name in resolve_chain(None, kind="image_provider"))
    ordered = sorted(groups, key=lambda group: group != "default")
    return list(dict.fromkeys(queue_of_group(group) for group in ordered))
