"""Task records (the old ``user_task_history``) and per-period statistics.

Only ``generation.services`` changes these rows; every status change is a conditional update
so a redelivered job, a poll and a worker can race without double work or double refunds.
"""

from __future__ import annotations

import uuid
from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from catalogue import task_types

# Migration 0001 names these as generation.models.*: keep them importable from here.
from .files import generated_upload_to, original_upload_to
from .models_templates import PromptTemplate, PromptTemplateImage
from .models_workers import WorkerHeartbeat

__all__ = [
    "PromptTemplate",
    "PromptTemplateImage",
    "TaskHistory",
    "TaskStatistics",
    "WorkerHeartbeat",
    "generated_upload_to",
    "original_upload_to",
]


class TaskHistory(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        PROCESSING = "processing", _("Processing")
        COMPLETED = "completed", _("Completed")
        FAILED = "failed", _("Failed")
        CANCELLED = "cancelled", _("Cancelled")

    # The task types and their labels live in catalogue.task_types (one definition).
    TaskType = task_types.TaskType

    class Stage(models.TextChoices):
        QUEUED = "queued", _("Queued")
        WRITING_PROMPT = "writing_prompt", _("Writing the prompt")
        GENERATING_IMAGE = "generating_image", _("Generating the image")
        STORING = "storing", _("Storing the result")
        DONE = "done", _("Done")

    FINAL_STATUSES = (Status.COMPLETED, Status.FAILED, Status.CANCELLED)

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="tasks"
    )
    task_type = models.CharField(
        max_length=32, choices=task_types.choices, default=task_types.TaskType.EDIT.value
    )
    status = models.CharField(
        max_length=16, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    stage = models.CharField(max_length=32, choices=Stage.choices, default=Stage.QUEUED)
    source = models.CharField(max_length=16, default="api")  # api, seed, openai, cli, web

    prompt = models.TextField(help_text=_("The user's own words, in any language."))
    professional_prompt = models.TextField(blank=True)
    prompt_cached = models.BooleanField(default=False)
    aspect_ratio = models.CharField(max_length=8, blank=True)
    parameters = models.JSONField(default=dict, blank=True)

    prompt_writer = models.CharField(max_length=100, blank=True)
    prompt_model = models.CharField(max_length=100, blank=True)
    image_provider = models.CharField(max_length=100, blank=True)
    model_version = models.CharField(max_length=100, blank=True)

    original_image = models.FileField(upload_to=original_upload_to, max_length=500, blank=True)
    generated_image = models.FileField(upload_to=generated_upload_to, max_length=500, blank=True)
    # Storage keys of further inputs and outputs: {"sources": [...], "mask": "...",
    # "generated": [...]} (generated lists every output, the first is generated_image).
    extra_files = models.JSONField(default=dict, blank=True)
    storage_fallback = models.BooleanField(
        default=False, help_text=_("Some files wait on local disk for the S3 re-upload job.")
    )
    input_sha256 = models.CharField(max_length=64, blank=True, db_index=True)
    request_fingerprint = models.CharField(max_length=64, blank=True, db_index=True)
    idempotency_key = models.CharField(max_length=255, null=True, blank=True)
    # The API key the task was created with (its budget counts the task's credits).
    api_key = models.ForeignKey(
        "accounts.ApiKey", on_delete=models.SET_NULL, null=True, blank=True, related_name="tasks"
    )
    # Where the task's events are POSTed, signed (Standard Webhooks), besides the user's
    # registered endpoints; progress events only when asked.
    webhook_url = models.CharField(max_length=2000, blank=True)
    webhook_progress = models.BooleanField(default=False)
    # The providers a configured chain lets run it, in order: {"prompt_writer": [...],
    # "image_provider": [...]}; prompt_writer and image_provider name the ones that served.
    provider_chain = models.JSONField(default=dict, blank=True)
    # What a provider keeps between attempts of this task ({"midjourney": {"imagine": id}}),
    # and the notifications its callbacks received ({"notices": {"midjourney": {...}}}).
    provider_state = models.JSONField(default=dict, blank=True)
    # Task files deleted after the retention period (the record and its numbers stay).
    files_expired_at = models.DateTimeField(null=True, blank=True)

    tokens_used = models.IntegerField(default=0)
    prompt_tokens = models.IntegerField(default=0)
    credits_deducted = models.IntegerField(default=0)
    error_code = models.CharField(max_length=64, blank=True)
    error_message = models.TextField(blank=True, help_text=_("For the user."))
    error_detail = models.TextField(blank=True, help_text=_("For the operator: what to change."))
    error_status = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text=_("The HTTP status a failure answers with.")
    )
    # A text task's answer (``catalogue.text_tasks``: creative suggestions, story scenes).
    result = models.JSONField(default=dict, blank=True)
    # Where stage 2 is now: {"phase", "step", "steps", "preview"} (a storage key).
    progress = models.JSONField(default=dict, blank=True)
    attempts = models.PositiveIntegerField(default=0)

    prompt_time_ms = models.IntegerField(null=True, blank=True)
    image_time_ms = models.IntegerField(null=True, blank=True)
    storage_time_ms = models.IntegerField(null=True, blank=True)
    generation_time_ms = models.IntegerField(null=True, blank=True)

    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)
    started_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    lease_expires_at = models.DateTimeField(null=True, blank=True, db_index=True)
    # Deleted by its owner: its files are gone and it is hidden everywhere; the row stays
    # because the credits ledger refers to it.
    deleted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "user_task_history"
        ordering = ["-created_at"]
        verbose_name = _("task")
        verbose_name_plural = _("task history")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "idempotency_key"],
                condition=Q(idempotency_key__isnull=False),
                name="task_idempotency_key_unique_per_user",
            )
        ]
        indexes = [
            models.Index(fields=["user", "-created_at"]),
            models.Index(fields=["user", "request_fingerprint", "-created_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.task_type} {self.id} ({self.status})"

    @property
    def is_final(self) -> bool:
        return self.status in self.FINAL_STATUSES


class TaskStatistics(models.Model):
    class PeriodType(models.TextChoices):
        DAY = "day", _("Day")
        WEEK = "week", _("Week")
        MONTH = "month", _("Month")
        ALL = "all", _("All time")

    ALL_TIME_DATE = date(1970, 1, 1)

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="task_statistics"
    )
    period_type = models.CharField(max_length=8, choices=PeriodType.choices)
    period_date = models.DateField(help_text=_("First day of the period."))
    total_tasks = models.IntegerField(default=0)
    successful_tasks = models.IntegerField(default=0)
    failed_tasks = models.IntegerField(default=0)
    total_tokens_used = models.BigIntegerField(default=0)
    total_credits_deducted = models.BigIntegerField(default=0)
    total_generation_time_ms = models.BigIntegerField(default=0)
    avg_generation_time_ms = models.IntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "user_task_statistics"
        ordering = ["-period_date"]
        verbose_name_plural = _("task statistics")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "period_type", "period_date"], name="task_statistics_period_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} {self.period_type} {self.period_date}"

    @property
    def success_rate(self) -> float:
        return self.successful_tasks / self.total_tasks if self.total_tasks else 0.0
