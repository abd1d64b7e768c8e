"""No task stays stuck: a scheduled job re-queues or fails tasks whose worker vanished.

A task in ``processing`` past its lease lost its worker (killed, OOM, machine gone). The Redis
broker never redelivers such a job, and the ORM broker only after ``retry`` seconds, so the
reaper re-queues it while attempts remain and otherwise fails it with its refund. A ``pending``
task whose job was lost (a broker flushed) is queued again after the same lease.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from ..live.publish import task_changed
from ..models import TaskHistory
from .lifecycle import enqueue_task, task_fail

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
    forgotten = TaskHistory.objects.filter(
        status=Status.PENDING,
        updated_at__lt=now - timedelta(seconds=settings.AICEPS_TASK_LEASE_SECONDS),
    )
    for task in forgotten.only("pk", "image_provider"):
        if TaskHistory.objects.filter(pk=task.pk, status=Status.PENDING).update(updated_at=now):
            enqueue_task(task)
            requeued += 1
    if requeued or failed:
        logger.warning("reaped stuck tasks", extra={"requeued": requeued, "failed": failed})
    return {"requeued": requeued, "failed": failed}
