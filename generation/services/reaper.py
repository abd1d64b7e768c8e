"""No task stays stuck: a scheduled job re-queues or fails tasks whose worker vanished.

A task in ``processing`` past its lease lost its worker (killed, OOM, machine gone): running
workers renew their leases (``generation.services.leases``). The Redis broker never redelivers
such a job, and the ORM broker only after ``retry`` seconds, so the reaper re-queues it while
attempts remain and otherwise fails it with its refund. A ``pending`` task whose job was lost
(taken by a cluster that died before starting it, or a broker flushed) is queued again; a
long queue is not a lost job (see :func:`_rescue_pending`). Every qcluster runs the reaper
every ``AICEPS_REAPER_SECONDS``.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from ..live.publish import task_changed
from ..models import TaskHistory
from .lifecycle import task_fail
from .queue import enqueue_task, queue_for, waiting_jobs

logger = logging.getLogger(__name__)
Status = TaskHistory.Status


def tasks_reap_stuck(*, now=None) -> dict[str, int]:
    now = now or timezone.now()
    requeued = failed = 0
    expired = TaskHistory.objects.filter(status=Status.PROCESSING, lease_expires_at__lt=now)
    for task in expired.only("pk", "attempts", "user_id", "image_provider"):
        if task.attempts >= settings.AICEPS_TASK_MAX_ATTEMPTS:
            if task_fail(
                task=task,
                code="worker_lost",
                message="The worker running this task stopped too many times; "
                "the credits were refunded.",
                from_statuses=(Status.PROCESSING,),
            ):
                failed += 1
            continue
        reset = TaskHistory.objects.filter(
            pk=task.pk, status=Status.PROCESSING, lease_expires_at__lt=now
        ).update(
            status=Status.PENDING,
            stage=TaskHistory.Stage.QUEUED,
            lease_expires_at=None,
            updated_at=now,
        )
        if reset:
            task_changed(task.pk, status=Status.PENDING, stage=TaskHistory.Stage.QUEUED)
            enqueue_task(task)
            requeued += 1
    requeued += _rescue_pending(now)
    if requeued or failed:
        logger.warning("reaped stuck tasks", extra={"requeued": requeued, "failed": failed})
    return {"requeued": requeued, "failed": failed}


def _rescue_pending(now) -> int:
    """Queue again the pending tasks whose job is nowhere: taken by a cluster that died before
    it started them (a prefetched job), or lost with a flushed broker.

    A pending task that has waited ``AICEPS_PENDING_RESCUE_SECONDS`` since it was last queued
    may just be in a long queue; so per queue only the shortfall is queued again: as many of
    the oldest such tasks as there are more of them than jobs waiting in the broker. A job
    queued twice is harmless: the second finds nothing to claim."""
    cutoff = now - timedelta(seconds=settings.AICEPS_LEASES.pending_rescue_seconds)
    waiting = TaskHistory.objects.filter(status=Status.PENDING, updated_at__lt=cutoff)
    rescued = 0
    by_queue: dict[str, list[TaskHistory]] = {}
    for task in waiting.order_by("updated_at").only("pk", "image_provider")[:1000]:
        by_queue.setdefault(queue_for(task.image_provider), []).append(task)
    for queue, tasks in by_queue.items():
        queued, _ = waiting_jobs(queue)
        for task in tasks[: max(len(tasks) - queued, 0)]:
            if TaskHistory.objects.filter(pk=task.pk, status=Status.PENDING).update(updated_at=now):
                enqueue_task(task)
                rescued += 1
    return rescued
