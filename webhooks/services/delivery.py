"""Attempting a delivery, recording it, and scheduling the next try.

One attempt: claim the delivery (a conditional UPDATE, so two workers never send it at
once), sign its fixed body with the endpoint's secret (or the user's, for a task's own URL)
and a fresh timestamp, POST it (``webhooks.transport``: the destination checked again, no
redirects), and record the attempt (status, latency, error). A 2xx delivers it; anything
else is tried again after ``AICEPS_WEBHOOK_RETRY_SECONDS[n]`` (about a day in all), then
given up; a 410 Gone gives up at once, and a destination that is no longer allowed is
refused without a request. :func:`webhook_deliveries_due` (every minute) sends what is due.
"""

from __future__ import annotations

import logging
import time
from datetime import timedelta

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from core.destinations import DestinationError

from .. import transport
from ..models import WebhookAttempt, WebhookDelivery
from ..signing import signed_headers
from .endpoints import webhook_secret_get

logger = logging.getLogger(__name__)
Status = WebhookDelivery.Status
GONE = 410


def _claim(delivery_id, now) -> WebhookDelivery | None:
    hold = now + timedelta(seconds=settings.AICEPS_WEBHOOK_TIMEOUT_SECONDS * 2 + 30)
    claimed = (
        WebhookDelivery.objects.filter(pk=delivery_id, status=Status.PENDING)
        .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
        .filter(Q(locked_until__isnull=True) | Q(locked_until__lt=now))
        .update(locked_until=hold)
    )
    if not claimed:
        return None
    return WebhookDelivery.objects.select_related("endpoint").get(pk=delivery_id)


def webhook_delivery_attempt(*, delivery_id, now=None) -> WebhookDelivery | None:
    """Attempt the delivery if it is due and nobody else is; returns it as it now is, or
    None when there was nothing to do. Never raises for the destination's failures."""
    now = now or timezone.now()
    delivery = _claim(delivery_id, now)
    if delivery is None:
        return None
    number = delivery.attempts + 1
    secret = (
        delivery.endpoint.secret
        if delivery.endpoint is not None
        else webhook_secret_get(user=delivery.user)
    )
    body = delivery.body.encode()
    headers = signed_headers(
        secret, message_id=delivery.message_id, timestamp=int(time.time()), body=body
    )
    started = timezone.now()
    status_code, error, excerpt, latency, refused = None, "", "", 0, False
    try:
        answer = transport.post(
            delivery.url,
            body,
            headers,
            timeout=settings.AICEPS_WEBHOOK_TIMEOUT_SECONDS,
            allow_private=settings.AICEPS_WEBHOOK_ALLOW_PRIVATE,
        )
        status_code, excerpt, latency = answer.status, answer.excerpt, answer.latency_ms
        if not 200 <= status_code < 300:
            error = f"HTTP {status_code}"
    except DestinationError as exc:
        error, refused = exc.message, True
    except transport.DeliveryError as exc:
        error, latency = str(exc), exc.latency_ms
    except Exception as exc:  # a bug here must not leave the delivery locked for ever
        logger.exception("webhook attempt crashed", extra={"delivery": str(delivery.pk)})
        error = f"{type(exc).__name__}: {exc}"[:300]
    WebhookAttempt.objects.create(
        delivery=delivery,
        number=number,
        started_at=started,
        status_code=status_code,
        latency_ms=latency,
        error=error[:500],
        response_excerpt=excerpt[:500],
    )
    return _record(delivery, number, status_code, error, refused)


def _record(delivery, number: int, status_code, error: str, refused: bool) -> WebhookDelivery:
    now = timezone.now()
    fields = {
        "attempts": number,
        "last_status_code": status_code,
        "last_error": error[:500],
        "locked_until": None,
        "updated_at": now,
    }
    schedule = settings.AICEPS_WEBHOOK_RETRY_SECONDS
    if status_code is not None and 200 <= status_code < 300:
        fields |= {"status": Status.DELIVERED, "delivered_at": now, "next_attempt_at": None}
    elif refused:
        fields |= {"status": Status.REFUSED, "next_attempt_at": None}
    elif status_code == GONE or number > len(schedule):
        fields |= {"status": Status.FAILED, "next_attempt_at": None}
    else:
        fields["next_attempt_at"] = now + timedelta(seconds=schedule[number - 1])
    WebhookDelivery.objects.filter(pk=delivery.pk).update(**fields)
    for name, value in fields.items():
        setattr(delivery, name, value)
    logger.info(
        "webhook attempt",
        extra={
            "delivery": str(delivery.pk),
            "event": delivery.event,
            "attempt": number,
            "status": status_code,
            "outcome": delivery.status,
        },
    )
    return delivery


def webhook_deliveries_due(*, now=None, limit: int = 500) -> int:
    """Queue every delivery whose next attempt is due (a job each); returns how many."""
    from .events import _enqueue

    now = now or timezone.now()
    due = (
        WebhookDelivery.objects.filter(status=Status.PENDING, next_attempt_at__lte=now)
        .filter(Q(locked_until__isnull=True) | Q(locked_until__lt=now))
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:limit]
    )
    ids = list(due)
    for delivery_id in ids:
        _enqueue(delivery_id)
    return len(ids)
