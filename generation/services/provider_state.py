"""What a provider keeps on its task between attempts, and what the task's callback URLs
receive (a midjourney-proxy's notify hook), in ``TaskHistory.provider_state``::

    {"midjourney": {"imagine": "1712…", "upscale-1": "1712…"},
     "notices": {"midjourney": {"1712…": {"status": "SUCCESS", "imageUrl": "…", …}}}}

The worker writes a provider's state, the web process the notices; both read, change and
write the field under the task's row lock, so neither loses the other's update.
"""

from __future__ import annotations

import logging

from django.db import transaction
from django.utils import timezone

from catalogue.providers.base import TaskMemory

from ..models import TaskHistory

logger = logging.getLogger(__name__)
NOTICES = "notices"
MAX_NOTICES = 20  # per provider and task: a task runs a handful of remote jobs


def _update(task_id, change) -> bool:
    with transaction.atomic():
        row = (
            TaskHistory.objects.select_for_update()
            .filter(pk=task_id)
            .values("provider_state", "status")
            .first()
        )
        if row is None:
            return False
        state = dict(row["provider_state"] or {})
        if not change(state, row["status"]):
            return False
        TaskHistory.objects.filter(pk=task_id).update(
            provider_state=state, updated_at=timezone.now()
        )
    return True


def task_provider_state_save(*, task_id, provider: str, state: dict) -> None:
    """Keep ``state`` as what ``provider`` remembers for the task (committed at once)."""

    def change(current: dict, status: str) -> bool:
        current[provider] = dict(state)
        return True

    _update(task_id, change)


def task_provider_notice_record(*, task_id, provider: str, key: str, notice: dict) -> bool:
    """Keep a notification a provider's service posted for the task (job ``key``); ignored
    (False) once the task has ended."""

    def change(current: dict, status: str) -> bool:
        if status not in (TaskHistory.Status.PENDING, TaskHistory.Status.PROCESSING):
            return False
        notices = dict(current.get(NOTICES) or {})
        mine = dict(notices.get(provider) or {})
        if key not in mine and len(mine) >= MAX_NOTICES:
            return False
        mine[key] = notice
        notices[provider] = mine
        current[NOTICES] = notices
        return True

    return _update(task_id, change)


def task_provider_notices(*, task_id, provider: str) -> dict:
    state = TaskHistory.objects.filter(pk=task_id).values_list("provider_state", flat=True)
    return dict(((state.first() or {}).get(NOTICES) or {}).get(provider) or {})


def task_memory(task: TaskHistory, provider: str) -> TaskMemory:
    """The TaskMemory of ``provider`` (its class ``name``) for a running ``task``."""
    state = dict((task.provider_state or {}).get(provider) or {})
    return TaskMemory(
        state=state,
        save=lambda values: task_provider_state_save(
            task_id=task.pk, provider=provider, state=values
        ),
        read_notices=lambda: task_provider_notices(task_id=task.pk, provider=provider),
    )
