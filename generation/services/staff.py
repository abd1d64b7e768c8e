"""What staff do to tasks from the admin: run a failed one again, fail and refund a stuck
one, refund any one once. Every credit that moves goes through ``accounts.services`` with
the staff member as the ledger row's ``created_by``.
"""

from __future__ import annotations

import logging

from django.db import transaction
from django.utils import timezone

from accounts.models import CreditTransaction, User
from accounts.services import credits_refund_undelivered

from ..live.publish import task_changed
from ..models import TaskHistory
from .lifecycle import TaskStateError, task_fail
from .queue import enqueue_task
from .statistics import statistics_forget

logger = logging.getLogger(__name__)
Status = TaskHistory.Status


def task_rerun_by_staff(*, task: TaskHistory, staff: User) -> TaskHistory:
    """Queue a failed task again, as the same task: a provider that remembered a remote job
    on it (Midjourney) resumes that job. Free for its owner: the failure was refunded."""
    with transaction.atomic():
        changed = TaskHistory.objects.filter(pk=task.pk, status=Status.FAILED).update(
            status=Status.PENDING,
            stage=TaskHistory.Stage.QUEUED,
            attempts=0,
            error_code="",
            error_message="",
            error_detail=f"Run again by {staff.get_username()} at {timezone.now():%Y-%m-%d %H:%M}",
            error_status=None,
            completed_at=None,
            started_at=None,
            lease_expires_at=None,
            progress={},
            credits_deducted=0,
            updated_at=timezone.now(),
        )
        if not changed:
            raise TaskStateError(f"Only a failed task can be run again; this one is {task.status}.")
        statistics_forget(task=task)  # counted again when this run ends
        task.refresh_from_db()
        enqueue_task(task)
        task_changed(task.pk, status=task.status, stage=task.stage)
    logger.info("task run again by staff", extra={"task_id": str(task.pk), "staff": staff.pk})
    return task


def task_fail_by_staff(*, task: TaskHistory, staff: User) -> bool:
    """Fail a pending or processing (stuck) task and refund it, in the staff member's name.
    A worker still running it finds it failed and drops its result."""
    return task_fail(
        task=task,
        code="failed_by_staff",
        message="The task was stopped by the operators; the credits were refunded.",
        detail=f"Failed by {staff.get_username()}",
        by=staff,
    )


def task_refund_by_staff(*, task: TaskHistory, staff: User) -> int:
    """Give back what ``task`` still holds of its owner's credits, once per task (a second
    call refunds nothing). Returns the credits refunded."""
    with transaction.atomic():
        moved = CreditTransaction.objects.filter(
            task_id=task.pk, kind__in=(CreditTransaction.Kind.DEBIT, CreditTransaction.Kind.REFUND)
        ).values_list("amount", flat=True)
        held = -sum(moved)
        if held <= 0:
            return 0
        entry = credits_refund_undelivered(
            task=task,
            amount=held,
            idempotency_key=f"refund-staff:{task.pk}",
            note=f"Refund by staff ({staff.get_username()})",
            refunded_by=staff,
        )
        if entry is None or not entry.created:
            return 0
        TaskHistory.objects.filter(pk=task.pk).update(
            credits_deducted=max(task.credits_deducted - held, 0), updated_at=timezone.now()
        )
    return held
