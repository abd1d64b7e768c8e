"""Deleting what a user owns: one task, all of their content, or (with the user) everything.

A deleted task loses its files, prompts, inputs and parameters and is hidden everywhere; its
row stays, emptied, because the credits ledger refers to it and the statistics counted it.
Deleting all of a user's content does that for every task (a queued one is cancelled and a
running one failed first, both refunded), then removes every file under the user's folders
in storage, orphans included. Deleting the user (the admin) removes the rows too: the
ledger rows stay in the user's closed credit account (``accounts.signals``) and
:func:`user_files_purge` removes the files once the deletion has committed.
"""

from __future__ import annotations

import logging

from django.db import transaction
from django.utils import timezone

from ..events import task_event_emit
from ..files import PREFIX, TaskFiles
from ..models import TaskHistory
from ..storage import delete_file, delete_prefix
from .lifecycle import TaskStateError, task_cancel, task_fail

logger = logging.getLogger(__name__)
STAGING_PREFIX = "web-staging"  # generation.views.staging
EMPTIED = {
    "prompt": "",
    "professional_prompt": "",
    "original_image": "",
    "generated_image": "",
    "extra_files": {},
    "progress": {},
    "parameters": {},
    "provider_state": {},
    "webhook_url": "",
    "error_detail": "",
}


def task_delete(*, task: TaskHistory) -> TaskHistory:
    """Delete a finished task's files and words and hide it; a task still pending or running
    must be cancelled (or finish) first. Deleting it again changes nothing."""
    if task.deleted_at is not None:
        return task
    if not task.is_final:
        raise TaskStateError(
            f"The task is {task.status}; cancel it or let it finish before deleting it."
        )
    names = TaskFiles(task).all()
    now = timezone.now()
    with transaction.atomic():
        changed = TaskHistory.objects.filter(pk=task.pk, deleted_at=None).update(
            deleted_at=now, updated_at=now, **EMPTIED
        )
        if changed:
            task_event_emit(task.pk, "deleted")  # listeners drop what they kept of it
    if changed:
        for name in names:  # after the row stops pointing at them
            delete_file(name)
        logger.info("task deleted", extra={"task_id": str(task.pk), "files": len(names)})
    task.refresh_from_db()
    return task


def user_content_delete(*, user) -> dict[str, int]:
    """Delete every task of ``user`` and every file under their folders; their account,
    keys, endpoints, balance and ledger stay. Returns what was done."""
    cancelled = failed = deleted = 0
    tasks = TaskHistory.objects.filter(user=user, deleted_at=None)
    for task in tasks.filter(status=TaskHistory.Status.PENDING):
        try:
            task_cancel(task=task)
            cancelled += 1
        except TaskStateError:  # a worker took it meanwhile: failed below
            pass
    running = TaskHistory.objects.filter(user=user, deleted_at=None)
    for task in running.exclude(status__in=TaskHistory.FINAL_STATUSES):
        if task_fail(
            task=task,
            code="deleted",
            message="The task was deleted by its owner; the credits were refunded.",
        ):
            failed += 1
    files = 0
    for task in TaskHistory.objects.filter(user=user, deleted_at=None).iterator():
        if task.is_final:
            files += len(TaskFiles(task).all())
            task_delete(task=task)
            deleted += 1
    files += user_files_purge(user_id=user.pk)  # staged uploads, orphans, local copies
    logger.info(
        "user content deleted",
        extra={"user_id": user.pk, "tasks": deleted, "files": files},
    )
    return {"tasks_deleted": deleted, "cancelled": cancelled, "failed": failed, "files": files}


def user_files_purge(*, user_id) -> int:
    """Remove every stored file of the user: their task folders and staged uploads."""
    return sum(delete_prefix(f"{root}/{user_id}/") for root in (PREFIX, STAGING_PREFIX))
