"""What a task costs, from ``AICEPS_TASK_COSTS``.

Keys, most specific first: ``"<provider>:<task_type>"``, ``"<provider>"``, ``"<task_type>"``,
``"default"``. For example ``{"default": 1, "gemini": 14, "offline:filter": 0}``.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from ..task_types import spec_for


def task_price(*, task_type: str, image_provider: str, count: int = 1) -> int:
    costs = settings.AICEPS_TASK_COSTS or {}
    type_key = spec_for(task_type).key
    for key in (f"{image_provider}:{type_key}", image_provider, type_key, "default"):
        if key in costs:
            value = costs[key]
            break
    else:
        value = 1
    if not isinstance(value, int) or value < 0:
        raise ImproperlyConfigured(f"AICEPS_TASK_COSTS[{key!r}] must be a whole number >= 0")
    return value * max(count, 1)
