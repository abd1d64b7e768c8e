"""What a task costs, from ``AICEPS_TASK_COSTS``: the price of one image, times ``n``.

A key is ``"default"`` or up to four parts joined by ``:``, in any order: an image provider
(``gemini``), a task type (``edit``, ``text_to_image``), a ``quality`` (``low``, ``medium``,
``high``, ``xhigh``, ``max``) and a size (``1024x1536``). A key applies when each of its parts
matches the request; of those that apply, the one with the most parts wins, then the one
naming the provider, the task type, the quality, the size, in that order. For example::

    {"default": 1, "gemini": 14, "offline:filter": 0, "openai:high": 8,
     "openai:high:1536x1024": 12, "diffusers:1024x1024": 2}

A request with ``size=auto`` (or none) and ``quality=auto`` (or none) matches only keys
without a size or a quality. The answer of ``/v1/images`` and the ledger show the same total.
"""

from __future__ import annotations

import re

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from catalogue.task_types import SPECS, spec_for

QUALITIES = frozenset({"low", "medium", "high", "xhigh", "max", "standard", "hd"})
_SIZE = re.compile(r"^\d{2,5}x\d{2,5}$")
WEIGHTS = {"provider": 8, "task_type": 4, "quality": 2, "size": 1}


def _kind(part: str) -> str:
    if _SIZE.match(part):
        return "size"
    if part in QUALITIES:
        return "quality"
    if part in {spec.key for spec in SPECS.values()}:
        return "task_type"
    return "provider"


def task_price(
    *,
    task_type: str,
    image_provider: str,
    count: int = 1,
    size: str | None = None,
    quality: str | None = None,
) -> int:
    costs = settings.AICEPS_TASK_COSTS or {}
    request = {
        "provider": image_provider,
        "task_type": spec_for(task_type).key,
        "quality": quality if quality and quality != "auto" else None,
        "size": size if size and size != "auto" else None,
    }
    best, best_rank = None, (-1, -1)
    for key in costs:
        if key == "default":
            rank = (0, 0)
        else:
            parts = key.split(":")
            kinds = [_kind(part) for part in parts]
            if len(set(kinds)) != len(kinds):
                continue  # two of a kind ("gemini:openai") can never match
            if any(request[kind] != part for kind, part in zip(kinds, parts, strict=True)):
                continue
            rank = (len(parts), sum(WEIGHTS[kind] for kind in kinds))
        if rank > best_rank:
            best, best_rank = key, rank
    value = costs[best] if best is not None else 1
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise ImproperlyConfigured(f"AICEPS_TASK_COSTS[{best!r}] must be a whole number >= 0")
    return value * max(count, 1)


def chain_price(*, task_type: str, image_providers, **options) -> int:
    """What a task is charged when any of ``image_providers`` may serve it: the dearest of
    their prices (the runner refunds the difference when a cheaper one serves it)."""
    return max(
        task_price(task_type=task_type, image_provider=name, **options) for name in image_providers
    )
