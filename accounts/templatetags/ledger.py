"""The ledger's numbers and notes on the credits page."""

from __future__ import annotations

from django import template
from django.utils.translation import gettext_lazy as _

register = template.Library()


@register.filter
def signed(value) -> str:
    return f"{int(value):+d}"


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
