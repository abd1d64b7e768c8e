"""Staff views of API keys (never the keys themselves) and of per-user retention."""

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .key_services import api_key_revoke
from .models import ApiKey, RetentionOverride
from .services import api_key_spent


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "user",
        "prefix",
        "state",
        "created_at",
        "last_used_at",
        "expires_at",
        "credit_budget",
        "spent",
    ]
    list_filter = ["revoked_at", "expires_at", "created_at"]
    search_fields = ["name", "prefix", "user__username", "user__email"]
    list_select_related = ["user"]
    readonly_fields = ["user", "prefix", "created_at", "last_used_at", "revoked_at", "spent"]
    fields = [
        "user",
        "prefix",
        "name",
        "expires_at",
        "credit_budget",
        "created_at",
        "last_used_at",
        "revoked_at",
        "spent",
    ]
    actions = ["revoke"]

    def has_add_permission(self, request) -> bool:
        return False  # a key is shown once, to its owner: they create it themselves

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # revoke instead: ledger rows name the key

    @admin.display(description=_("State"))
    def state(self, api_key: ApiKey) -> str:
        return api_key.state()

    @admin.display(description=_("Credits spent"))
    def spent(self, api_key: ApiKey) -> int:
        return api_key_spent(api_key=api_key)

    @admin.action(description=_("Revoke the selected keys"))
    def revoke(self, request, queryset):
        for api_key in queryset:
            api_key_revoke(api_key=api_key)
        self.message_user(request, _("Revoked %(n)d keys.") % {"n": queryset.count()})


@admin.register(RetentionOverride)
class RetentionOverrideAdmin(admin.ModelAdmin):
    list_display = ["user", "days", "note", "updated_at"]
    search_fields = ["user__username", "user__email"]
    list_select_related = ["user"]
    raw_id_fields = ["user"]
