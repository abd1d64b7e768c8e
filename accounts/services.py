"""Every movement of credits.

Each function locks the account row, appends one ledger row and moves the cached balance with
an ``F()`` expression, all in one transaction, so ``balance`` always equals the sum of the
ledger. On SQLite ``select_for_update`` is a no-op; the database is opened with
``transaction_mode=IMMEDIATE``, which serialises writers at BEGIN instead.

A ``task`` here is anything with a ``pk`` and a ``user`` (``generation``'s tasks): the ledger
keeps only its id (``CreditTransaction.task_id``), and the idempotency keys that make each
debit and refund happen once are made from it.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Sum

from core import metrics
from core.errors import DomainError

from .models import CreditAccount, CreditTransaction, User


class CreditsError(DomainError):
    code = "credits_error"


class InsufficientCreditsError(CreditsError):
    code = "insufficient_credits"
    status = 402

    def __init__(self, *, available_credits: int, required_credits: int) -> None:
        super().__init__(
            f"Insufficient credits: {required_credits} required, {available_credits} available. "
            "Nothing was charged; an administrator can grant credits (in the admin, or "
            "`manage.py grant_credits USERNAME AMOUNT`).",
            available_credits=available_credits,
            required_credits=required_credits,
        )
        self.available_credits = available_credits
        self.required_credits = required_credits


class InvalidAmountError(CreditsError, ValueError):
    code = "invalid_amount"


class ApiKeyBudgetExceededError(CreditsError):
    """The API key the request came with may not spend this much more."""

    code = "api_key_budget_exceeded"
    status = 402

    def __init__(self, *, budget: int, spent: int, required_credits: int) -> None:
        super().__init__(
            f"This API key's budget is spent: {required_credits} required, "
            f"{max(budget - spent, 0)} of its {budget} credits left.",
            credit_budget=budget,
            credits_spent=spent,
            required_credits=required_credits,
        )


@dataclass(frozen=True)
class LedgerEntry:
    transaction: CreditTransaction | None  # None: nothing was charged (an amount of 0)
    balance: int
    created: bool  # False when an earlier call with the same idempotency key already did it


def credit_account_open(*, user: User) -> CreditAccount:
    """Open the user's account with the sign-up credits (once; later calls return it)."""
    with transaction.atomic():
        account, created = CreditAccount.objects.get_or_create(user=user)
        if created and settings.AICEPS_SIGNUP_CREDITS > 0:
            _append(
                account=account,
                amount=settings.AICEPS_SIGNUP_CREDITS,
                kind=CreditTransaction.Kind.SIGNUP,
                idempotency_key=f"signup:{user.pk}",
                note="Sign-up credits",
            )
    return account


def _locked_account(user: User) -> CreditAccount:
    account = CreditAccount.objects.select_for_update().filter(user=user).first()
    if account is None:
        credit_account_open(user=user)
        account = CreditAccount.objects.select_for_update().get(user=user)
    return account


def _existing(idempotency_key: str | None) -> CreditTransaction | None:
    if not idempotency_key:
        return None
    return CreditTransaction.objects.filter(idempotency_key=idempotency_key).first()


def _append(
    *,
    account: CreditAccount,
    amount: int,
    kind: str,
    task_id=None,
    idempotency_key: str | None = None,
    note: str = "",
    created_by: User | None = None,
    api_key_id: int | None = None,
) -> CreditTransaction:
    CreditAccount.objects.filter(pk=account.pk).update(balance=F("balance") + amount)
    account.refresh_from_db(fields=["balance"])
    return CreditTransaction.objects.create(
        account=account,
        amount=amount,
        kind=kind,
        balance_after=account.balance,
        task_id=task_id,
        idempotency_key=idempotency_key,
        note=note[:500],
        created_by=created_by,
        api_key_id=api_key_id,
    )


def api_key_spent(*, api_key) -> int:
    """Credits spent with ``api_key``: its charges less their refunds, from the ledger."""
    total = CreditTransaction.objects.filter(api_key=api_key).aggregate(total=Sum("amount"))
    return -(total["total"] or 0)


def _check_budget(api_key, amount: int) -> None:
    """Called under the account's row lock, so two charges cannot both fit the last credits."""
    if api_key is None or api_key.credit_budget is None:
        return
    spent = api_key_spent(api_key=api_key)
    if spent + amount > api_key.credit_budget:
        raise ApiKeyBudgetExceededError(
            budget=api_key.credit_budget, spent=spent, required_credits=amount
        )


def _task_key_id(account: CreditAccount, task) -> int | None:
    """The API key the task was charged with (its refunds count for that key too)."""
    return (
        CreditTransaction.objects.filter(
            account=account, task_id=task.pk, kind=CreditTransaction.Kind.DEBIT
        )
        .values_list("api_key_id", flat=True)
        .first()
    )


