"""Every write to tasks and statistics goes through these functions."""

from .creation import TaskCreation, TaskInput, task_create
from .deletion import task_delete, user_content_delete, user_files_purge
from .lifecycle import (
    IdempotencyConflictError,
    TaskError,
    TaskStateError,
    task_cancel,
    task_claim,
    task_complete,
    task_fail,
)
from .pricing import chain_price, task_price
from .queue import enqueue_task, queue_for
from .reaper import tasks_reap_stuck
from .retention import tasks_expire_files
from .runner import task_run
from .staff import task_fail_by_staff, task_refund_by_staff, task_rerun_by_staff
from .statistics import statistics_record
from .templates import template_covers_render, template_record_use
from .text_tasks import text_task_collect, text_task_create, text_tasks_forget

__all__ = [
    "IdempotencyConflictError",
    "TaskCreation",
    "TaskError",
    "TaskInput",
    "TaskStateError",
    "chain_price",
    "enqueue_task",
    "queue_for",
    "statistics_record",
    "task_cancel",
    "task_claim",
    "task_complete",
    "task_create",
    "task_delete",
    "task_fail",
    "task_fail_by_staff",
    "task_price",
    "task_refund_by_staff",
    "task_rerun_by_staff",
    "task_run",
    "tasks_expire_files",
    "tasks_reap_stuck",
    "template_covers_render",
    "template_record_use",
    "text_task_collect",
    "text_task_create",
    "text_tasks_forget",
    "user_content_delete",
    "user_files_purge",
]
