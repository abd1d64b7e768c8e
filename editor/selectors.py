"""Reads for the editor's task-history page, over AicePS's own task records."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from catalogue.task_types import TaskType
from core.errors import ValidationError
from generation.selectors import statistics_between, task_list

from .models import ClientTaskRecord

PERIODS = {"daily": "day", "weekly": "week", "monthly": "month", "day": "day", "week": "week"}
PERIODS |= {"month": "month", "all": "all"}


def _moment(value: str | None, param: str) -> date | datetime | None:
    if not value:
        return None
    try:
        parsed = parse_date(value) if len(value) == 10 else parse_datetime(value)
    except ValueError:
        parsed = None
    if isinstance(parsed, datetime):
        try:
            if timezone.is_naive(parsed):
                parsed = timezone.make_aware(parsed)
            parsed.astimezone(UTC)  # as the database is sent it
        except OverflowError:  # within a day of year 1 or 9999: as far as time goes
            parsed = datetime.min if parsed.year < 2 else datetime.max
            parsed = parsed.replace(tzinfo=UTC)
    if parsed is None:
        raise ValidationError(
            f"{param} must be a date (YYYY-MM-DD) or an ISO date and time.",
            code="invalid_date",
            param=param,
        )
    return parsed


def history_tasks(
    *,
    user,
    status: str | None = None,
    task_type: str | None = None,
    start: str | None = None,
    end: str | None = None,
) -> QuerySet:
    tasks = task_list(user=user, status=status or None)
    if task_type == "image_generation":
        tasks = tasks.filter(task_type=TaskType.TEXT_TO_IMAGE)
    elif task_type == "image_edit":
        tasks = tasks.exclude(task_type=TaskType.TEXT_TO_IMAGE)
    elif task_type == "template_generation":
        tasks = tasks.none()  # AicePS does not tell template uses apart from edits
    elif task_type:
        tasks = tasks.filter(task_type=task_type)
    begin, until = _moment(start, "start_date"), _moment(end, "end_date")
    if isinstance(begin, datetime):
        tasks = tasks.filter(created_at__gte=begin)
    elif begin is not None:
        tasks = tasks.filter(created_at__date__gte=begin)
    if isinstance(until, datetime):
        tasks = tasks.filter(created_at__lte=until)
    elif until is not None:
        tasks = tasks.filter(created_at__date__lte=until)
    return tasks.select_related("user")


def _day(moment: date | datetime) -> date:
    return moment.date() if isinstance(moment, datetime) else moment


def statistics_rows(*, user, period: str, start: str | None, end: str | None):
    period_type = PERIODS.get(period or "daily")
    if period_type is None:
        raise ValidationError(
            "period must be daily, weekly or monthly.", code="invalid_period", param="period"
        )
    begin, until = _moment(start, "start_date"), _moment(end, "end_date")
    return statistics_between(
        user=user,
        period_type=period_type,
        first=_day(begin) if begin is not None else None,
        last=_day(until) if until is not None else None,
    )


def record_get(*, user, record_id) -> ClientTaskRecord | None:
    try:
        pk = uuid.UUID(str(record_id))
    except ValueError:
        return None
    return ClientTaskRecord.objects.select_related("task").filter(user=user, pk=pk).first()