def credits_grant(
    *,
    user: User,
    amount: int,
    note: str = "",
    granted_by: User | None = None,
    kind: str = CreditTransaction.Kind.GRANT,
    idempotency_key: str | None = None,
) -> LedgerEntry:
    """Add credits (staff grants and adjustments). ``amount`` must be positive."""
    if not isinstance(amount, int) or amount <= 0:
        raise InvalidAmountError("The amount to grant must be a positive whole number.")
    with transaction.atomic():
        account = _locked_account(user)
        if (done := _existing(idempotency_key)) is not None:
            return LedgerEntry(done, account.balance, created=False)
        entry = _append(
            account=account,
            amount=amount,
            kind=kind,
            idempotency_key=idempotency_key,
            note=note,
            created_by=granted_by,
        )
        return LedgerEntry(entry, account.balance, created=True)


def credits_charge(
    *,
    user: User,
    amount: int,
    task=None,
    note: str = "",
    idempotency_key: str | None = None,
    api_key=None,
) -> LedgerEntry:
    """Debit ``amount`` credits, or raise :class:`InsufficientCreditsError` and change nothing.

    A charge of 0 (a free task type) writes no ledger row. With a ``task`` the key defaults to
    one debit per task. With an ``api_key`` (an ``ApiKey`` with a ``credit_budget``) the
    charge must also fit what the key has left (:class:`ApiKeyBudgetExceededError`).
    """
    if not isinstance(amount, int) or amount < 0:
        raise InvalidAmountError("The amount to charge must be a whole number, 0 or more.")
    if idempotency_key is None and task is not None:
        idempotency_key = f"debit:{task.pk}"
    with transaction.atomic():
        account = _locked_account(user)
        if (done := _existing(idempotency_key)) is not None:
            return LedgerEntry(done, account.balance, created=False)
        if amount == 0:
            return LedgerEntry(None, account.balance, created=False)
        if account.balance < amount:
            raise InsufficientCreditsError(
                available_credits=account.balance, required_credits=amount
            )
        _check_budget(api_key, amount)
        entry = _append(
            account=account,
            amount=-amount,
            kind=CreditTransaction.Kind.DEBIT,
            task_id=task.pk if task is not None else None,
            idempotency_key=idempotency_key,
            note=note,
            api_key_id=api_key.pk if api_key is not None else None,
        )
        metrics.credits_charged(amount)
        return LedgerEntry(entry, account.balance, created=True)


def credits_refund(*, task, note: str = "", refunded_by: User | None = None) -> LedgerEntry | None:
    """Give back what ``task`` was charged, at most once however often it is called.

    Returns ``None`` when the task was never charged. ``refunded_by``: the staff member who
    asked for it (``created_by`` of the ledger row).
    """
    key = f"refund:{task.pk}"
    with transaction.atomic():
        account = _locked_account(task.user)
        if (done := _existing(key)) is not None:
            return LedgerEntry(done, account.balance, created=False)
        debits = CreditTransaction.objects.filter(
            account=account, task_id=task.pk, kind=CreditTransaction.Kind.DEBIT
        )
        charged = -sum(debits.values_list("amount", flat=True))
        if charged <= 0:
            return None
        return _refund_once(
            account=account,
            task=task,
            amount=charged,
            key=key,
            note=note or "Refund for a task that did not complete",
            refunded_by=refunded_by,
        )


def credits_refund_undelivered(
    *,
    task,
    amount: int,
    note: str = "",
    idempotency_key: str | None = None,
    refunded_by: User | None = None,
) -> LedgerEntry | None:
    """Give back ``amount`` of what ``task`` was charged for images it did not deliver
    (three of four made, say), at most once per key however often it is called.

    Never more than the task's debits less what was already refunded for it; ``None`` when
    there is nothing to give back. The key defaults to one such refund per task. Other
    partial refunds use their own key: the difference to a cheaper fallback provider
    (``refund-fallback:``), a staff member's refund (``refund-staff:``)."""
    if not isinstance(amount, int) or amount < 0:
        raise InvalidAmountError("The amount to refund must be a whole number, 0 or more.")
    key = idempotency_key or f"refund-undelivered:{task.pk}"
    with transaction.atomic():
        account = _locked_account(task.user)
        if (done := _existing(key)) is not None:
            return LedgerEntry(done, account.balance, created=False)
        moved = CreditTransaction.objects.filter(
            account=account,
            task_id=task.pk,
            kind__in=(CreditTransaction.Kind.DEBIT, CreditTransaction.Kind.REFUND),
        ).values_list("amount", flat=True)
        amount = min(amount, -sum(moved))
        if amount <= 0:
            return None
        return _refund_once(
            account=account,
            task=task,
            amount=amount,
            key=key,
            note=note or "Refund for images that were not delivered",
            refunded_by=refunded_by,
        )


def _refund_once(*, account, task, amount: int, key: str, note: str, refunded_by) -> LedgerEntry:
    """Append the refund under ``key`` to the locked ``account``; the existing entry when
    another connection refunded between the caller's check and this insert."""
    try:
        with transaction.atomic():
            entry = _append(
                account=account,
                amount=amount,
                kind=CreditTransaction.Kind.REFUND,
                task_id=task.pk,
                idempotency_key=key,
                note=note,
                created_by=refunded_by,
                api_key_id=_task_key_id(account, task),
            )
    except IntegrityError:  # the unique key held
        account.refresh_from_db(fields=["balance"])
        return LedgerEntry(_existing(key), account.balance, created=False)
    metrics.credits_refunded(amount)
    return LedgerEntry(entry, account.balance, created=True)
