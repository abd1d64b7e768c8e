"""Small helpers of the web pages' templates."""

from __future__ import annotations

from django import template
from django.conf import settings

register = template.Library()


@register.simple_tag
def signup_open() -> bool:
    return bool(settings.AICEPS_OPEN_SIGNUP)


@register.filter
def seconds(milliseconds) -> str:
    """1234 → "1.23 s"; nothing → "—"."""
    if milliseconds in (None, ""):
        return "—"
    value = int(milliseconds) / 1000
    return f"{value:.2f} s" if value < 10 else f"{value:.1f} s"


@register.filter
def percent(value) -> str:
    return f"{round(float(value or 0) * 100)}%"
