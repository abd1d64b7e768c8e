"""A task's life after creation: claimed by a worker, then completed, failed or cancelled.

Every transition is a conditional UPDATE whose row count is checked, so a job delivered twice,
a reaper and a cancel can race a worker without double work, double refunds or lost states.
Every transition also moves ``updated_at`` and is announced to waiting clients once it commits
(``generation.live.publish``).
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from accounts.services import credits_refund
from catalogue.providers.registry import display_name
from catalogue.text_tasks import is_text_task
from core import metrics
from core.errors import ConflictError

from ..events import task_event_emit
from ..live.publish import task_changed
from ..models import TaskHistory
from .statistics import statistics_record

logger = logging.getLogger(__name__)
Status = TaskHistory.Status


class TaskError(ConflictError):
    code = "task_error"


class IdempotencyConflictError(TaskError):
    code = "idempotency_key_reused"


class TaskStateError(TaskError):
    code = "invalid_state"


def _announce(task: TaskHistory) -> None:
    task_changed(task.pk, status=task.status, stage=task.stage, progress=task.progress or None)


def _tell(task: TaskHistory, event: str) -> None:
    """Send the task event to the apps above (webhooks); a text task's are not sent: it is
    internal to the route that asked for it."""
    if not is_text_task(task.task_type):
        task_event_emit(task.pk, event)


def task_claim(*, task_id) -> TaskHistory | None:
    """Take a pending task (or one whose worker's lease ran out) for this worker.

    Returns ``None`` when the task is final, cancelled, or held by a live worker."""
    now = timezone.now()
    lease = now + timedelta(seconds=settings.AICEPS_LEASES.lease_seconds)  # renewed while it runs
    claimable = TaskHistory.objects.filter(pk=task_id, status=Status.PENDING) | (
        TaskHistory.objects.filter(pk=task_id, status=Status.PROCESSING, lease_expires_at__lt=now)
    )
    claimed = claimable.update(
        status=Status.PROCESSING,
        stage=TaskHistory.Stage.WRITING_PROMPT,
        attempts=F("attempts") + 1,
        started_at=now,
        lease_expires_at=lease,
        progress={},
        updated_at=now,
    )
    if not claimed:
        return None
    task = TaskHistory.objects.select_related("user").get(pk=task_id)
    _announce(task)
    _tell(task, "started")
    return task


def task_set_stage(*, task: TaskHistory, stage: str) -> None:
    if task.stage == stage:  # already written (the claim and stage 1's record set stages)
        return
    if TaskHistory.objects.filter(pk=task.pk, status=Status.PROCESSING).update(
        stage=stage, progress={}, updated_at=timezone.now()
    ):
        task.stage, task.progress = stage, {}
        _announce(task)


def task_record_progress(*, task: TaskHistory, progress: dict) -> bool:
    """Keep how far stage 2 has come (``{"phase", "step", "steps", "preview"}``) and tell
    the waiters; False when the task is no longer processing."""
    if not TaskHistory.objects.filter(pk=task.pk, status=Status.PROCESSING).update(
        progress=progress, updated_at=timezone.now()
    ):
        return False
    task.progress = progress
    _announce(task)
    _tell(task, "progress")
    return True


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
        "progress": {},
    }
    with transaction.atomic():
        if not TaskHistory.objects.filter(pk=task.pk, status=Status.PROCESSING).update(**fields):
            return False
        for name, value in fields.items():  # the row now holds exactly these values
            setattr(task, name, value)
        statistics_record(task=task)
        _announce(task)
        _tell(task, "completed")
    metrics.task_finished(task, provider=display_name(task.image_provider))
    return True


def task_fail(
    *,
    task: TaskHistory,
    code: str,
    message: str,
    status: int | None = None,
    detail: str = "",
    from_statuses=None,
    by=None,
) -> bool:
    """Mark a task failed, refund its credits (once) and count it. Idempotent.

    ``message`` is for the user; ``detail`` (settings to change, the upstream's words) for
    the operator; ``status`` is the HTTP status a synchronous answer about it carries;
    ``by`` the staff member who failed it (the refund's ``created_by``)."""
    now = timezone.now()
    from_statuses = from_statuses or (Status.PENDING, Status.PROCESSING)
    with transaction.atomic():
        changed = TaskHistory.objects.filter(pk=task.pk, status__in=from_statuses).update(
            status=Status.FAILED,
            error_code=code[:64],
            error_message=message[:2000],
            error_detail=detail[:4000],
            error_status=status,
            progress={},
            completed_at=now,
            updated_at=now,
            lease_expires_at=None,
        )
        if not changed:
            return False
        task.refresh_from_db()
        credits_refund(task=task, note=f"Refund: {code}", refunded_by=by)
        statistics_record(task=task)
        _announce(task)
        _tell(task, "failed")
    metrics.task_finished(task, provider=display_name(task.image_provider))
    logger.info("task failed", extra={"task_id": str(task.pk), "code": code, "detail": detail})
    return True


def task_fail_crashed(*, task: TaskHistory, error: Exception, message: str) -> bool:
    """Fail (and refund) a task whose run raised an unexpected error: a bug must not leave
    it stuck. The user reads ``message``; the operator the error's type and words."""
    return task_fail(
        task=task,
        code="internal_error",
        message=message,
        status=500,
        detail=f"{type(error).__name__}: {error}"[:2000],
    )


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
            _announce(task)
            _tell(task, "cancelled")
        elif task.status != Status.CANCELLED:
            raise TaskStateError(f"The task is {task.status} and can no longer be cancelled.")
    return task
