"""django-q2 entry points: load by id, call a service. Nothing else lives here."""

from __future__ import annotations

from .services import task_run, tasks_expire_files, tasks_reap_stuck, text_tasks_forget
from .services.storage_jobs import storage_reupload_pending


def run_task(task_id: str) -> str | None:
    task = task_run(task_id=task_id)
    return task.status if task else None


def reap_stuck_tasks() -> dict[str, int]:
    return tasks_reap_stuck()


def reupload_pending_files() -> int:
    return storage_reupload_pending()


def expire_task_files() -> int:
    text_tasks_forget()  # text tasks nobody read: theirs is an hour
    return tasks_expire_files()
