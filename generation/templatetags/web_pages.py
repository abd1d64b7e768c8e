"""Small helpers of the web pages' templates."""

from __future__ import annotations

from django import template
from django.conf import settings
from django.utils.translation import gettext_lazy as _

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
def signed(value) -> str:
    return f"{int(value):+d}"


@register.filter
def percent(value) -> str:
    return f"{round(float(value or 0) * 100)}%"


# Notes the services write in English, shown in the reader's language.
LEDGER_NOTES = {
    "Image task": _("Image task"),
    "Sign-up credits": _("Sign-up credits"),
    "Refund for a task that did not complete": _("Refund for a task that did not complete"),
    "Refund: cancelled before it started": _("Refund: cancelled before it started"),
}


@register.filter
def ledger_note(note: str) -> str:
    if not note:
        return ""
    if note in LEDGER_NOTES:
        return str(LEDGER_NOTES[note])
    if note.startswith("Refund: ") and " " not in note[8:]:
        return str(_("Refund: %(reason)s") % {"reason": note[8:]})
    return note
