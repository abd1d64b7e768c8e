"""A user deleting one of their tasks: its files go, the task is hidden everywhere.

The row itself stays, emptied: the credits ledger refers to it (``PROTECT``), and the
statistics it was counted in stay as they were.
"""

from __future__ import annotations

import logging

from django.utils import timezone

from ..files import TaskFiles
from ..models import TaskHistory
from ..storage import delete_file
from .lifecycle import TaskStateError

logger = logging.getLogger(__name__)


def task_delete(*, task: TaskHistory) -> TaskHistory:
    """Delete a finished task's files and hide it; a task still pending or running must be
    cancelled (or finish) first. Deleting it again changes nothing."""
    if task.deleted_at is not None:
        return task
    if not task.is_final:
        raise TaskStateError(
            f"The task is {task.status}; cancel it or let it finish before deleting it."
        )
    names = TaskFiles(task).all()
    now = timezone.now()
    changed = TaskHistory.objects.filter(pk=task.pk, deleted_at=None).update(
        deleted_at=now,
        updated_at=now,
        prompt="",
        professional_prompt="",
        original_image="",
        generated_image="",
        extra_files={},
        progress={},
        parameters={},
    )
    if changed:
        for name in names:  # after the row stops pointing at them
            delete_file(name)
        logger.info("task deleted", extra={"task_id": str(task.pk), "files": len(names)})
    task.refresh_from_db()
    return task
