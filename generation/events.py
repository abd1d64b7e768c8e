"""Task events for the apps above ``generation`` (webhooks): one signal, sent after commit.

``task_event`` is sent with ``task_id`` and ``event``: ``started`` (a worker claimed it),
``progress`` (stage 2 reported, at most every half second), ``completed``, ``failed``,
``cancelled``, and ``deleted`` (its owner deleted it: listeners drop what they kept of it).
The services send it once the change has committed, with ``send_robust``: a listener that
fails is logged and can never block, fail or change the task.
"""

from __future__ import annotations

import functools
import logging

from django.db import transaction
from django.dispatch import Signal

logger = logging.getLogger(__name__)
EVENTS = ("started", "progress", "completed", "failed", "cancelled", "deleted")

task_event = Signal()


def task_event_emit(task_id, event: str) -> None:
    """Send ``event`` for ``task_id`` after the current transaction commits."""
    if event not in EVENTS:
        raise ValueError(f"unknown task event {event!r}")
    transaction.on_commit(functools.partial(_send, str(task_id), event), robust=True)


def _send(task_id: str, event: str) -> None:
    from .models import TaskHistory

    for receiver, result in task_event.send_robust(TaskHistory, task_id=task_id, event=event):
        if isinstance(result, Exception):
            logger.warning(
                "task event listener failed",
                extra={
                    "task_id": task_id,
                    "event": event,
                    "listener": getattr(receiver, "__name__", str(receiver)),
                    "error": f"{type(result).__name__}: {result}"[:300],
                },
            )
