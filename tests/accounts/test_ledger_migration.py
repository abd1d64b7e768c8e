"""A database made before the ledger named tasks by id has a foreign key from
``accounts_credittransaction.task_id`` to generation's tasks; migration 0006 drops it and
touches no value (on SQLite by rebuilding the table). A database made after has none, and
0006 does nothing there."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps
from django.db import connection, models

from accounts.models import CreditTransaction
from accounts.services import credits_charge, credits_refund
from generation.models import TaskHistory
from tests.generation.pages_support import make_task

pytestmark = pytest.mark.django_db(transaction=True)

drop_task_foreign_key = importlib.import_module(
    "accounts.migrations.0006_ledger_task_id"
).drop_task_foreign_key


def task_id_constraints() -> list[tuple]:
    with connection.cursor() as cursor:
        found = connection.introspection.get_constraints(cursor, CreditTransaction._meta.db_table)
    return sorted(
        (bool(c["index"]), c["foreign_key"] or ())
        for c in found.values()
        if c["columns"] == ["task_id"]
    )


def migrate_0006() -> None:
    with connection.schema_editor() as editor:
        drop_task_foreign_key(apps, editor)


def put_back_the_old_foreign_key() -> None:
    """``task_id`` as 0002 to 0005 used to make it: a ForeignKey to TaskHistory."""
    old = models.ForeignKey(TaskHistory, on_delete=models.SET_NULL, null=True, blank=True)
    old.set_attributes_from_name("task")
    old.model = CreditTransaction
    with connection.schema_editor() as editor:
        editor.alter_field(CreditTransaction, CreditTransaction._meta.get_field("task_id"), old)


def test_0006_drops_the_old_foreign_key_and_keeps_every_task_id(user):
    made_after = task_id_constraints()
    assert made_after == [(True, ())]  # indexed, no foreign key
    kept, refunded = make_task(user), make_task(user)
    credits_charge(user=user, amount=2, task=kept)
    credits_charge(user=user, amount=3, task=refunded)
    credits_refund(task=refunded)
    rows = sorted(CreditTransaction.objects.values_list("pk", "kind", "amount", "task_id"))
    try:
        put_back_the_old_foreign_key()
        assert (TaskHistory._meta.db_table, "id") in [fk for _, fk in task_id_constraints()]

        migrate_0006()

        assert task_id_constraints() == made_after
        assert sorted(CreditTransaction.objects.values_list("pk", "kind", "amount", "task_id")) == (
            rows
        )
        assert {row[3] for row in rows} == {None, kept.pk, refunded.pk}
        migrate_0006()  # again, or on a database made after: nothing to do
        assert task_id_constraints() == made_after
    finally:
        migrate_0006()  # the next tests get the schema the migrations make
