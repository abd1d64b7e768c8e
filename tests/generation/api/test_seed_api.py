import io
from concurrent.futures import ThreadPoolExecutor
from urllib.request import urlopen

import pytest
import requests
from rest_framework.authtoken.models import Token

from accounts.selectors import credits_balance, credits_ledger_sum
from accounts.services import credits_charge
from generation.models import TaskHistory
from tests.conftest import make_photo

SEED_KEYS = {
    "success",
    "message",
    "task_id",
    "original_image_url",
    "generated_image_url",
    "professional_prompt",
    "processing_time",
    "user_prompt",
    "credits_remaining",
}


def upload(data=None):
    file = io.BytesIO(data or make_photo())
    file.name = "photo.jpg"
    return file


@pytest.fixture
def committed_api(token):
    """Seed requests wait for their task, so they need real commits (the queue runs inline)."""
    from rest_framework.test import APIClient

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return client


@pytest.mark.django_db(transaction=True)
def test_seed_endpoint_answers_the_seed_json(committed_api, user):
    api = committed_api
    response = api.post(
        "/api/custom-image-generation", {"image": upload(), "prompt": "黑白"}, format="multipart"
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert set(body) >= SEED_KEYS
    assert body["success"] is True
    assert body["user_prompt"] == "黑白"
    assert body["credits_remaining"] == 9
    assert isinstance(body["processing_time"], float)
    assert body["generated_image_url"].startswith("http://testserver/files/task-history/")
    # The signed URL downloads without any credentials, like the seed's public S3 URL.
    download = api.__class__().get(body["generated_image_url"])
    assert download.status_code == 200
    assert download["Content-Type"] == "image/png"


@pytest.mark.django_db(transaction=True)
def test_seed_endpoint_failure_keeps_message_and_refunds(committed_api, user, settings):
    api = committed_api
    settings.AICEPS_IMAGE_PROVIDER = "tests.fakes.providers.FailingImageProvider"
    response = api.post(
        "/api/custom-image-generation", {"image": upload(), "prompt": "黑白"}, format="multipart"
    )
    assert response.status_code == 422
    body = response.json()
    assert body["success"] is False
    assert body["error"]["code"] == "content_blocked"
    assert "refused" in body["message"]
    assert body["credits_remaining"] == 10


@pytest.mark.django_db
def test_seed_endpoint_answers_202_when_the_task_is_still_running(user, token, settings):
    from rest_framework.test import APIClient

    settings.AICEPS_SYNC_WAIT_SECONDS = 0.2
    client = APIClient()  # on-commit hooks do not run here, so nothing picks the task up
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    response = client.post(
        "/api/custom-image-generation", {"image": upload(), "prompt": "x"}, format="multipart"
    )
    assert response.status_code == 202
    body = response.json()
    assert body["task_id"] and body["status_url"].endswith(f"/api/v1/tasks/{body['task_id']}")
    assert body["success"] is False


@pytest.mark.django_db
def test_seed_errors_keep_the_top_level_message(anonymous_api):
    response = anonymous_api.post("/api/custom-image-generation", {"prompt": "x"})
    assert response.status_code == 401
    body = response.json()
    assert body["message"] == body["error"]["message"]


@pytest.mark.django_db
def test_seed_health(anonymous_api):
    response = anonymous_api.get("/api/custom-image-generation/health")
    assert response.status_code == 200
    assert response.json()["status"] == "healthy"


@pytest.mark.django_db(transaction=True)
def test_twenty_concurrent_submissions_with_five_credits(live_server, user):
    credits_charge(user=user, amount=5, note="leave five")
    token = Token.objects.create(user=user).key
    photo = make_photo()

    def submit(_):
        return requests.post(
            f"{live_server.url}/api/v1/tasks",
            headers={"Authorization": f"Bearer {token}"},
            files={"image": ("photo.jpg", photo, "image/jpeg")},
            data={"prompt": "黑白"},
            timeout=60,
        ).status_code

    with ThreadPoolExecutor(max_workers=20) as pool:
        codes = list(pool.map(submit, range(20)))
    assert sorted(codes) == [202] * 5 + [402] * 15
    assert credits_balance(user=user) == 0 == credits_ledger_sum(user=user)
    assert TaskHistory.objects.filter(user=user).count() == 5


@pytest.mark.django_db(transaction=True)
def test_seed_curl_flow_over_http(live_server, user):
    token = Token.objects.create(user=user).key
    response = requests.post(
        f"{live_server.url}/api/custom-image-generation",
        headers={"Authorization": f"Bearer {token}"},
        files={"image": ("photo.jpg", make_photo(), "image/jpeg")},
        data={"prompt": "黑白"},
        timeout=60,
    )
    body = response.json()
    assert body["success"] is True, body
    with urlopen(body["generated_image_url"], timeout=10) as download:
        assert download.status == 200
        assert download.read().startswith(b"\x89PNG")
