"""OpenAI's error envelope on every status, as the official client's exception classes, and
``/v1/models``."""

from __future__ import annotations

import openai
import pytest
from django.core.cache import cache

from accounts.selectors import credits_balance
from generation.models import TaskHistory
from tests.fakes.fixtures import openai_server, openai_service  # noqa: F401
from tests.fakes.http import http

from .conftest import photo_file

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


@pytest.fixture(autouse=True)
def _empty_throttle_cache():
    cache.clear()
    yield
    cache.clear()


def envelope(error: openai.APIStatusError) -> dict:
    assert set(error.body) >= {"message", "type", "param", "code"}, error.body
    return error.body


def test_400_is_bad_request_error(client, user):
    with pytest.raises(openai.BadRequestError) as caught:
        client.images.generate(prompt="x", n=0)
    body = envelope(caught.value)
    assert (body["type"], body["param"], body["code"]) == (
        "invalid_request_error",
        "n",
        "invalid_value",
    )
    with pytest.raises(openai.BadRequestError) as caught:
        client.images.edit(image=photo_file(), prompt="x", size="64x5000")
    assert envelope(caught.value)["param"] == "size"


def test_400_names_the_model_when_it_cannot_do_the_task(client, settings, user):
    settings.AICEPS_IMAGE_PROVIDER = "offline"  # it edits photos; it cannot draw from text
    with pytest.raises(openai.BadRequestError) as caught:
        client.images.generate(prompt="a cat")
    body = envelope(caught.value)
    assert (body["param"], body["code"]) == ("model", "unsupported_task")
    assert credits_balance(user=user) == 10


def test_401_is_authentication_error(asgi_server):
    bad = openai.OpenAI(base_url=f"{asgi_server.url}/v1", api_key="wrong", max_retries=0)
    with pytest.raises(openai.AuthenticationError) as caught:
        bad.images.generate(prompt="a cat")
    assert envelope(caught.value)["type"] == "authentication_error"
    with pytest.raises(openai.AuthenticationError):
        bad.models.list()


def test_402_is_a_status_error_of_type_insufficient_quota(client, settings, user):
    settings.AICEPS_TASK_COSTS = {"default": 50}
    with pytest.raises(openai.APIStatusError) as caught:
        client.images.generate(prompt="a cat")
    error = caught.value
    assert type(error) is openai.APIStatusError and error.status_code == 402
    body = envelope(error)
    assert (body["type"], body["code"]) == ("insufficient_quota", "insufficient_credits")
    assert (body["required_credits"], body["available_credits"]) == (50, 10)
    assert "Insufficient credits" in error.message
    assert not TaskHistory.objects.exists()


def test_404_is_not_found_error(client, asgi_server, token):
    with pytest.raises(openai.NotFoundError) as caught:
        client.images.generate(prompt="a cat", model="no-such-model")
    body = envelope(caught.value)
    assert (body["type"], body["param"], body["code"]) == (
        "not_found_error",
        "model",
        "model_not_found",
    )
    with pytest.raises(openai.NotFoundError):
        client.images.generate(prompt="a cat", model="gpt-image-2")  # OpenAI is not set up
    with pytest.raises(openai.NotFoundError):
        client.models.retrieve("no-such-model")
    answer = http(asgi_server.port, "GET", "/v1/nothing/here")
    assert answer.status == 404 and answer.json["error"]["type"] == "not_found_error"


def test_429_is_rate_limit_error(client, settings, user):
    settings.AICEPS_THROTTLE_SUBMIT = "1/min"
    client.images.generate(prompt="a cat")
    with pytest.raises(openai.RateLimitError) as caught:
        client.images.generate(prompt="a cat")
    assert envelope(caught.value)["type"] == "rate_limit_error"
    assert int(caught.value.response.headers["retry-after"]) >= 1
    assert credits_balance(user=user) == 9


def test_5xx_is_internal_server_error_and_refunded(client, settings, user, openai_server):  # noqa: F811
    settings.OPENAI_API_KEY = "sk-test"
    settings.OPENAI_BASE_URL = openai_server.base_url
    for _ in range(3):  # every attempt of the pipeline's retries
        openai_server.enqueue_error("generations", 500, "upstream down", type_="server_error")
    with pytest.raises(openai.InternalServerError) as caught:
        client.images.generate(prompt="a cat", model="openai")
    assert caught.value.status_code == 502
    assert envelope(caught.value)["type"] == "server_error"
    assert credits_balance(user=user) == 10


def test_a_timed_out_wait_tells_the_client_not_to_resubmit(asgi_server, token, settings, user):
    settings.AICEPS_SYNC_WAIT_SECONDS = 0.2
    settings.AICEPS_IMAGE_PROVIDER = "tests.fakes.providers.SlowInvertImageProvider"
    retrying = openai.OpenAI(base_url=f"{asgi_server.url}/v1", api_key=token, max_retries=2)
    from django_q.conf import Conf

    Conf.SYNC, sync = False, Conf.SYNC
    try:
        with pytest.raises(openai.InternalServerError) as caught:
            retrying.images.generate(prompt="a cat")
    finally:
        Conf.SYNC = sync
    assert caught.value.status_code == 504
    assert caught.value.response.headers["x-should-retry"] == "false"
    assert TaskHistory.objects.count() == 1  # the client did not submit again


def test_models_lists_what_this_server_can_run(client, settings):
    settings.AICEPS_DIFFUSERS_MODEL = ""
    ids = [model.id for model in client.models.list()]
    assert ids == ["offline"]  # nothing but the offline editor is set up
    settings.GEMINI_API_KEY = "test-key"
    settings.AICEPS_GEMINI_IMAGE_MODEL = "gemini-2.5-flash-image"
    models = {model.id: model for model in client.models.list()}
    assert set(models) == {"gemini", "gemini-2.5-flash-image", "offline"}
    gemini = client.models.retrieve("gemini-2.5-flash-image")
    assert gemini.owned_by == "aiceps:gemini" and gemini.object == "model"
    about = models["offline"].model_extra["aiceps"]
    assert about["text_to_image"] is False and about["edit"] is True
