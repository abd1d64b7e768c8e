"""Reads of endpoints and deliveries, always scoped to their owner."""

from __future__ import annotations

import uuid

from django.db.models import QuerySet

from .models import WebhookDelivery, WebhookEndpoint


def endpoints_of(*, user) -> QuerySet[WebhookEndpoint]:
    return WebhookEndpoint.objects.filter(user=user)


def endpoint_get(*, user, endpoint_id) -> WebhookEndpoint | None:
    try:
        key = uuid.UUID(str(endpoint_id))
    except ValueError:
        return None
    return WebhookEndpoint.objects.filter(user=user, pk=key).first()


def deliveries_of(*, user, endpoint=None, task_id=None) -> QuerySet[WebhookDelivery]:
    deliveries = WebhookDelivery.objects.filter(user=user).prefetch_related("attempt_records")
    if endpoint is not None:
        deliveries = deliveries.filter(endpoint=endpoint)
    if task_id is not None:
        deliveries = deliveries.filter(task_id=task_id)
    return deliveries.select_related("endpoint").order_by("-created_at")


def delivery_summary(delivery: WebhookDelivery) -> dict:
    """A delivery with each attempt, as the API and the pages show it."""
    return {
        "id": delivery.message_id,
        "event": delivery.event,
        "url": delivery.url,
        "endpoint_id": str(delivery.endpoint_id) if delivery.endpoint_id else None,
        "task_id": str(delivery.task_id) if delivery.task_id else None,
        "status": delivery.status,
        "attempts": [
            {
                "number": attempt.number,
                "at": attempt.started_at.isoformat(),
                "status_code": attempt.status_code,
                "latency_ms": attempt.latency_ms,
                "error": attempt.error,
            }
            for attempt in delivery.attempt_records.all()
        ],
        "next_attempt_at": delivery.next_attempt_at.isoformat()
        if delivery.next_attempt_at and delivery.status == WebhookDelivery.Status.PENDING
        else None,
        "created_at": delivery.created_at.isoformat(),
        "delivered_at": delivery.delivered_at.isoformat() if delivery.delivered_at else None,
    }


def endpoint_summary(endpoint: WebhookEndpoint) -> dict:
    return {
        "id": str(endpoint.pk),
        "url": endpoint.url,
        "description": endpoint.description,
        "events": list(endpoint.events or []) or None,
        "active": endpoint.is_active,
        "created_at": endpoint.created_at.isoformat(),
    }
