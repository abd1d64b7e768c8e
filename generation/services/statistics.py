"""Per-user statistics by day, week, month and all time, kept right as tasks finish.

Called inside the transaction that finishes a task. Counters move with ``F()`` expressions,
so concurrent finishes add up instead of overwriting each other. ``avg_generation_time_ms``
is the mean over successful tasks, 0 (never NULL) while there are none.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.db.models import Case, F, IntegerField, Value, When
from django.db.models.functions import Cast
from django.utils import timezone

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
    """Count one finished (completed or failed) task in its four period rows."""
    succeeded = task.status == TaskHistory.Status.COMPLETED
    finished = timezone.localdate(task.completed_at or timezone.now())
    generation_ms = (task.generation_time_ms or 0) if succeeded else 0
    for period_type in Period.values:
        row, _ = TaskStatistics.objects.get_or_create(
            user_id=task.user_id,
            period_type=period_type,
            period_date=period_start(period_type, finished),
        )
        rows = TaskStatistics.objects.filter(pk=row.pk)
        rows.update(
            total_tasks=F("total_tasks") + 1,
            successful_tasks=F("successful_tasks") + int(succeeded),
            failed_tasks=F("failed_tasks") + int(not succeeded),
            total_tokens_used=F("total_tokens_used") + task.tokens_used,
            total_credits_deducted=F("total_credits_deducted")
            + (task.credits_deducted if succeeded else 0),
            total_generation_time_ms=F("total_generation_time_ms") + generation_ms,
        )
        # A second statement, so the average reads the counters this transaction just wrote.
        rows.update(
            avg_generation_time_ms=Case(
                When(successful_tasks=0, then=Value(0)),
                default=Cast(F("total_generation_time_ms") / F("successful_tasks"), IntegerField()),
            )
        )
