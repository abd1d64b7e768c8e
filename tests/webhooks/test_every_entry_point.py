"""The per-task webhook is honoured on every entry point that creates tasks (the ``webhook``
field, or the ``X-AicePS-Webhook`` header), or refused with a clear error before anything is
charged; never silently ignored."""

from __future__ import annotations

import io
import json

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient
from standardwebhooks import Webhook

from accounts.selectors import credits_balance
from generation.models import TaskHistory
from tests.conftest import make_photo
from webhooks.services import webhook_secret_get

pytestmark = pytest.mark.django_db(transaction=True)  # the worker's deliveries are committed


def photo():
    file = io.BytesIO(make_photo())
    file.name = "photo.jpg"
    return file


@pytest.fixture
def client(user):
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {Token.objects.create(user=user).key}")
    return api


def seed(client, **fields):
    return client.post(
        "/api/custom-image-generation",
        {"image": photo(), "prompt": "黑白", **fields},
        format="multipart",
    )


def edit_image(client, **fields):
    return client.post(
        "/api/edit-image", {"image": photo(), "prompt": "黑白", **fields}, format="multipart"
    )


def generate_image(client, **fields):
    return client.post("/api/generate-image", {"prompt": "a fox", **fields}, format="json")


def batch(client, **fields):
    return client.post(
        "/api/generate-batch-images",
        {"image": photo(), "prompts": json.dumps(["sepia"]), **fields},
        format="multipart",
    )


def comic_panel(client, **fields):
    return client.post(
        "/api/api/text-to-comic/nanobanana/generate-comic",
        {"description": "a fox in the snow", **fields},
        format="json",
    )


def v1_tasks(client, **fields):
    return client.post(
        "/api/v1/tasks", {"image": photo(), "prompt": "黑白", **fields}, format="multipart"
    )


ENTRY_POINTS = [seed, edit_image, generate_image, batch, comic_panel, v1_tasks]


@pytest.mark.parametrize("entry", ENTRY_POINTS, ids=lambda entry: entry.__name__)
@pytest.mark.parametrize("how", ["field", "header"])
def test_the_webhook_is_delivered_from_every_entry_point(client, user, receiver, entry, how):
    if how == "field":
        response = entry(client, webhook=receiver.hook_url)
    else:
        client.credentials(
            HTTP_AUTHORIZATION=client._credentials["HTTP_AUTHORIZATION"],
            HTTP_X_AICEPS_WEBHOOK=receiver.hook_url,
        )
        response = entry(client)
    assert response.status_code in (200, 202), response.content[:300]
    task = TaskHistory.objects.get(user=user)
    assert task.webhook_url == receiver.hook_url
    assert receiver.events() == ["task.started", "task.completed"]
    delivered = receiver.deliveries()[-1]
    event = Webhook(webhook_secret_get(user=user)).verify(delivered.body, delivered.headers)
    assert event["data"]["id"] == str(task.pk)


@pytest.mark.parametrize("entry", ENTRY_POINTS, ids=lambda entry: entry.__name__)
def test_a_private_webhook_is_refused_before_anything_is_charged(
    client, user, receiver, entry, settings
):
    settings.AICEPS_WEBHOOK_ALLOW_PRIVATE = False
    response = entry(client, webhook=receiver.hook_url)
    body = response.json()
    if entry is batch:  # each prompt answers on its own
        assert response.status_code == 200
        assert body["images"][0]["code"] == "destination_not_public"
    else:
        assert response.status_code == 400, body
        error = body["error"]
        code = error["code"] if isinstance(error, dict) else body["code"]
        assert code == "destination_not_public"
    assert not TaskHistory.objects.exists()
    assert credits_balance(user=user) == 10
    assert receiver.deliveries() == []
