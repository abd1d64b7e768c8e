"""Per-user statistics by day, week, month and all time, kept right as tasks finish.

Called inside the transaction that finishes a task. Counters move with ``F()`` expressions,
so concurrent finishes add up instead of overwriting each other. ``avg_generation_time_ms``
is the mean over successful tasks, 0 (never NULL) while there are none.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.db.models import F, IntegerField, Q
from django.db.models.functions import Cast
from django.utils import timezone

from catalogue.text_tasks import is_text_task

from ..models import TaskHistory, TaskStatistics

Period = TaskStatistics.PeriodType


def period_start(period_type: str, day: date) -> date:
    if period_type == Period.DAY:
        return day
    if period_type == Period.WEEK:
        return day - timedelta(days=day.weekday())
    if period_type == Period.MONTH:
        return day.replace(day=1)
    return TaskStatistics.ALL_TIME_DATE


def statistics_record(*, task: TaskHistory) -> None:
    """Count one finished (completed or failed) task in its four period rows.

    Two or three statements whatever the number of periods: it runs inside the transaction
    that finishes the task, so it is on every task's critical path. A text task (the
    editor's suggestions and scenes) is not counted: it is not something the user made."""
    if is_text_task(task.task_type):
        return
    succeeded = task.status == TaskHistory.Status.COMPLETED
    finished = timezone.localdate(task.completed_at or timezone.now())
    generation_ms = (task.generation_time_ms or 0) if succeeded else 0
    periods = {period_type: period_start(period_type, finished) for period_type in Period.values}
    match = Q()
    for period_type, period_date in periods.items():
        match |= Q(period_type=period_type, period_date=period_date)
    rows = TaskStatistics.objects.filter(match, user_id=task.user_id)
    present = set(rows.values_list("period_type", flat=True))
    if len(present) < len(periods):
        TaskStatistics.objects.bulk_create(
            [
                TaskStatistics(user_id=task.user_id, period_type=period_type, period_date=day)
                for period_type, day in periods.items()
                if period_type not in present
            ],
            ignore_conflicts=True,  # a concurrent finish may have just created one
        )
    changes = {
        "total_tasks": F("total_tasks") + 1,
        "failed_tasks": F("failed_tasks") + int(not succeeded),
        "total_tokens_used": F("total_tokens_used") + task.tokens_used,
    }
    if succeeded:
        # Every right-hand side reads the row as it was, so the average is computed from the
        # new totals explicitly; it only moves when a task succeeds.
        changes |= {
            "successful_tasks": F("successful_tasks") + 1,
            "total_credits_deducted": F("total_credits_deducted") + task.credits_deducted,
            "total_generation_time_ms": F("total_generation_time_ms") + generation_ms,
            "avg_generation_time_ms": Cast(
                (F("total_generation_time_ms") + generation_ms) / (F("successful_tasks") + 1),
                IntegerField(),
            ),
        }
    rows.update(**changes)


def statistics_forget(*, task: TaskHistory) -> None:
    """Take back a failed task's count (staff run it again: it is counted when it ends)."""
    if task.status != TaskHistory.Status.FAILED or task.completed_at is None:
        return
    finished = timezone.localdate(task.completed_at)
    match = Q()
    for period_type in Period.values:
        match |= Q(period_type=period_type, period_date=period_start(period_type, finished))
    TaskStatistics.objects.filter(match, user_id=task.user_id, failed_tasks__gt=0).update(
        total_tasks=F("total_tasks") - 1,
        failed_tasks=F("failed_tasks") - 1,
        total_tokens_used=F("total_tokens_used") - task.tokens_used,
    )
