"""Inline SVG charts of the statistics page, drawn on the server (no JavaScript, no library).

Two charts: tasks per period as stacked bars (successful, failed, other) with the success
rate as a line on a 0–100 % axis, and the average generation time per period as bars.
Colours come from CSS classes, so the page's stylesheet themes them.
"""

from __future__ import annotations

import math
from datetime import date, timedelta
from types import SimpleNamespace

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

WIDTH, HEIGHT = 720, 260
LEFT, RIGHT, TOP, BOTTOM = 48, 52, 16, 36
PLOT_W, PLOT_H = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
DATE_FORMATS = {"day": "%m-%d", "week": "%m-%d", "month": "%Y-%m"}
MAX_BAR_WIDTH = 48
MAX_POINTS = 60


def _next_period(day: date, period: str) -> date:
    if period == "month":
        return date(day.year + day.month // 12, day.month % 12 + 1, 1)
    return day + timedelta(days=7 if period == "week" else 1)


def _with_gaps(rows, period: str) -> list:
    """``rows`` plus empty periods between them, so the x axis is a true time axis."""
    by_date = {row.period_date: row for row in rows}
    points, day = [], rows[0].period_date
    while day <= rows[-1].period_date and len(points) < 10 * MAX_POINTS:
        points.append(
            by_date.get(day)
            or SimpleNamespace(
                period_date=day,
                total_tasks=0,
                successful_tasks=0,
                failed_tasks=0,
                avg_generation_time_ms=0,
                success_rate=0.0,
            )
        )
        day = _next_period(day, period)
    return points[-MAX_POINTS:]


def _count_ceiling(value: int) -> int:
    """An even top for a count axis, so its middle tick is a whole number too."""
    top = max(2, _nice_ceiling(value))
    return math.ceil(top / 2) * 2


def _nice_ceiling(value: float) -> float:
    if value <= 0:
        return 1
    magnitude = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * magnitude:
            return step * magnitude
    return 10 * magnitude


def _fmt(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _y(value: float, top: float) -> float:
    return TOP + PLOT_H - (value / top) * PLOT_H


def _frame(labels: list[str], top: float, unit: str, right_axis: bool) -> SafeString:
    """Grid lines with left (and optionally right, in %) tick labels, and x labels."""
    parts = []
    for fraction in (0, 0.5, 1):
        y = _y(top * fraction, top)
        parts.append(
            format_html(
                '<line class="grid" x1="{}" x2="{}" y1="{}" y2="{}"/>'
                '<text class="tick" x="{}" y="{}" text-anchor="end">{}{}</text>',
                LEFT,
                LEFT + PLOT_W,
                _fmt(y),
                _fmt(y),
                LEFT - 6,
                _fmt(y + 4),
                _fmt(top * fraction),
                unit,
            )
        )
        if right_axis:
            parts.append(
                format_html(
                    '<text class="tick rate" x="{}" y="{}">{}%</text>',
                    LEFT + PLOT_W + 6,
                    _fmt(y + 4),
                    round(fraction * 100),
                )
            )
    band = PLOT_W / max(len(labels), 1)
    every = max(1, math.ceil(len(labels) / 10))
    for index, label in enumerate(labels):
        if index % every == 0:
            parts.append(
                format_html(
                    '<text class="tick" x="{}" y="{}" text-anchor="middle">{}</text>',
                    _fmt(LEFT + band * (index + 0.5)),
                    HEIGHT - BOTTOM + 18,
                    label,
                )
            )
    return mark_safe("".join(parts))


def _svg(title: str, body: SafeString) -> SafeString:
    return format_html(
        '<svg class="chart" viewBox="0 0 {} {}" role="img" aria-label="{}" '
        'preserveAspectRatio="xMidYMid meet"><title>{}</title>{}</svg>',
        WIDTH,
        HEIGHT,
        title,
        title,
        body,
    )


def _bars(values: list[list[tuple[str, float, str]]], top: float) -> SafeString:
    """Stacked bars: per period a list of (css class, value, tooltip)."""
    band = PLOT_W / max(len(values), 1)
    width = min(MAX_BAR_WIDTH, max(2.0, band * 0.62))
    parts = []
    for index, stack in enumerate(values):
        x = LEFT + band * index + (band - width) / 2
        base = 0.0
        for css, value, tip in stack:
            if value <= 0:
                continue
            y_top, y_bottom = _y(base + value, top), _y(base, top)
            parts.append(
                format_html(
                    '<rect class="{}" x="{}" y="{}" width="{}" height="{}">'
                    "<title>{}</title></rect>",
                    css,
                    _fmt(x),
                    _fmt(y_top),
                    _fmt(width),
                    _fmt(y_bottom - y_top),
                    tip,
                )
            )
            base += value
    return mark_safe("".join(parts))


def statistics_charts(rows, period: str) -> dict[str, SafeString | None]:
    """``rows``: TaskStatistics of one period type, oldest first."""
    if not rows:
        return {"tasks_chart": None, "time_chart": None}
    rows = _with_gaps(rows, period)
    date_format = DATE_FORMATS.get(period, "%Y-%m-%d")
    labels = [row.period_date.strftime(date_format) for row in rows]
    top = _count_ceiling(max(row.total_tasks for row in rows))
    stacks = []
    for label, row in zip(labels, rows, strict=True):
        other = max(0, row.total_tasks - row.successful_tasks - row.failed_tasks)
        stacks.append(
            [
                (
                    "ok",
                    row.successful_tasks,
                    _("%(date)s: %(count)d successful")
                    % {"date": label, "count": row.successful_tasks},
                ),
                (
                    "failed",
                    row.failed_tasks,
                    _("%(date)s: %(count)d failed") % {"date": label, "count": row.failed_tasks},
                ),
                ("other", other, _("%(date)s: %(count)d other") % {"date": label, "count": other}),
            ]
        )
    band = PLOT_W / len(rows)
    points = " ".join(
        f"{_fmt(LEFT + band * (index + 0.5))},{_fmt(TOP + PLOT_H * (1 - row.success_rate))}"
        for index, row in enumerate(rows)
        if row.total_tasks
    )
    dots = format_html_join(
        "",
        '<circle class="rate" cx="{}" cy="{}" r="3"><title>{}</title></circle>',
        (
            (
                _fmt(LEFT + band * (index + 0.5)),
                _fmt(TOP + PLOT_H * (1 - row.success_rate)),
                _("%(date)s: %(rate)s%% success")
                % {"date": labels[index], "rate": round(row.success_rate * 100)},
            )
            for index, row in enumerate(rows)
            if row.total_tasks
        ),
    )
    line = format_html('<polyline class="rate" points="{}"/>', points) if points else ""
    tasks_body = mark_safe(
        _frame(labels, top, "", right_axis=True) + _bars(stacks, top) + line + dots
    )
    seconds = [row.avg_generation_time_ms / 1000 for row in rows]
    time_top = _nice_ceiling(max(seconds))
    time_stacks = [
        [
            (
                "time",
                value,
                _("%(date)s: %(seconds)s s on average") % {"date": label, "seconds": _fmt(value)},
            )
        ]
        for label, value in zip(labels, seconds, strict=True)
    ]
    time_body = mark_safe(
        _frame(labels, time_top, " s", right_axis=False) + _bars(time_stacks, time_top)
    )
    return {
        "tasks_chart": _svg(_("Tasks and success rate"), tasks_body),
        "time_chart": _svg(_("Average generation time"), time_body),
    }
