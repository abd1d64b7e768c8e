"""What the editor's own bookkeeping leaves: its task records.

:class:`ClientTaskRecord` keeps what the editor reports about a task (``/api/task-history``
``create``, ``original-image``, ``complete``) exactly as reported, beside AicePS's real task
it is linked to; nothing in it changes a task, a charge or a file. (The answers the editor
waits for that are text, creative suggestions and story scenes, are tasks too: text tasks,
``catalogue.text_tasks``.)
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ClientTaskRecord(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="editor_records"
    )
    task = models.OneToOneField(
        "generation.TaskHistory",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="editor_record",
        help_text=_("AicePS's own task this record describes, once found."),
    )
    # As the editor sent them (unverified).
    task_type = models.CharField(max_length=32, blank=True)
    prompt = models.TextField(blank=True)
    model_version = models.CharField(max_length=100, blank=True)
    aspect_ratio = models.CharField(max_length=8, blank=True)
    status = models.CharField(max_length=16, default="pending")
    original_sha256 = models.CharField(max_length=64, blank=True)
    original_bytes = models.PositiveIntegerField(null=True, blank=True)
    reported_tokens_used = models.IntegerField(null=True, blank=True)
    reported_credits_deducted = models.IntegerField(null=True, blank=True)
    reported_generation_time_ms = models.IntegerField(null=True, blank=True)
    reported_error_message = models.TextField(blank=True)
    reported_image_bytes = models.PositiveIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["user", "-created_at"])]
        verbose_name = _("editor task record")

    def __str__(self) -> str:
        return f"{self.task_type} {self.id}"
