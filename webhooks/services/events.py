"""From a task event to deliveries: one per destination that wants it, queued once the rows
have committed. Runs in the process that changed the task, after its commit
(``generation.events``): it only writes rows and queues jobs, so it never holds the task up.
"""

from __future__ import annotations

import json
import logging
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from generation.models import TaskHistory
from generation.presenters import task_payload
from generation.services.queue import enqueue_job

from ..models import WebhookDelivery, WebhookEndpoint

logger = logging.getLogger(__name__)
Status = WebhookDelivery.Status


def on_task_event(sender, *, task_id, event: str, **kwargs) -> None:
    webhook_deliveries_create(task_id=task_id, event=event)


def absolute(url: str) -> str:
    if not url or url.startswith(("http://", "https://")) or not settings.AICEPS_PUBLIC_URL:
        return url
    return settings.AICEPS_PUBLIC_URL + url


def event_body(task: TaskHistory, event: str, now) -> str:
    """The JSON every attempt of this event's deliveries sends (Standard Webhooks' shape:
    ``type``, ``timestamp``, ``data``). File links in it expire: fetch the task for fresh
    ones (``data.status_url``)."""
    message = {
        "type": f"task.{event}",
        "timestamp": now.isoformat(),
        "data": task_payload(task, absolute=absolute),
    }
    return json.dumps(message, ensure_ascii=False, separators=(",", ":"))


def _recent_progress(task_id, *, endpoint, url: str, since) -> bool:
    deliveries = WebhookDelivery.objects.filter(
        task_id=task_id, event="progress", created_at__gte=since
    )
    if endpoint is not None:
        return deliveries.filter(endpoint=endpoint).exists()
    return deliveries.filter(endpoint=None, url=url).exists()


def webhook_deliveries_create(*, task_id, event: str, now=None) -> list[WebhookDelivery]:
    """The deliveries of ``event`` for the task; a task deleted by its owner takes its
    deliveries (and the words and links in them) along."""
    if event == "deleted":
        WebhookDelivery.objects.filter(task_id=task_id).delete()
        return []
    task = TaskHistory.objects.filter(pk=task_id, deleted_at=None).first()
    if task is None:
        return []
    destinations: list[tuple[WebhookEndpoint | None, str]] = [
        (endpoint, endpoint.url)
        for endpoint in WebhookEndpoint.objects.filter(user_id=task.user_id, is_active=True)
        if endpoint.wants(event)
    ]
    if task.webhook_url and (event != "progress" or task.webhook_progress):
        destinations.append((None, task.webhook_url))
    now = now or timezone.now()
    if event == "progress":  # at most one progress event per destination this often
        since = now - timedelta(seconds=settings.AICEPS_WEBHOOK_PROGRESS_SECONDS)
        destinations = [
            (endpoint, url)
            for endpoint, url in destinations
            if not _recent_progress(task.pk, endpoint=endpoint, url=url, since=since)
        ]
    if not destinations:
        return []
    body = event_body(task, event, now)
    with transaction.atomic():
        rows = [
            WebhookDelivery.objects.create(
                user_id=task.user_id,
                endpoint=endpoint,
                task=task,
                url=url,
                event=event,
                body=body,
                next_attempt_at=now,
            )
            for endpoint, url in destinations
        ]
        for row in rows:
            transaction.on_commit(lambda pk=row.pk: _enqueue(pk), robust=True)
    return rows


def _enqueue(delivery_id) -> None:
    enqueue_job(
        "webhooks.tasks.deliver",
        str(delivery_id),
        name=f"webhook-{delivery_id}",
        cluster=settings.AICEPS_QUEUE_NAME,
    )
