"""The heartbeats of running workers: one row per ``qcluster`` process, refreshed while it runs.

A provider is offered only while a worker of its queue group lives (``generation.liveness``
reads these rows). Rows live in the database because every process of a deployment shares it,
whatever the broker and the cache (the tests' cache is per process). django-q2's own cluster
statistics name no queue, so they cannot tell a local-model worker from another.
"""

from __future__ import annotations

import uuid

from django.db import models


class WorkerHeartbeat(models.Model):
    """A running ``qcluster`` (its id is chosen when it starts) and the queue it serves."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    queue = models.CharField(max_length=100, db_index=True)
    host = models.CharField(max_length=255, blank=True)
    pid = models.PositiveIntegerField(default=0)
    started_at = models.DateTimeField()
    seen_at = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name = "worker heartbeat"

    def __str__(self) -> str:
        return f"{self.queue} on {self.host} (pid {self.pid})"
