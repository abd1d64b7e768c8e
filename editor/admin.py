"""Staff read what the photo editor reported about its tasks (never edited: it is evidence)."""

from __future__ import annotations

from django.contrib import admin

from core.admin import ReadOnlyAdminMixin

from .models import ClientTaskRecord


@admin.register(ClientTaskRecord)
class ClientTaskRecordAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = [
        "created_at",
        "user",
        "task_type",
        "status",
        "task",
        "reported_credits_deducted",
        "reported_generation_time_ms",
    ]
    list_filter = ["status", "task_type"]
    search_fields = ["user__username", "prompt"]
    list_select_related = ["user", "task"]
    date_hierarchy = "created_at"
