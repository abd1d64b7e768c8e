from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import IntegrityError, connection, transaction

from accounts.models import CreditAccount, CreditTransaction
from accounts.selectors import credits_balance, credits_ledger_sum
from accounts.services import (
    InsufficientCreditsError,
    InvalidAmountError,
    credits_charge,
    credits_grant,
    credits_refund,
)
from generation.models import TaskHistory


def make_task(user, **fields):
    return TaskHistory.objects.create(user=user, prompt="黑白", **fields)


@pytest.mark.django_db
def test_new_user_gets_signup_credits_through_the_ledger(user, settings):
    assert credits_balance(user=user) == settings.AICEPS_SIGNUP_CREDITS == 10
    row = CreditTransaction.objects.get(account__user=user)
    assert (row.kind, row.amount, row.balance_after) == ("signup", 10, 10)


@pytest.mark.django_db
def test_signup_credits_are_configurable(make_user, settings):
    settings.AICEPS_SIGNUP_CREDITS = 3
    assert credits_balance(user=make_user()) == 3


@pytest.mark.django_db
def test_charge_debits_and_records_the_task(user):
    task = make_task(user)
    entry = credits_charge(user=user, amount=4, task=task)
    assert entry.balance == 6 == credits_balance(user=user)
    assert entry.transaction.kind == "debit"
    assert entry.transaction.amount == -4
    assert entry.transaction.task_id == task.pk
    assert credits_ledger_sum(user=user) == 6


@pytest.mark.django_db
def test_charge_is_once_per_task(user):
    task = make_task(user)
    credits_charge(user=user, amount=2, task=task)
    again = credits_charge(user=user, amount=2, task=task)
    assert again.created is False
    assert credits_balance(user=user) == 8


@pytest.mark.django_db
def test_insufficient_credits_carries_both_numbers_and_changes_nothing(user):
    with pytest.raises(InsufficientCreditsError) as caught:
        credits_charge(user=user, amount=11)
    assert caught.value.available_credits == 10
    assert caught.value.required_credits == 11
    assert caught.value.code == "insufficient_credits"
    assert credits_balance(user=user) == 10
    assert CreditTransaction.objects.filter(account__user=user).count() == 1


@pytest.mark.django_db
def test_refund_happens_once_however_often_it_is_called(user):
    task = make_task(user)
    credits_charge(user=user, amount=3, task=task)
    first = credits_refund(task=task)
    second = credits_refund(task=task)
    assert first.created and not second.created
    assert credits_balance(user=user) == 10 == credits_ledger_sum(user=user)
    assert CreditTransaction.objects.filter(task_id=task.pk, kind="refund").count() == 1


@pytest.mark.django_db
def test_refund_of_an_uncharged_task_does_nothing(user):
    assert credits_refund(task=make_task(user)) is None
    assert credits_balance(user=user) == 10


@pytest.mark.django_db
def test_grant_adds_credits_with_note_and_author(user, make_user):
    staff = make_user("staff", is_staff=True)
    entry = credits_grant(user=user, amount=5, note="welcome", granted_by=staff)
    assert entry.balance == 15
    assert (entry.transaction.note, entry.transaction.created_by) == ("welcome", staff)


@pytest.mark.django_db
@pytest.mark.parametrize("amount", [0, -1, 1.5])
def test_grant_rejects_non_positive_or_fractional_amounts(user, amount):
    with pytest.raises(InvalidAmountError):
        credits_grant(user=user, amount=amount)


@pytest.mark.django_db
def test_database_refuses_a_negative_balance(user):
    with pytest.raises(IntegrityError), transaction.atomic():
        CreditAccount.objects.filter(user=user).update(balance=-1)


@pytest.mark.django_db(transaction=True)
def test_thirty_concurrent_charges_against_ten_credits(user):
    def charge(_):
        try:
            credits_charge(user=user, amount=1, note="concurrent")
            return "ok"
        except InsufficientCreditsError:
            return "short"
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=30) as pool:
        outcomes = list(pool.map(charge, range(30)))
    assert outcomes.count("ok") == 10
    assert outcomes.count("short") == 20
    assert credits_balance(user=user) == 0 == credits_ledger_sum(user=user)


@pytest.mark.django_db(transaction=True)
def test_concurrent_refunds_of_one_task_refund_once(user):
    task = make_task(user)
    credits_charge(user=user, amount=5, task=task)

    def refund(_):
        try:
            return credits_refund(task=task).created
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=8) as pool:
        created = list(pool.map(refund, range(8)))
    assert created.count(True) == 1
    assert credits_balance(user=user) == 10 == credits_ledger_sum(user=user)


@pytest.mark.django_db
def test_undelivered_images_are_refunded_once_and_never_more_than_charged(user):
    from accounts.services import credits_refund_undelivered

    task = make_task(user)
    credits_charge(user=user, amount=6, task=task)
    first = credits_refund_undelivered(task=task, amount=4)
    again = credits_refund_undelivered(task=task, amount=4)
    assert first.created and not again.created
    assert credits_balance(user=user) == 8 == credits_ledger_sum(user=user)
    other = make_task(user)
    credits_charge(user=user, amount=2, task=other)
    capped = credits_refund_undelivered(task=other, amount=5, idempotency_key="cap")
    assert capped.transaction.amount == 2  # what was charged, no more
    assert credits_refund_undelivered(task=other, amount=1, idempotency_key="more") is None
    with pytest.raises(InvalidAmountError):
        credits_refund_undelivered(task=task, amount=-1)
