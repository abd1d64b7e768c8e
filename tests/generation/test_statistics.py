from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime

import pytest
from django.db import connection, transaction

from generation.models import TaskHistory, TaskStatistics
from generation.services.statistics import period_start, statistics_record


def finished_task(user, *, status="completed", ms=1000, tokens=10, credits=1, when=None):
    return TaskHistory.objects.create(
        user=user,
        prompt="x",
        status=status,
        generation_time_ms=ms,
        tokens_used=tokens,
        credits_deducted=credits,
        completed_at=when or datetime(2026, 11, 26, 12, tzinfo=UTC),
    )


def test_period_starts():
    thursday = date(2026, 11, 26)
    assert period_start("day", thursday) == thursday
    assert period_start("week", thursday) == date(2026, 11, 23)  # Monday
    assert period_start("month", thursday) == date(2026, 11, 1)
    assert period_start("all", thursday) == TaskStatistics.ALL_TIME_DATE


@pytest.mark.django_db
def test_counts_and_averages_over_successes_only(user):
    for task in (
        finished_task(user, ms=1000),
        finished_task(user, ms=3000, tokens=5),
        finished_task(user, status="failed", ms=None, credits=1),
    ):
        statistics_record(task=task)
    rows = TaskStatistics.objects.filter(user=user)
    assert rows.count() == 4
    week = rows.get(period_type="week")
    assert week.period_date == date(2026, 11, 23)
    assert (week.total_tasks, week.successful_tasks, week.failed_tasks) == (3, 2, 1)
    assert (week.total_generation_time_ms, week.avg_generation_time_ms) == (4000, 2000)
    assert week.total_tokens_used == 25
    assert week.total_credits_deducted == 2  # the failed task was refunded


@pytest.mark.django_db
def test_averages_are_never_null(user):
    statistics_record(task=finished_task(user, status="failed", ms=None))
    assert TaskStatistics.objects.get(user=user, period_type="day").avg_generation_time_ms == 0


@pytest.mark.django_db(transaction=True)
def test_concurrent_finishes_lose_no_counts(user):
    tasks = [finished_task(user, ms=100 * (n + 1)) for n in range(12)]

    def record(task):
        try:
            with transaction.atomic():
                statistics_record(task=task)
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=6) as pool:
        list(pool.map(record, tasks))
    for row in TaskStatistics.objects.filter(user=user):
        assert (row.total_tasks, row.successful_tasks) == (12, 12)
        assert row.total_generation_time_ms == sum(100 * (n + 1) for n in range(12))
        assert row.avg_generation_time_ms == 650


@pytest.mark.django_db
def test_rows_between_two_days_newest_first(user):
    from generation.selectors import statistics_between

    for day in (24, 25, 26, 27):
        statistics_record(task=finished_task(user, when=datetime(2026, 11, day, 12, tzinfo=UTC)))
    days = [
        row.period_date.day
        for row in statistics_between(
            user=user, period_type="day", first=date(2026, 11, 25), last=date(2026, 11, 26)
        )
    ]
    assert days == [26, 25]
    assert len(statistics_between(user=user, period_type="day")) == 4
