"""Signed webhooks end to end: an endpoint registered through the API, tasks run through the
API, and a receiver on 127.0.0.1 that verifies every delivery with the ``standardwebhooks``
package (Standard Webhooks' own library), answers 500 to see the retries, and shows that a
replayed or altered delivery fails verification."""

from __future__ import annotations

import itertools
import json
import time
from datetime import UTC, datetime

import pytest
from standardwebhooks import Webhook, WebhookVerificationError

from accounts.selectors import credits_balance
from catalogue.providers.base import ImageRequest
from generation.models import TaskHistory
from tests.conftest import make_photo
from tests.fakes.providers import InvertImageProvider
from webhooks.models import WebhookAttempt, WebhookDelivery
from webhooks.services import webhook_deliveries_due
from webhooks.signing import signed_headers

pytestmark = pytest.mark.django_db


def register(api, url, **extra) -> dict:
    answer = api.post("/api/v1/webhooks", {"url": url, **extra}, format="json")
    assert answer.status_code == 201, answer.content
    return answer.json()


def submit(api, **fields):
    data = {"image": [make_photo()], "prompt": "黑白", "task_type": "filter", **fields}
    data["image"] = [_upload(data["image"][0])]
    return api.post("/api/v1/tasks", data, format="multipart")


def _upload(data: bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("photo.jpg", data, content_type="image/jpeg")


def verified(secret: str, request) -> dict:
    return Webhook(secret).verify(request.body, request.headers)


def test_every_delivery_verifies_with_the_endpoint_secret(api, receiver, user):
    endpoint = register(api, receiver.hook_url, description="mine")
    assert endpoint["secret"].startswith("whsec_")

    answer = submit(api)

    assert answer.status_code == 202
    task_id = answer.json()["id"]
    assert receiver.events() == ["task.started", "task.completed"]
    payloads = [verified(endpoint["secret"], request) for request in receiver.deliveries()]
    assert [p["data"]["id"] for p in payloads] == [task_id, task_id]
    assert payloads[1]["data"]["status"] == "completed"
    assert payloads[1]["data"]["generated_image_url"]
    ids = {request.headers["webhook-id"] for request in receiver.deliveries()}
    assert len(ids) == 2  # one message per event
    # Each attempt is recorded for the user: status and latency.
    deliveries = api.get(f"/api/v1/webhooks/{endpoint['id']}/deliveries").json()["results"]
    assert {d["status"] for d in deliveries} == {"delivered"}
    for delivery in deliveries:
        [attempt] = delivery["attempts"]
        assert attempt["status_code"] == 200 and attempt["latency_ms"] >= 0
    # The secret is shown once: never in lists.
    listed = api.get("/api/v1/webhooks").json()["results"]
    assert "secret" not in listed[0] and endpoint["secret"] not in json.dumps(listed)
    # The task itself is unchanged by all this.
    assert TaskHistory.objects.get(pk=task_id).status == "completed"
    assert credits_balance(user=user) == 9


def test_a_500_is_retried_with_backoff_under_the_same_id(api, receiver, settings):
    settings.AICEPS_WEBHOOK_RETRY_SECONDS = [0.2, 0.2, 0.2]
    endpoint = register(api, receiver.hook_url, events=["completed"])
    receiver.enqueue("hook", 500, {"error": "down"})
    receiver.enqueue("hook", 500, {"error": "still down"})

    submit(api)

    assert len(receiver.deliveries()) == 1
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("pending", 1, 500)
    assert webhook_deliveries_due() == 0  # not due before its backoff
    for _ in range(2):
        time.sleep(0.25)
        assert webhook_deliveries_due() == 1
    delivery.refresh_from_db()
    assert delivery.status == "delivered" and delivery.delivered_at is not None
    attempts = WebhookAttempt.objects.filter(delivery=delivery).order_by("number")
    assert [a.status_code for a in attempts] == [500, 500, 200]
    requests = receiver.deliveries()
    assert len({r.headers["webhook-id"] for r in requests}) == 1  # receivers dedupe on it
    assert len({r.body for r in requests}) == 1  # the same bytes every time
    for request in requests:  # each attempt signed anew, all valid
        assert verified(endpoint["secret"], request)["type"] == "task.completed"


def test_a_delivery_gives_up_after_the_schedule(api, receiver, settings):
    settings.AICEPS_WEBHOOK_RETRY_SECONDS = [0.05]
    register(api, receiver.hook_url, events=["completed"])
    for _ in range(2):
        receiver.enqueue("hook", 503, "no")

    submit(api)
    time.sleep(0.1)
    webhook_deliveries_due()

    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts) == ("failed", 2)
    assert webhook_deliveries_due() == 0


def test_a_replayed_or_altered_delivery_fails_verification(api, receiver):
    endpoint = register(api, receiver.hook_url, events=["completed"])
    submit(api)
    [request] = receiver.deliveries()
    secret, body, headers = endpoint["secret"], request.body, request.headers
    assert verified(secret, request)["type"] == "task.completed"

    altered = body.replace(b'"completed"', b'"failed"', 1)
    with pytest.raises(WebhookVerificationError):
        Webhook(secret).verify(altered, headers)
    later = {**headers, "webhook-timestamp": str(int(headers["webhook-timestamp"]) + 30)}
    with pytest.raises(WebhookVerificationError):  # a replay with a fresh timestamp
        Webhook(secret).verify(body, later)
    captured = signed_headers(
        secret,
        message_id=headers["webhook-id"],
        timestamp=int(time.time()) - 600,  # the same message, captured ten minutes ago
        body=body,
    )
    with pytest.raises(WebhookVerificationError, match="too old"):
        Webhook(secret).verify(body, captured)
    with pytest.raises(WebhookVerificationError):  # another endpoint's secret
        Webhook(register(api, receiver.hook_url)["secret"]).verify(body, headers)


