"""Every write to tasks and statistics goes through these functions."""

from .creation import TaskCreation, TaskInput, task_create
from .deletion import task_delete
from .lifecycle import (
    IdempotencyConflictError,
    TaskError,
    TaskStateError,
    task_cancel,
    task_claim,
    task_complete,
    task_fail,
)
from .pricing import task_price
from .queue import enqueue_task, queue_for
from .reaper import tasks_reap_stuck
from .runner import task_run
from .statistics import statistics_record
from .templates import template_record_use

__all__ = [
    "IdempotencyConflictError",
    "TaskCreation",
    "TaskError",
    "TaskInput",
    "TaskStateError",
    "enqueue_task",
    "queue_for",
    "statistics_record",
    "task_cancel",
    "task_claim",
    "task_complete",
    "task_create",
    "task_delete",
    "task_fail",
    "task_price",
    "task_run",
    "tasks_reap_stuck",
    "template_record_use",
]
