"""django-q2 entry points: load by id, call a service. Nothing else lives here."""

from __future__ import annotations

from .services import webhook_deliveries_due, webhook_delivery_attempt


def deliver(delivery_id: str) -> str | None:
    delivery = webhook_delivery_attempt(delivery_id=delivery_id)
    return delivery.status if delivery else None


def deliver_due() -> int:
    return webhook_deliveries_due()
