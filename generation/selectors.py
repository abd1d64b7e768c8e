"""Reads of tasks and statistics, always scoped to their owner (but :func:`task_current`, for
a task the caller already holds)."""

from __future__ import annotations

import time
import uuid
from datetime import date, datetime

from django.db.models import QuerySet

from accounts.models import User
from catalogue.providers.registry import capabilities_of, resolve_chain
from catalogue.task_types import provider_can
from catalogue.text_tasks import TEXT_TASK_TYPES
from core.errors import DomainError

from .models import TaskHistory, TaskStatistics

# The statuses a task can have (what ``task_list`` filters by), for adapters that name one.
TaskStatus = TaskHistory.Status


def task_list(
    *,
    user: User,
    status: str | None = None,
    task_type: str | None = None,
    search: str | None = None,
) -> QuerySet[TaskHistory]:
    tasks = _shown(user)
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
    return _shown(user).filter(pk=task_uuid).first()


def task_current(*, task_id) -> TaskHistory | None:
    """The task as it is now, its user with it, or None when it is gone. Not scoped to an
    owner: only for a task the caller already holds (one it created and follows as it runs),
    never for an id a client sent."""
    return TaskHistory.objects.select_related("user").filter(pk=task_id).first()


def task_list_matching(
    *, user_id, since: datetime, input_sha256: str = "", prompt: str = ""
) -> QuerySet[TaskHistory]:
    """The user's tasks (not those they deleted) created from ``since`` on, the oldest first:
    those made from the photo whose SHA-256 is ``input_sha256`` or, without one, the text to
    image tasks of exactly ``prompt``; none without either. What a client's own record of a
    task (the photo editor's) is matched with."""
    tasks = TaskHistory.objects.filter(user_id=user_id, deleted_at=None, created_at__gte=since)
    if input_sha256:
        tasks = tasks.filter(input_sha256=input_sha256)
    elif prompt:
        tasks = tasks.filter(task_type=TaskHistory.TaskType.TEXT_TO_IMAGE, prompt=prompt)
    else:
        tasks = tasks.none()
    return tasks.order_by("created_at")


def _shown(user: User) -> QuerySet[TaskHistory]:
    """The user's tasks as they see them: not those they deleted, nor text tasks (internal
    to the editor route that asked for one, ``catalogue.text_tasks``)."""
    return TaskHistory.objects.filter(user=user, deleted_at=None).exclude(
        task_type__in=TEXT_TASK_TYPES
    )


# A refusal of the request itself (what the user can change): the same inputs on the same
# providers get the same answer.
REQUEST_REFUSALS = frozenset({400, 413, 415, 422})


def task_can_run_again(*, task: TaskHistory) -> bool:
    """Whether running the same inputs again (on this server's providers now) may end
    differently: not after a refusal of the request by the providers that would get it."""
    if not task.is_final:
        return False
    if task.status != TaskHistory.Status.FAILED or task.error_status not in REQUEST_REFUSALS:
        return True
    try:
        writers = resolve_chain(None, kind="prompt_writer")
        providers = [
            name
            for name in resolve_chain(None, kind="image_provider")
            if provider_can(capabilities_of(name), task.task_type)
        ]
    except DomainError:
        return True  # a server that is being set up: let the rerun say what is wrong
    return not (
        set(writers) <= set(_tried(task, "prompt_writer"))
        and set(providers) <= set(_tried(task, "image_provider"))
    )


def _tried(task: TaskHistory, kind: str) -> tuple[str, ...]:
    """The providers of ``kind`` the task's request went to (its chain, or the one)."""
    chain = (task.provider_chain or {}).get(kind) or ()
    return tuple(chain) or ((getattr(task, kind),) if getattr(task, kind) else ())


def statistics_for(*, user: User, period_type: str, limit: int = 30) -> QuerySet[TaskStatistics]:
    return statistics_between(user=user, period_type=period_type)[:limit]


def statistics_between(
    *, user: User, period_type: str, first: date | None = None, last: date | None = None
) -> QuerySet[TaskStatistics]:
    """The user's rows of ``period_type`` whose periods start from ``first`` to ``last``
    (each optional), the newest first."""
    rows = TaskStatistics.objects.filter(user=user, period_type=period_type)
    if first is not None:
        rows = rows.filter(period_date__gte=first)
    if last is not None:
        rows = rows.filter(period_date__lte=last)
    return rows.order_by("-period_date")


def task_wait(*, task: TaskHistory, timeout: float, interval: float = 0.1) -> TaskHistory:
    """Re-read ``task`` until it is final or ``timeout`` seconds passed; returns the latest."""
    deadline = time.monotonic() + timeout
    task.refresh_from_db()
    while not task.is_final and time.monotonic() < deadline:
        time.sleep(min(interval, max(0.0, deadline - time.monotonic())))
        task.refresh_from_db()
        interval = min(interval * 1.5, 1.0)
    return task
