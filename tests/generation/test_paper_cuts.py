"""Small things a new user met on the pages: each shown as it is now."""

import pytest
from django.utils import timezone

from accounts.services import credits_charge
from tests.generation.pages_support import make_task

pytestmark = pytest.mark.django_db


def test_a_new_key_is_shown_in_the_header_it_goes_in(client, user):
    client.force_login(user)
    created = client.post("/settings/keys/", {"name": "cli"})
    key = created.context["created"].key
    assert f"Authorization: Bearer {key}</code>".encode() in created.content
    assert b"Bearer ." not in created.content


def test_settings_is_translated_in_chinese(client, user):
    client.force_login(user)
    page = client.get("/settings/keys/", HTTP_ACCEPT_LANGUAGE="zh-CN").content.decode()
    assert "← 设置" in page
    assert ">Settings<" not in page


def test_the_ledger_does_not_link_to_a_deleted_task(client, user):
    client.force_login(user)
    kept = make_task(user)
    gone = make_task(user)
    credits_charge(user=user, amount=1, task=kept)
    credits_charge(user=user, amount=1, task=gone)
    gone.deleted_at = timezone.now()
    gone.save(update_fields=["deleted_at"])

    page = client.get("/credits/").content.decode()

    assert f"/history/{kept.pk}/" in page
    assert f"/history/{gone.pk}/" not in page
    assert "(deleted)" in page
    assert client.get(f"/history/{gone.pk}/").status_code == 404  # why it must not be a link
