"""The ledger names a task by its id, no longer by a foreign key to ``generation``'s table.

0002 now writes ``task_id`` as a plain indexed UUID column; a database migrated before this
change has the same column (same name, type, index and values) with a foreign key on it,
which this migration drops. Nothing else changes and no row is touched: every ``task_id``
keeps its value. On SQLite a constraint goes by rebuilding the table (rows copied)."""

from django.db import migrations


def drop_task_foreign_key(apps, schema_editor):
    model = apps.get_model("accounts", "CreditTransaction")
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, model._meta.db_table)
    names = [
        name
        for name, constraint in constraints.items()
        if constraint["foreign_key"] and constraint["columns"] == ["task_id"]
    ]
    if not names:
        return  # made after the change: the column never had a foreign key
    if connection.vendor == "sqlite":
        schema_editor._remake_table(model)  # as the state has it: no foreign key
    else:
        for name in names:
            schema_editor.execute(schema_editor._delete_fk_sql(model, name))


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0005_refresh_token_reuse"),
    ]

    operations = [
        migrations.RunPython(drop_task_foreign_key, migrations.RunPython.noop, elidable=False),
    ]
