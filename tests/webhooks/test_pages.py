"""The settings pages and the admin's views of webhooks."""

from __future__ import annotations

import pytest

from webhooks.models import WebhookDelivery, WebhookEndpoint

from .test_deliveries import register, submit

pytestmark = pytest.mark.django_db


def test_the_settings_page_links_keys_webhooks_and_data(client, user, settings):
    settings.AICEPS_RETENTION_DAYS = 30
    client.force_login(user)

    page = client.get("/settings/")

    assert page.status_code == 200
    for text in (b"/settings/keys/", b"/settings/webhooks/", b"/settings/export/", b"30 days"):
        assert text in page.content


def test_the_webhooks_page_shows_a_new_secret_once(client, user, receiver):
    client.force_login(user)

    created = client.post(
        "/settings/webhooks/", {"url": receiver.hook_url, "events": ["completed"]}
    )

    endpoint = WebhookEndpoint.objects.get(user=user)
    assert created.status_code == 200 and endpoint.secret.encode() in created.content
    assert endpoint.events == ["completed"]
    again = client.get("/settings/webhooks/")
    assert endpoint.secret.encode() not in again.content
    refused = client.post("/settings/webhooks/", {"url": "ftp://nope"})
    assert refused.status_code == 400
    client.post(f"/settings/webhooks/{endpoint.pk}/delete/")
    assert not WebhookEndpoint.objects.exists()


def test_staff_see_deliveries_and_attempts_but_no_secrets(api, receiver, client, admin_user):
    endpoint = register(api, receiver.hook_url)
    submit(api)
    client.force_login(admin_user)

    listing = client.get("/admin/webhooks/webhookdelivery/")
    delivery = WebhookDelivery.objects.first()
    detail = client.get(f"/admin/webhooks/webhookdelivery/{delivery.pk}/change/")
    endpoints = client.get(f"/admin/webhooks/webhookendpoint/{endpoint['id']}/change/")

    assert listing.status_code == 200 and b"delivered" in listing.content
    assert detail.status_code == 200 and b"latency" in detail.content.lower()
    assert endpoints.status_code == 200 and endpoint["secret"].encode() not in endpoints.content
