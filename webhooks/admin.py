"""Staff views of endpoints (never their secrets) and of every delivery with its attempts."""

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from core.admin import ReadOnlyAdminMixin

from .models import WebhookAttempt, WebhookDelivery, WebhookEndpoint


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(admin.ModelAdmin):
    list_display = ["url", "user", "description", "events", "is_active", "created_at"]
    list_filter = ["is_active", "created_at"]
    search_fields = ["url", "description", "user__username"]
    list_select_related = ["user"]
    fields = ["user", "url", "description", "events", "is_active", "created_at"]
    readonly_fields = ["user", "url", "created_at"]

    def has_add_permission(self, request) -> bool:
        return False  # its secret is shown once, to its owner


class AttemptInline(admin.TabularInline):
    model = WebhookAttempt
    extra = 0
    can_delete = False
    fields = ["number", "started_at", "status_code", "latency_ms", "error", "response_excerpt"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = [
        "created_at",
        "event",
        "user",
        "url",
        "status",
        "attempts",
        "last_status_code",
        "latency",
        "next_attempt_at",
    ]
    list_filter = ["status", "event", "created_at"]
    search_fields = ["url", "user__username", "task__id"]
    list_select_related = ["user"]
    inlines = [AttemptInline]
    exclude = ["locked_until"]

    @admin.display(description=_("Last latency (ms)"))
    def latency(self, delivery: WebhookDelivery):
        last = delivery.attempt_records.order_by("-number").first()
        return last.latency_ms if last else None
