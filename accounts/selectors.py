"""Reads of balances and the ledger."""

from __future__ import annotations

from django.db.models import QuerySet, Sum

from .models import CreditAccount, CreditTransaction, User


def credits_balance(*, user: User) -> int:
    balance = CreditAccount.objects.filter(user=user).values_list("balance", flat=True).first()
    return balance or 0


def credits_ledger(*, user: User) -> QuerySet[CreditTransaction]:
    return CreditTransaction.objects.filter(account__user=user).select_related("created_by")


def task_ledger(*, task_id) -> QuerySet[CreditTransaction]:
    """The ledger rows of one task (its debit, its refunds), newest first."""
    return CreditTransaction.objects.filter(task_id=task_id)


def credits_ledger_sum(*, user: User) -> int:
    return credits_ledger(user=user).aggregate(total=Sum("amount"))["total"] or 0


def user_by_token_key(*, key: str) -> User | None:
    from rest_framework.authtoken.models import Token

    token = Token.objects.select_related("user").filter(key=key).first()
    return token.user if token else None


def credits_totals(*, user: User) -> dict[str, int]:
    """``received`` (sign-up, grants, adjustments), ``spent`` (debits less refunds) and the
    ``balance`` (received - spent), from the ledger."""
    Kind = CreditTransaction.Kind
    sums = dict(
        credits_ledger(user=user)
        .order_by()
        .values_list("kind")
        .annotate(total=Sum("amount"))
        .values_list("kind", "total")
    )
    received = sum(sums.get(kind, 0) for kind in (Kind.SIGNUP, Kind.GRANT, Kind.ADJUSTMENT))
    spent = -(sums.get(Kind.DEBIT, 0) + sums.get(Kind.REFUND, 0))
    return {"received": received, "spent": spent, "balance": credits_balance(user=user)}
