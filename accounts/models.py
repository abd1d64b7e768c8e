"""Users, the identities they sign in with, their sign-in sessions and the credits ledger.

A user's spendable credits live in ``CreditAccount.balance``, a cache of the sum of the
account's ``CreditTransaction`` amounts. Only ``accounts.services`` writes either, under a row
lock in one transaction, so the two never disagree.

An :class:`ExternalIdentity` is a name a user is known by elsewhere: the ``sub`` of a
Supabase session JWT, or the id AicePS's own Supabase-compatible sign-in gives the user.
A :class:`SignInSession` is one sign-in through that sign-in (its refresh token).
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class User(AbstractUser):
    # Legacy: the subject of a Supabase JWT before identities had a table of their own
    # (``ExternalIdentity``, which takes subjects of any length). No longer written.
    external_id = models.CharField(max_length=255, null=True, blank=True, unique=True)
    # Not a field: the sign-in session a password change made from keeps (set before the
    # save, read by accounts.signals); None ends them all.
    keep_sign_in_session: uuid.UUID | None = None

    class Meta:
        db_table = "accounts_user"


class ExternalIdentity(models.Model):
    """One subject of one identity provider, mapped to exactly one user.

    ``subject`` may be of any length, so uniqueness is kept on ``key``, the SHA-256 of the
    provider and the subject (``accounts.identities.identity_key``), never on the text."""

    class Provider(models.TextChoices):
        SUPABASE = "supabase", _("Supabase")
        AICEPS = "aiceps", _("AicePS sign-in")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="identities"
    )
    provider = models.CharField(max_length=16, choices=Provider.choices)
    subject = models.TextField()
    key = models.CharField(max_length=64, unique=True, editable=False)
    # The profile a Supabase-compatible client keeps (``user_metadata``).
    metadata = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("external identity")
        verbose_name_plural = _("external identities")
        indexes = [models.Index(fields=["user", "provider"])]

    def __str__(self) -> str:
        subject = self.subject if len(self.subject) <= 40 else self.subject[:39] + "…"
        return f"{self.provider}:{subject}"


class SignInSession(models.Model):
    """A sign-in through AicePS's Supabase-compatible sign-in: its refresh token (kept as a
    SHA-256 only, replaced at every refresh) and whether it was signed out."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="sign_in_sessions"
    )
    refresh_token_sha256 = models.CharField(max_length=64, unique=True)
    # The token the last refresh replaced: accepted again for a few seconds, as GoTrue does,
    # for a second tab that refreshed with it at the same moment.
    previous_refresh_token_sha256 = models.CharField(max_length=64, blank=True, db_index=True)
    user_agent = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    refreshed_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(help_text=_("The refresh token works until then."))
    revoked_at = models.DateTimeField(null=True, blank=True, db_index=True)

    class Meta:
        verbose_name = _("sign-in session")
        verbose_name_plural = _("sign-in sessions")
        indexes = [models.Index(fields=["user", "revoked_at"])]

    def __str__(self) -> str:
        return f"{self.user} {self.created_at:%Y-%m-%d %H:%M}"


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
    # The task a debit or refund was for, by its id only: the ledger sits below the tasks
    # (``generation``) and never names their table. What a task is, for the pages and the
    # admin, the layer that owns tasks tells (``accounts.ledger_tasks``). Cleared when the
    # user is deleted (their tasks go with them); the idempotency key still names the task.
    task_id = models.UUIDField(null=True, blank=True, db_index=True)
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
