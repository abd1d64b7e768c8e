"""Users that existed before identities had a table keep their Supabase ``sub``."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from accounts.identities import identity_get, identity_user


@pytest.mark.django_db(transaction=True)
def test_the_migration_copies_legacy_external_ids():
    executor = MigrationExecutor(connection)
    executor.migrate([("accounts", "0002_initial")])
    old = executor.loader.project_state([("accounts", "0002_initial")]).apps
    subject = "legacy-" + "y" * 200
    old.get_model("accounts", "User").objects.create(username="legacy", external_id=subject)
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
    identity = identity_get(provider="supabase", subject=subject)
    assert identity is not None and identity.user.username == "legacy"
    assert identity_user(provider="supabase", subject=subject) == identity.user
