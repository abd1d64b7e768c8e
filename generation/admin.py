"""Staff views of tasks and statistics: read-only records, filters, thumbnails, ledger links;
actions that run a failed task again, fail and refund a stuck one, and refund any task once
(the ledger rows name the staff member)."""

from __future__ import annotations

from django.contrib import admin, messages
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from accounts.selectors import task_ledger
from core.admin import ReadOnlyAdminMixin

from .models import TaskHistory, TaskStatistics
from .services import (
    TaskStateError,
    task_fail_by_staff,
    task_refund_by_staff,
    task_rerun_by_staff,
)
from .storage import file_url


def _thumbnail(name: str, *, side: int = 80) -> str:
    if not name:
        return "—"
    return format_html(
        '<a href="{0}" target="_blank"><img src="{0}" alt="" style="max-height:{1}px;'
        'max-width:{2}px;object-fit:contain"></a>',
        file_url(name),
        side,
        side * 3 // 2,
    )


@admin.register(TaskHistory)
class TaskHistoryAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = [
        "created_at",
        "user",
        "short_prompt",
        "task_type",
        "status",
        "provider",
        "credits_deducted",
        "generation_time_ms",
        "images",
    ]
    list_filter = [
        "status",
        "task_type",
        "deleted_at",
        "image_provider",
        "prompt_writer",
        "source",
        "storage_fallback",
        "created_at",
    ]
    search_fields = ["user__username", "user__email", "prompt", "professional_prompt", "id"]
    list_select_related = ["user"]
    date_hierarchy = "created_at"
    ordering = ["-created_at"]
    readonly_fields = [
        "id",
        "user",
        "task_type",
        "status",
        "stage",
        "source",
        "prompt",
        "professional_prompt",
        "prompt_cached",
        "aspect_ratio",
        "parameters",
        "prompt_writer",
        "prompt_model",
        "image_provider",
        "model_version",
        "original_thumb",
        "generated_thumb",
        "extra_files",
        "storage_fallback",
        "input_sha256",
        "idempotency_key",
        "tokens_used",
        "prompt_tokens",
        "credits_deducted",
        "error_code",
        "error_message",
        "error_detail",
        "error_status",
        "attempts",
        "prompt_time_ms",
        "image_time_ms",
        "storage_time_ms",
        "generation_time_ms",
        "created_at",
        "updated_at",
        "started_at",
        "completed_at",
        "lease_expires_at",
        "api_key",
        "webhook_url",
        "webhook_progress",
        "provider_chain",
        "provider_state",
        "files_expired_at",
        "deleted_at",
        "ledger",
    ]
    exclude = ["original_image", "generated_image", "request_fingerprint"]
    actions = ["run_again", "fail_and_refund", "refund_once"]

    @admin.action(description=_("Run the selected failed tasks again (free for their owners)"))
    def run_again(self, request, queryset):
        done, refused = 0, 0
        for task in queryset.filter(status=TaskHistory.Status.FAILED, deleted_at=None):
            try:
                task_rerun_by_staff(task=task, staff=request.user)
                done += 1
            except TaskStateError:
                refused += 1
        skipped = queryset.count() - done
        self.message_user(
            request,
            _("%(done)d tasks queued again; %(skipped)d skipped (only failed tasks run again).")
            % {"done": done, "skipped": skipped},
            messages.SUCCESS if done else messages.WARNING,
        )

    @admin.action(description=_("Fail the selected stuck tasks and refund them"))
    def fail_and_refund(self, request, queryset):
        done = sum(
            task_fail_by_staff(task=task, staff=request.user)
            for task in queryset.exclude(status__in=TaskHistory.FINAL_STATUSES)
        )
        self.message_user(
            request,
            _("%(done)d tasks failed and refunded; finished tasks were left as they were.")
            % {"done": done},
            messages.SUCCESS if done else messages.WARNING,
        )

    @admin.action(description=_("Refund the selected tasks (once each)"))
    def refund_once(self, request, queryset):
        refunded, credits = 0, 0
        for task in queryset.select_related("user"):
            amount = task_refund_by_staff(task=task, staff=request.user)
            if amount:
                refunded, credits = refunded + 1, credits + amount
        self.message_user(
            request,
            _("Refunded %(credits)d credits on %(tasks)d tasks; the others held none.")
            % {"credits": credits, "tasks": refunded},
            messages.SUCCESS if refunded else messages.WARNING,
        )

    @admin.display(description=_("Instruction"))
    def short_prompt(self, task: TaskHistory) -> str:
        return task.prompt if len(task.prompt) <= 40 else task.prompt[:39] + "…"

    # The list fits a laptop screen: the provider with its model in one cell, the two
    # thumbnails side by side and small (the task's page shows them large).
    @admin.display(description=_("Image provider"), ordering="image_provider")
    def provider(self, task: TaskHistory) -> str:
        if not task.model_version:
            return task.image_provider or "—"
        return format_html("{}<br><small>{}</small>", task.image_provider, task.model_version)

    @admin.display(description=_("Original → result"))
    def images(self, task: TaskHistory) -> str:
        return format_html(
            '<span style="white-space:nowrap">{} {}</span>',
            _thumbnail(task.original_image.name, side=48),
            _thumbnail(task.generated_image.name, side=48),
        )

    @admin.display(description=_("Original"))
    def original_thumb(self, task: TaskHistory) -> str:
        return _thumbnail(task.original_image.name)

    @admin.display(description=_("Result"))
    def generated_thumb(self, task: TaskHistory) -> str:
        return _thumbnail(task.generated_image.name)

    @admin.display(description=_("Ledger"))
    def ledger(self, task: TaskHistory) -> str:
        rows = task_ledger(task_id=task.pk)
        if not rows:
            return "—"
        return format_html_join(
            " ",
            '<a href="{}">{} {}</a>',
            (
                (
                    reverse("admin:accounts_credittransaction_change", args=[row.pk]),
                    row.get_kind_display(),
                    f"{row.amount:+d}",
                )
                for row in rows
            ),
        )


@admin.register(TaskStatistics)
class TaskStatisticsAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = [
        "user",
        "period_type",
        "period_date",
        "total_tasks",
        "successful_tasks",
        "failed_tasks",
        "avg_generation_time_ms",
        "total_credits_deducted",
    ]
    list_filter = ["period_type", "period_date"]
    search_fields = ["user__username"]
    list_select_related = ["user"]


from . import admin_templates  # noqa: E402,F401
