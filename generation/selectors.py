"""Reads of tasks and statistics, always scoped to their owner."""

from __future__ import annotations

import time
import uuid

from django.db.models import QuerySet

from accounts.models import User

from .models import TaskHistory, TaskStatistics


def task_list(
    *,
    user: User,
    status: str | None = None,
    task_type: str | None = None,
    search: str | None = None,
) -> QuerySet[TaskHistory]:
    tasks = TaskHistory.objects.filter(user=user, deleted_at=None)
    if status:
        tasks = tasks.filter(status=status)
    if task_type:
        tasks = tasks.filter(task_type=task_type)
    if search:
        tasks = tasks.filter(prompt__icontains=search) | tasks.filter(
            professional_prompt__icontains=search
        )
    return tasks.order_by("-created_at")


def task_get(*, user: User, task_id) -> TaskHistory | None:
    """The user's own task, or None (for someone else's too, and for one they deleted:
    never reveal it exists)."""
    try:
        task_uuid = uuid.UUID(str(task_id))
    except ValueError:
        return None
    return TaskHistory.objects.filter(user=user, pk=task_uuid, deleted_at=None).first()


def statistics_for(*, user: User, period_type: str, limit: int = 30) -> QuerySet[TaskStatistics]:
    return TaskStatistics.objects.filter(user=user, period_type=period_type).order_by(
        "-period_date"
    )[:limit]


def task_wait(*, task: TaskHistory, timeout: float, interval: float = 0.1) -> TaskHistory:
    """Re-read ``task`` until it is final or ``timeout`` seconds passed; returns the latest."""
    deadline = time.monotonic() + timeout
    task.refresh_from_db()
    while not task.is_final and time.monotonic() < deadline:
        time.sleep(min(interval, max(0.0, deadline - time.monotonic())))
        task.refresh_from_db()
        interval = min(interval * 1.5, 1.0)
    return task
