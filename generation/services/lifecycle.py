"""A task's life after creation: claimed by a worker, then completed, failed or cancelled.

Every transition is a conditional UPDATE whose row count is checked, so a job delivered twice,
a reaper and a cancel can race a worker without double work, double refunds or lost states.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from accounts.services import credits_refund
from aiceps import metrics

from ..models import TaskHistory
from .statistics import statistics_record

logger = logging.getLogger(__name__)
Status = TaskHistory.Status


class TaskError(Exception):
    code = "task_error"
    status = 400

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class IdempotencyConflictError(TaskError):
    code = "idempotency_key_reused"
    status = 409


class TaskStateError(TaskError):
    code = "invalid_state"
    status = 409


def enqueue_task(task_id: str) -> None:
    from django_q.tasks import async_task

    async_task("generation.tasks.run_task", task_id, task_name=f"task-{task_id}"[:100])


def task_claim(*, task_id) -> TaskHistory | None:
    """Take a pending task (or one whose worker's lease ran out) for this worker.

    Returns ``None`` when the task is final, cancelled, or held by a live worker."""
    now = timezone.now()
    lease = now + timedelta(seconds=settings.AICEPS_TASK_LEASE_SECONDS)
    claimable = TaskHistory.objects.filter(pk=task_id, status=Status.PENDING) | (
        TaskHistory.objects.filter(pk=task_id, status=Status.PROCESSING, lease_expires_at__lt=now)
    )
    claimed = claimable.update(
        status=Status.PROCESSING,
        stage=TaskHistory.Stage.WRITING_PROMPT,
        attempts=F("attempts") + 1,
        started_at=now,
        lease_expires_at=lease,
        updated_at=now,
    )
    if not claimed:
        return None
    return TaskHistory.objects.select_related("user").get(pk=task_id)


def task_set_stage(*, task: TaskHistory, stage: str) -> None:
    if task.stage == stage:  # already written (the claim and stage 1's record set stages)
        return
    TaskHistory.objects.filter(pk=task.pk, status=Status.PROCESSING).update(
        stage=stage, updated_at=timezone.now()
    )
    task.stage = stage


def task_complete(*, task: TaskHistory, fields: dict) -> bool:
    """Finish a processing task with its results and count it; False if it was no longer
    processing (cancelled or reaped meanwhile), in which case nothing changes."""
    now = timezone.now()
    fields = {
        **fields,
        "status": Status.COMPLETED,
        "stage": TaskHistory.Stage.DONE,
        "completed_at": now,
        "updated_at": now,
        "lease_expires_at": None,
        "error_code": "",
        "error_message": "",
    }
    with transaction.atomic():
        if not TaskHistory.objects.filter(pk=task.pk, status=Status.PROCESSING).update(**fields):
            return False
        for name, value in fields.items():  # the row now holds exactly these values
            setattr(task, name, value)
        statistics_record(task=task)
    metrics.task_finished(task)
    return True


def task_fail(*, task: TaskHistory, code: str, message: str, from_statuses=None) -> bool:
    """Mark a task failed, refund its credits (once) and count it. Idempotent."""
    now = timezone.now()
    from_statuses = from_statuses or (Status.PENDING, Status.PROCESSING)
    with transaction.atomic():
        changed = TaskHistory.objects.filter(pk=task.pk, status__in=from_statuses).update(
            status=Status.FAILED,
            error_code=code[:64],
            error_message=message[:2000],
            completed_at=now,
            updated_at=now,
            lease_expires_at=None,
        )
        if not changed:
            return False
        task.refresh_from_db()
        credits_refund(task=task, note=f"Refund: {code}")
        statistics_record(task=task)
    metrics.task_finished(task)
    logger.info("task failed", extra={"task_id": str(task.pk), "code": code})
    return True


def task_cancel(*, task: TaskHistory) -> TaskHistory:
    """Cancel a task that has not started, refunding it. A cancelled task stays cancelled."""
    with transaction.atomic():
        changed = TaskHistory.objects.filter(pk=task.pk, status=Status.PENDING).update(
            status=Status.CANCELLED, completed_at=timezone.now(), updated_at=timezone.now()
        )
        task.refresh_from_db()
        if changed:
            credits_refund(task=task, note="Refund: cancelled before it started")
            metrics.task_cancelled(task)
        elif task.status != Status.CANCELLED:
            raise TaskStateError(f"The task is {task.status} and can no longer be cancelled.")
    return task
