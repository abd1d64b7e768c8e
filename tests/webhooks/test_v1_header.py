"""``/v1`` (OpenAI's Images API) takes a task's webhook as a header: the official client
sends it with ``extra_headers`` to AicePS served live."""

from __future__ import annotations

import openai
import pytest
from rest_framework.authtoken.models import Token
from standardwebhooks import Webhook

from generation.models import TaskHistory
from webhooks.services import webhook_secret_get

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_openai_client_sends_the_webhook_header(asgi_server, receiver, user):
    client = openai.OpenAI(
        base_url=f"{asgi_server.url}/v1",
        api_key=Token.objects.create(user=user).key,
        max_retries=0,
    )
    secret = webhook_secret_get(user=user)

    response = client.images.generate(
        prompt="a lighthouse",
        size="256x256",
        extra_headers={"X-AicePS-Webhook": receiver.hook_url},
    )

    assert response.data[0].b64_json
    task = TaskHistory.objects.get(user=user)
    assert task.webhook_url == receiver.hook_url and not task.webhook_progress
    assert receiver.events() == ["task.started", "task.completed"]
    completed = Webhook(secret).verify(
        receiver.deliveries()[-1].body, receiver.deliveries()[-1].headers
    )
    assert completed["data"]["id"] == str(task.pk)


def test_a_private_webhook_is_refused_before_anything_is_charged(
    asgi_server, receiver, user, settings
):
    settings.AICEPS_WEBHOOK_ALLOW_PRIVATE = False
    client = openai.OpenAI(
        base_url=f"{asgi_server.url}/v1",
        api_key=Token.objects.create(user=user).key,
        max_retries=0,
    )

    with pytest.raises(openai.BadRequestError) as caught:
        client.images.generate(
            prompt="a lighthouse", extra_headers={"X-AicePS-Webhook": receiver.hook_url}
        )

    error = caught.value.body
    assert error["code"] == "destination_not_public" and error["param"] == "webhook"
    assert not TaskHistory.objects.filter(user=user).exists()
    assert receiver.deliveries() == []
