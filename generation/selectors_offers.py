"""Whether a task type can be asked for now, and at what price: what ``task_create`` would
find (the configured image providers, those a live worker serves, what they can do, the
chain's price), read without creating anything. The photo editor's ``check-feature`` asks.
"""

from __future__ import annotations

from dataclasses import dataclass

from catalogue.providers.registry import (
    alternatives,
    capabilities_of,
    chain_capabilities,
    resolve_chain,
)
from catalogue.task_types import provider_can
from core.errors import DomainError

from .services.pricing import chain_price
from .services.workers import NoWorkerError, provider_served


@dataclass(frozen=True)
class TaskOffer:
    available: bool  # a provider a live worker serves can do it now
    price: int  # what it would be charged (0 when it cannot be priced)
    reason: str  # why it is not available ("" when it is)


def task_offer(*, task_type: str) -> TaskOffer:
    reason, chain = "", ()
    try:
        chain = resolve_chain(None, kind="image_provider")
        served = [name for name in chain if provider_served(name)]
        if not served:
            reason = NoWorkerError().message
        chain = tuple(served) or chain
        available = bool(served) and provider_can(chain_capabilities(chain), task_type)
        able = [name for name in chain if provider_can(capabilities_of(name), task_type)]
        price = chain_price(task_type=task_type, image_providers=able or chain)
    except DomainError as exc:
        available, price, reason = False, 0, exc.message
    if not available and not reason:
        others, _ = alternatives(task_type, exclude=chain)
        reason = (
            f"This server's image model cannot do that: it needs {others}."
            if others
            else "This server's image model cannot do that."
        )
    return TaskOffer(available=available, price=price, reason=reason if not available else "")
