"""Error messages in the user's language: English as raised, Chinese from the catalogue.

The language is the one active for the request (Django's LocaleMiddleware reads the session,
the language cookie and ``Accept-Language``)."""

from __future__ import annotations

from collections.abc import Mapping

from .messages_zh import MESSAGES


def chinese_active() -> bool:
    from django.utils.translation import get_language

    return (get_language() or "en").lower().startswith("zh")


def localized_message(
    code: str, message: str, *, param: str | None = None, extra: Mapping | None = None
) -> str:
    """``message`` in the active language: as given in English, or the code's Chinese
    sentence with the error's fields filled in (the English one where the code has none)."""
    if not chinese_active():
        return message
    fields = {**(extra or {}), "param": param}
    keys = ([f"{code}:param"] if param else []) + [code, f"{code}:plain"]
    for key in keys:
        template = MESSAGES.get(key)
        if template is None:
            continue
        try:
            return template.format_map(fields)
        except (KeyError, IndexError, ValueError):
            continue
    return message
