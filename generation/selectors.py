"""Reads of tasks and statistics, always scoped to their owner."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable

from django.db.models import QuerySet

from accounts.models import User

from .models import TaskHistory, TaskStatistics
from .storage import file_url


def task_list(
    *,
    user: User,
    status: str | None = None,
    task_type: str | None = None,
    search: str | None = None,
) -> QuerySet[TaskHistory]:
    tasks = TaskHistory.objects.filter(user=user)
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
    """The user's own task, or None (for someone else's too: never reveal it exists)."""
    try:
        task_uuid = uuid.UUID(str(task_id))
    except ValueError:
        return None
    return TaskHistory.objects.filter(user=user, pk=task_uuid).first()


def task_image_urls(task: TaskHistory) -> dict[str, object]:
    extra = task.extra_files or {}
    generated = extra.get("generated") or (
        [task.generated_image.name] if task.generated_image else []
    )
    return {
        "original_image_url": file_url(task.original_image.name) if task.original_image else "",
        "generated_image_url": file_url(generated[0]) if generated else "",
        "generated_image_urls": [file_url(name) for name in generated],
        "source_image_urls": [file_url(name) for name in extra.get("sources", [])],
    }


def statistics_for(*, user: User, period_type: str, limit: int = 30) -> QuerySet[TaskStatistics]:
    return TaskStatistics.objects.filter(user=user, period_type=period_type).order_by(
        "-period_date"
    )[:limit]


def task_seed_payload(
    task: TaskHistory, *, absolute: Callable[[str], str] = lambda url: url
) -> dict[str, object]:
    """The seed endpoint's and CLI's JSON object (names fixed by the contract)."""
    urls = task_image_urls(task)
    succeeded = task.status == TaskHistory.Status.COMPLETED
    payload: dict[str, object] = {
        "success": succeeded,
        "message": _seed_message(task),
        "task_id": str(task.pk),
        "status": task.status,
        "original_image_url": absolute(urls["original_image_url"]) or None,
        "generated_image_url": absolute(urls["generated_image_url"]) or None,
        "professional_prompt": task.professional_prompt,
        "processing_time": round((task.generation_time_ms or 0) / 1000, 3),
        "user_prompt": task.prompt,
    }
    if task.status in (TaskHistory.Status.FAILED, TaskHistory.Status.CANCELLED):
        payload["error"] = task.error_message or task.status
        payload["error_code"] = task.error_code or task.status
    return payload


def _seed_message(task: TaskHistory) -> str:
    Status = TaskHistory.Status
    return {
        Status.COMPLETED: "Image generated successfully",
        Status.FAILED: f"Image generation failed: {task.error_message}",
        Status.CANCELLED: "The task was cancelled",
        Status.PENDING: "The task is queued",
        Status.PROCESSING: "The task is running",
    }[task.status]


def task_wait(*, task: TaskHistory, timeout: float, interval: float = 0.1) -> TaskHistory:
    """Re-read ``task`` until it is final or ``timeout`` seconds passed; returns the latest."""
    deadline = time.monotonic() + timeout
    task.refresh_from_db()
    while not task.is_final and time.monotonic() < deadline:
        time.sleep(min(interval, max(0.0, deadline - time.monotonic())))
        task.refresh_from_db()
        interval = min(interval * 1.5, 1.0)
    return task