def test_a_task_webhook_field_is_signed_with_the_users_secret(api, receiver):
    secret = api.get("/api/v1/webhooks/secret").json()["secret"]
    assert api.get("/api/v1/webhooks/secret").json()["secret"] == secret

    answer = submit(api, webhook=receiver.hook_url)

    assert answer.status_code == 202
    assert receiver.events() == ["task.started", "task.completed"]
    assert all(verified(secret, request) for request in receiver.deliveries())
    rotated = api.post("/api/v1/webhooks/secret").json()["secret"]
    assert rotated != secret and rotated.startswith("whsec_")


class SteppingProvider(InvertImageProvider):
    """Reports 40 denoising steps, 25 ms apart (a second in all)."""

    name = "stepping"

    def generate(self, request: ImageRequest):
        for step in range(1, 41):
            request.progress("denoising", step=step, steps=40)
            time.sleep(0.025)
        return super().generate(request)


@pytest.mark.django_db(transaction=True)  # events built as they happen, as in a worker
def test_progress_events_come_when_asked_at_most_every_half_second(api, receiver, settings):
    settings.AICEPS_IMAGE_PROVIDER = "tests.webhooks.test_deliveries.SteppingProvider"
    endpoint = register(api, receiver.hook_url, progress=True)

    submit(api)

    events = receiver.events()
    assert events[0] == "task.started" and events[-1] == "task.completed"
    started = verified(endpoint["secret"], receiver.deliveries()[0])
    assert started["data"]["status"] == "processing"
    progress = [
        verified(endpoint["secret"], request)
        for request in receiver.deliveries()
        if request.json["type"] == "task.progress"
    ]
    assert 1 <= len(progress) <= 4
    times = [datetime.fromisoformat(p["timestamp"]) for p in progress]
    assert all((b - a).total_seconds() >= 0.5 for a, b in itertools.pairwise(times))
    assert all(p["data"]["progress"]["phase"] == "denoising" for p in progress)
    # An endpoint that did not ask gets none.
    receiver.reset()
    api.patch(f"/api/v1/webhooks/{endpoint['id']}", {"active": False}, format="json")
    register(api, receiver.hook_url)
    submit(api)
    assert receiver.events() == ["task.started", "task.completed"]


def test_an_unreachable_destination_never_holds_up_the_task(api, receiver, user):
    register(api, "http://127.0.0.1:9/hook")  # the discard port: nothing listens

    answer = submit(api)

    task = TaskHistory.objects.get(pk=answer.json()["id"])
    assert task.status == "completed" and credits_balance(user=user) == 9
    delivery = WebhookDelivery.objects.filter(event="completed").get()
    assert delivery.status == "pending" and delivery.next_attempt_at is not None
    assert "Connection" in delivery.last_error


def test_deleting_the_task_deletes_its_deliveries(api, receiver):
    register(api, receiver.hook_url)
    task_id = submit(api).json()["id"]
    assert WebhookDelivery.objects.filter(task_id=task_id).count() == 2

    assert api.delete(f"/api/v1/tasks/{task_id}").status_code == 204

    assert WebhookDelivery.objects.filter(task_id=task_id).count() == 0


def test_endpoints_are_managed_with_the_account_token_only(api, user, receiver):
    from accounts.key_services import api_key_create

    key = api_key_create(user=user, name="ci").key
    endpoint = register(api, receiver.hook_url)
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")

    refused = api.post("/api/v1/webhooks", {"url": receiver.hook_url}, format="json")
    secret = api.get("/api/v1/webhooks/secret")
    deliveries = api.get("/api/v1/webhooks/deliveries")

    assert refused.status_code == 403 and refused.json()["error"]["code"] == "api_key_not_allowed"
    assert secret.status_code == 403
    assert deliveries.status_code == 200
    assert api.delete(f"/api/v1/webhooks/{endpoint['id']}").status_code == 403


def test_timestamps_are_the_attempts_own(api, receiver):
    endpoint = register(api, receiver.hook_url, events=["completed"])
    submit(api)
    [request] = receiver.deliveries()
    sent = int(request.headers["webhook-timestamp"])
    assert abs(sent - datetime.now(UTC).timestamp()) < 10
    assert verified(endpoint["secret"], request)


@pytest.mark.parametrize("query", ["task=", "task=not-a-uuid", "endpoint=7", "page_size=0"])
def test_delivery_filters_are_checked(api, query):
    answer = api.get(f"/api/v1/webhooks/deliveries?{query}")
    assert answer.status_code == 400, answer.content
    assert answer.json()["error"]["param"] == query.split("=")[0]


def test_a_patch_changes_only_what_it_names(api, receiver):
    endpoint = register(api, receiver.hook_url)
    path = f"/api/v1/webhooks/{endpoint['id']}"
    assert api.patch(path, {}, format="json").json()["active"] is True
    assert api.patch(path, {"active": False}, format="json").json()["active"] is False
    assert api.patch(path, {}, format="json").json()["active"] is False
    refused = api.patch(path, {"active": "sometimes"}, format="json")
    assert refused.status_code == 400 and refused.json()["error"]["param"] == "active"
