"""Users and the credits ledger.

A user's spendable credits live in ``CreditAccount.balance``, a cache of the sum of the
account's ``CreditTransaction`` amounts. Only ``accounts.services`` writes either, under a row
lock in one transaction, so the two never disagree.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class User(AbstractUser):
    # The subject of an external identity (a Supabase JWT's ``sub``); unique when present.
    external_id = models.CharField(max_length=255, null=True, blank=True, unique=True)

    class Meta:
        db_table = "accounts_user"


class CreditAccount(models.Model):
    # A deleted user's account stays, closed, with its ledger: balances stay provable.
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="credit_account",
    )
    balance = models.IntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    former_user_id = models.BigIntegerField(
        null=True, blank=True, help_text=_("The id of the user this account belonged to.")
    )

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(balance__gte=0), name="credit_account_balance_non_negative"
            )
        ]

    def __str__(self) -> str:
        owner = self.user if self.user_id else f"closed #{self.former_user_id}"
        return f"{owner} ({self.balance})"


class CreditTransaction(models.Model):
    """One append-only ledger row. Positive amounts add credits, negative ones spend them."""

    class Kind(models.TextChoices):
        SIGNUP = "signup", _("Sign-up bonus")
        GRANT = "grant", _("Grant")
        DEBIT = "debit", _("Debit")
        REFUND = "refund", _("Refund")
        ADJUSTMENT = "adjustment", _("Adjustment")

    account = models.ForeignKey(
        CreditAccount, on_delete=models.PROTECT, related_name="transactions"
    )
    amount = models.IntegerField()
    kind = models.CharField(max_length=16, choices=Kind.choices)
    balance_after = models.IntegerField()
    # SET_NULL: a task removed with its user leaves the row (its key still names the task).
    task = models.ForeignKey(
        "generation.TaskHistory",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="credit_transactions",
    )
    # The API key a charge was made with (and its refunds): what counts against its budget.
    api_key = models.ForeignKey(
        "accounts.ApiKey", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    idempotency_key = models.CharField(max_length=255, null=True, blank=True, unique=True)
    note = models.CharField(max_length=500, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["account", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.kind} {self.amount:+d} → {self.balance_after}"


# API keys and per-user retention live in a module of their own.
from .models_platform import ApiKey, RetentionOverride  # noqa: E402

__all__ = ["ApiKey", "CreditAccount", "CreditTransaction", "RetentionOverride", "User"]
