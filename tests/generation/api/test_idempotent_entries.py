"""``Idempotency-Key`` means the same on the seed endpoint and ``/v1/images/*`` as on
``/api/v1/tasks``: a client whose answer was lost retries with the same key and gets the task
the first call created, charged once; the key with another request is 409."""

from __future__ import annotations

import openai
import pytest
import requests
from django_q.conf import Conf
from rest_framework.authtoken.models import Token

from accounts.selectors import credits_balance, credits_ledger_sum
from generation.models import TaskHistory
from generation.services import task_run
from tests.conftest import make_photo

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def token(user):
    return Token.objects.create(user=user).key


@pytest.fixture
def queued(monkeypatch):
    """Tasks wait in the queue (nothing runs them) until the test runs them itself."""
    monkeypatch.setattr(Conf, "SYNC", False)


def _seed(server, token, key, prompt="黑白", photo=None, timeout=30.0):
    return requests.post(
        f"{server.url}/api/custom-image-generation",
        headers={"Authorization": f"Bearer {token}", "Idempotency-Key": key},
        files={"image": ("photo.jpg", photo or make_photo(), "image/jpeg")},
        data={"prompt": prompt},
        timeout=timeout,
    )


def _run_pending() -> None:
    for task_id in TaskHistory.objects.filter(status="pending").values_list("pk", flat=True):
        task_run(task_id=task_id)


def test_seed_retry_after_a_lost_answer_gets_the_same_task_charged_once(
    asgi_server, token, user, queued, settings
):
    settings.AICEPS_SYNC_WAIT_SECONDS = 30
    photo = make_photo()
    with pytest.raises(requests.ReadTimeout):  # the answer is lost: the client gave up
        _seed(asgi_server, token, "order-42", photo=photo, timeout=0.5)
    assert TaskHistory.objects.count() == 1
    assert credits_balance(user=user) == 9
    _run_pending()  # the task went on without its client

    retry = _seed(asgi_server, token, "order-42", photo=photo)
    assert retry.status_code == 200, retry.json()
    body = retry.json()
    task = TaskHistory.objects.get()
    assert body["task_id"] == str(task.pk) and body["success"] is True
    assert requests.get(body["generated_image_url"], timeout=10).status_code == 200
    assert credits_balance(user=user) == 9 == credits_ledger_sum(user=user)

    other = _seed(asgi_server, token, "order-42", prompt="sepia", photo=photo)
    assert other.status_code == 409
    assert other.json()["error"]["code"] == "idempotency_key_reused"
    assert TaskHistory.objects.count() == 1 and credits_balance(user=user) == 9


def test_seed_without_a_key_creates_a_task_per_call(asgi_server, token, user):
    for _ in range(2):
        response = requests.post(
            f"{asgi_server.url}/api/custom-image-generation",
            headers={"Authorization": f"Bearer {token}"},
            files={"image": ("photo.jpg", make_photo(), "image/jpeg")},
            data={"prompt": "黑白"},
            timeout=30,
        )
        assert response.status_code == 200
    assert TaskHistory.objects.count() == 2 and credits_balance(user=user) == 8


def test_too_long_a_key_is_refused_before_anything_is_charged(asgi_server, token, user):
    response = _seed(asgi_server, token, "k" * 256)
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_idempotency_key"
    assert TaskHistory.objects.count() == 0 and credits_balance(user=user) == 10


def _client(server, token, timeout=30.0):
    return openai.OpenAI(base_url=f"{server.url}/v1", api_key=token, max_retries=0, timeout=timeout)


def test_images_edit_retry_after_a_lost_answer_gets_the_same_images(
    asgi_server, token, user, queued, settings
):
    settings.AICEPS_SYNC_WAIT_SECONDS = 30
    photo = ("photo.png", make_photo(fmt="PNG"), "image/png")
    key = {"Idempotency-Key": "edit-7"}
    with pytest.raises(openai.APITimeoutError):
        _client(asgi_server, token, timeout=0.5).images.edit(
            image=photo, prompt="invert", extra_headers=key
        )
    _run_pending()
    result = _client(asgi_server, token).images.with_raw_response.edit(
        image=photo, prompt="invert", extra_headers=key
    )
    task = TaskHistory.objects.get()
    assert result.headers["X-AicePS-Task-Id"] == str(task.pk)
    images = result.parse()
    assert len(images.data) == 1 and images.data[0].b64_json
    assert credits_balance(user=user) == 9 == credits_ledger_sum(user=user)

    with pytest.raises(openai.ConflictError) as caught:
        _client(asgi_server, token).images.edit(
            image=photo, prompt="something else", extra_headers=key
        )
    assert caught.value.body["code"] == "idempotency_key_reused"
    assert TaskHistory.objects.count() == 1


def test_images_generate_with_a_key_twice_is_one_task(asgi_server, token, user):
    client = _client(asgi_server, token)
    key = {"Idempotency-Key": "gen-1"}
    first = client.images.with_raw_response.generate(prompt="a cat", extra_headers=key)
    second = client.images.with_raw_response.generate(prompt="a cat", extra_headers=key)
    assert first.headers["X-AicePS-Task-Id"] == second.headers["X-AicePS-Task-Id"]
    assert first.parse().data[0].b64_json == second.parse().data[0].b64_json
    assert TaskHistory.objects.count() == 1
    assert credits_balance(user=user) == 9


def test_the_key_is_documented_on_every_entry_point():
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    for path in (
        "/api/v1/tasks",
        "/api/custom-image-generation",
        "/v1/images/edits",
        "/v1/images/generations",
    ):
        names = [p["name"] for p in schema["paths"][path]["post"].get("parameters", [])]
        assert "Idempotency-Key" in names, path
