"""Endpoints a user registers (each with its own secret, shown once), and the user's signing
secret for the webhook URLs that single tasks carry."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction

from core.destinations import check_destination
from core.errors import ConflictError, ValidationError

from ..models import EVENTS, WebhookEndpoint, WebhookSigningSecret
from ..signing import new_secret

MAX_ENDPOINTS = 20


@dataclass(frozen=True)
class NewEndpoint:
    endpoint: WebhookEndpoint
    secret: str  # shown to its owner this once


def _events(events) -> list[str]:
    chosen = list(dict.fromkeys(events or ()))
    unknown = [event for event in chosen if event not in EVENTS]
    if unknown:
        raise ValidationError(
            f"Unknown event {unknown[0]!r}; choose from {', '.join(EVENTS)}.",
            code="unknown_event",
            param="events",
        )
    return chosen


def webhook_endpoint_create(
    *, user, url: str, description: str = "", events=(), progress: bool = False
) -> NewEndpoint:
    """Register ``url`` for ``user``'s task events (``events``: empty for every lifecycle
    event; ``progress`` adds progress events)."""
    url = check_destination(url, allow_private=settings.AICEPS_WEBHOOK_ALLOW_PRIVATE, param="url")
    chosen = _events(events)
    if progress and "progress" not in chosen:
        chosen = [*(chosen or [e for e in EVENTS if e != "progress"]), "progress"]
    if WebhookEndpoint.objects.filter(user=user).count() >= MAX_ENDPOINTS:
        # 409: a well-formed request that conflicts with the account's state (it is full)
        raise ConflictError(
            f"At most {MAX_ENDPOINTS} endpoints per account; delete one first.",
            code="too_many_endpoints",
        )
    secret = new_secret()
    endpoint = WebhookEndpoint.objects.create(
        user=user, url=url, description=(description or "")[:200], secret=secret, events=chosen
    )
    return NewEndpoint(endpoint, secret)


def webhook_endpoint_delete(*, endpoint: WebhookEndpoint) -> None:
    """Remove the endpoint; its deliveries stay listed (their endpoint becomes empty)."""
    endpoint.delete()


def webhook_endpoint_set_active(*, endpoint: WebhookEndpoint, active: bool) -> WebhookEndpoint:
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(is_active=active)
    endpoint.is_active = active
    return endpoint


def webhook_secret_get(*, user) -> str:
    """The secret that signs deliveries to the webhook URLs tasks carry (made on first use;
    its owner may read it whenever: a task's URL can come from any client)."""
    found = WebhookSigningSecret.objects.filter(user=user).values_list("secret", flat=True)
    secret = found.first()
    if secret:
        return secret
    try:
        with transaction.atomic():
            return WebhookSigningSecret.objects.create(user=user, secret=new_secret()).secret
    except IntegrityError:  # made concurrently
        return WebhookSigningSecret.objects.get(user=user).secret


def webhook_secret_rotate(*, user) -> str:
    """Replace the secret (later attempts, retries included, are signed with the new one)."""
    secret = new_secret()
    WebhookSigningSecret.objects.update_or_create(user=user, defaults={"secret": secret})
    return secret
