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
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="credit_account"
    )
    balance = models.IntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(balance__gte=0), name="credit_account_balance_non_negative"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.balance})"


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
    task = models.ForeignKey(
        "generation.TaskHistory",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="credit_transactions",
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
