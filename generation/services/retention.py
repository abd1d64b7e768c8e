"""Retention: the files of a task are deleted from storage some days after it ended.

``AICEPS_RETENTION_DAYS`` (0: kept) is the deployment's period; staff may give a user
another one (``accounts.RetentionOverride``, 0 keeping that user's files). The task record
keeps everything else (its words, numbers, times, ledger rows, statistics) and says when
its files went (``files_expired_at``). A scheduled job runs :func:`tasks_expire_files`.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from accounts.models import RetentionOverride

from ..files import TaskFiles
from ..models import TaskHistory
from ..storage import delete_file

logger = logging.getLogger(__name__)
BATCH = 500


def retention_days_for(*, user_id) -> int:
    override = RetentionOverride.objects.filter(user_id=user_id).values_list("days", flat=True)
    days = override.first()
    return settings.AICEPS_RETENTION_DAYS if days is None else days


def _due(now) -> Q:
    """Tasks whose retention period is over, as one condition."""
    overrides = dict(RetentionOverride.objects.values_list("user_id", "days"))
    condition = Q(pk__in=[])
    default = settings.AICEPS_RETENTION_DAYS
    if default > 0:
        condition |= Q(completed_at__lt=now - timedelta(days=default)) & ~Q(
            user_id__in=list(overrides)
        )
    by_days: dict[int, list[int]] = {}
    for user_id, days in overrides.items():
        if days > 0:
            by_days.setdefault(days, []).append(user_id)
    for days, users in by_days.items():
        condition |= Q(user_id__in=users, completed_at__lt=now - timedelta(days=days))
    return condition


def tasks_expire_files(*, now=None, batch: int = BATCH) -> int:
    """Delete the files of up to ``batch`` tasks past their retention; returns how many."""
    now = now or timezone.now()
    due = (
        TaskHistory.objects.filter(
            _due(now),
            status__in=TaskHistory.FINAL_STATUSES,
            files_expired_at=None,
            deleted_at=None,
        )
        .order_by("completed_at")
        .only("pk", "user_id", "original_image", "generated_image", "extra_files", "progress")
    )
    expired = 0
    for task in due[:batch]:
        if task_files_expire(task=task, now=now):
            expired += 1
    if expired:
        logger.info("task files expired", extra={"tasks": expired})
    return expired


def task_files_expire(*, task: TaskHistory, now=None) -> bool:
    """Delete one task's files and mark it; its record and numbers stay."""
    now = now or timezone.now()
    names = TaskFiles(task).all()
    changed = TaskHistory.objects.filter(pk=task.pk, files_expired_at=None).update(
        files_expired_at=now,
        original_image="",
        generated_image="",
        extra_files={},
        progress={},
        updated_at=now,
    )
    if changed:
        for name in names:
            delete_file(name)
    return bool(changed)
