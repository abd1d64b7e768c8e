"""API keys (several per user, named, revocable, with an optional credit budget) and the
per-user override of the retention of task files.

A key is shown once, when it is created: only its SHA-256 is stored (keys are 32 random
bytes, so a fast hash is as good as a slow one), with a short prefix to recognise it by.
What a key has spent is read from the ledger (``CreditTransaction.api_key``): charges made
with it less their refunds, so a refunded task gives its budget back.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

KEY_PREFIX = "aiceps_"


class ApiKey(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_keys"
    )
    name = models.CharField(max_length=100)
    prefix = models.CharField(
        max_length=24, help_text=_("The start of the key, to recognise it by.")
    )
    key_sha256 = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    credit_budget = models.PositiveIntegerField(
        null=True,
        blank=True,
        help_text=_("Credits tasks created with this key may spend; empty: no limit."),
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("API key")
        verbose_name_plural = _("API keys")
        indexes = [models.Index(fields=["user", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    def state(self, now=None) -> str:
        """``active``, ``revoked`` or ``expired``."""
        now = now or timezone.now()
        if self.revoked_at is not None:
            return "revoked"
        if self.expires_at is not None and self.expires_at <= now:
            return "expired"
        return "active"


class RetentionOverride(models.Model):
    """How long this user's task files are kept, instead of ``AICEPS_RETENTION_DAYS``."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="retention_override"
    )
    days = models.PositiveIntegerField(help_text=_("Days after a task ends; 0 keeps them."))
    note = models.CharField(max_length=200, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("retention override")
        verbose_name_plural = _("retention overrides")

    def __str__(self) -> str:
        return f"{self.user}: {self.days} days"
