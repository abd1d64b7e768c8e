"""Destinations on private networks: refused when given (endpoints, task webhooks, before
anything is charged) unless the deployment allows them, and checked again at delivery."""

from __future__ import annotations

import pytest

from accounts.selectors import credits_balance
from generation.models import TaskHistory
from webhooks.models import WebhookDelivery

from .test_deliveries import register, submit

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "url",
    ["http://127.0.0.1:8000/hook", "http://169.254.169.254/", "http://[::1]/", "http://10.0.0.1/"],
)
def test_private_endpoints_are_refused(api, settings, url):
    settings.AICEPS_WEBHOOK_ALLOW_PRIVATE = False

    answer = api.post("/api/v1/webhooks", {"url": url}, format="json")

    assert answer.status_code == 400
    assert answer.json()["error"]["code"] == "destination_not_public"
    assert answer.json()["error"]["param"] == "url"


def test_a_private_task_webhook_is_refused_before_charging(api, settings, user):
    settings.AICEPS_WEBHOOK_ALLOW_PRIVATE = False

    answer = submit(api, webhook="http://192.168.0.10/hook")

    assert answer.status_code == 400
    assert answer.json()["error"] | {"message": ""} == {
        "code": "destination_not_public",
        "param": "webhook",
        "message": "",
    }
    assert not TaskHistory.objects.exists() and credits_balance(user=user) == 10


def test_the_destination_is_checked_again_at_delivery(api, receiver, settings):
    register(api, receiver.hook_url)  # allowed when registered
    settings.AICEPS_WEBHOOK_ALLOW_PRIVATE = False  # …and no longer when the event comes

    submit(api)

    assert receiver.deliveries() == []
    deliveries = WebhookDelivery.objects.all()
    assert {d.status for d in deliveries} == {"refused"}
    assert all("private" in d.last_error for d in deliveries)


def test_redirects_are_not_followed(api, receiver, settings):
    settings.AICEPS_WEBHOOK_RETRY_SECONDS = [60]
    register(api, receiver.hook_url, events=["completed"])
    receiver.enqueue("hook", 302, "", headers={"Location": "http://169.254.169.254/"})

    submit(api)

    assert len(receiver.deliveries()) == 1
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.last_status_code) == ("pending", 302)


def test_an_account_with_every_endpoint_it_may_have_is_told_to_delete_one(api, user):
    from webhooks.models import WebhookEndpoint
    from webhooks.services.endpoints import MAX_ENDPOINTS

    for number in range(MAX_ENDPOINTS):
        WebhookEndpoint.objects.create(user=user, url=f"https://h{number}.example/", events=[])

    answer = api.post("/api/v1/webhooks", {"url": "http://127.0.0.1:8000/hook"}, format="json")

    assert answer.status_code == 409
    assert answer.json()["error"]["code"] == "too_many_endpoints"
    assert WebhookEndpoint.objects.filter(user=user).count() == MAX_ENDPOINTS
