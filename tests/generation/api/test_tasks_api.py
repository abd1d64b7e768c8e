import io

import pytest
from PIL import Image

from accounts.selectors import credits_balance, credits_ledger_sum
from generation.models import TaskHistory, TaskStatistics
from tests.conftest import make_photo
from tests.fakes.providers import EchoPromptWriter
from tests.fakes.sse import stream_text

pytestmark = pytest.mark.django_db


def upload(name="photo.jpg", data=None):
    file = io.BytesIO(data or make_photo())
    file.name = name
    return file


def test_submit_runs_the_task_and_charges_one_credit(api, user):
    response = api.post("/api/v1/tasks", {"image": upload(), "prompt": "黑白"}, format="multipart")
    assert response.status_code == 202, response.json()
    body = response.json()
    assert response["Location"].endswith(f"/api/v1/tasks/{body['id']}")
    detail = api.get(f"/api/v1/tasks/{body['id']}").json()
    assert detail["status"] == "completed"
    assert detail["professional_prompt"] == "Professional prompt: 黑白"
    assert detail["image_provider"].endswith("InvertImageProvider")
    assert detail["timings"]["total_ms"] is not None
    assert credits_balance(user=user) == 9 == credits_ledger_sum(user=user)
    image = api.get(detail["generated_image_url"])
    assert image.status_code == 200
    result = Image.open(io.BytesIO(b"".join(image.streaming_content)))
    original = Image.open(io.BytesIO(make_photo())).convert("RGB")
    # The fake provider inverts: the stored result is the provider's image, not the input.
    r, _g, b = result.getpixel((5, 5))
    ro, _go, bo = original.getpixel((5, 5))
    assert abs(r - (255 - ro)) <= 3 and abs(b - (255 - bo)) <= 3


def test_statistics_follow_finished_tasks(api, user):
    api.post("/api/v1/tasks", {"image": upload(), "prompt": "黑白"}, format="multipart")
    rows = TaskStatistics.objects.filter(user=user)
    assert sorted(rows.values_list("period_type", flat=True)) == ["all", "day", "month", "week"]
    for row in rows:
        assert (row.total_tasks, row.successful_tasks, row.failed_tasks) == (1, 1, 0)
        assert row.total_credits_deducted == 1
        assert row.avg_generation_time_ms == row.total_generation_time_ms
    body = api.get("/api/v1/statistics?period=week").json()
    assert body["results"][0]["total_tasks"] == 1
    assert body["results"][0]["success_rate"] == 1.0
    assert api.get("/api/v1/statistics?period=year").status_code == 400


def test_failed_task_is_refunded_once_and_counted(api, user, settings):
    settings.AICEPS_IMAGE_PROVIDER = "tests.fakes.providers.FailingImageProvider"
    body = api.post("/api/v1/tasks", {"image": upload(), "prompt": "x"}, format="multipart").json()
    task = TaskHistory.objects.get(pk=body["id"])
    assert task.status == "failed"
    assert task.error_code == "content_blocked"
    assert credits_balance(user=user) == 10 == credits_ledger_sum(user=user)
    detail = api.get(f"/api/v1/tasks/{task.pk}").json()
    assert detail["error"] == {"code": "content_blocked", "message": "The model refused."}
    stats = TaskStatistics.objects.get(user=user, period_type="all")
    assert (stats.failed_tasks, stats.avg_generation_time_ms) == (1, 0)


def test_idempotency_key_returns_the_same_task_without_a_second_charge(api, user):
    photo = make_photo()
    first = api.post(
        "/api/v1/tasks",
        {"image": upload(data=photo), "prompt": "黑白"},
        format="multipart",
        HTTP_IDEMPOTENCY_KEY="abc",
    )
    second = api.post(
        "/api/v1/tasks",
        {"image": upload(data=photo), "prompt": "黑白"},
        format="multipart",
        HTTP_IDEMPOTENCY_KEY="abc",
    )
    assert (first.status_code, second.status_code) == (202, 200)
    assert first.json()["id"] == second.json()["id"]
    assert credits_balance(user=user) == 9
    other = api.post(
        "/api/v1/tasks",
        {"image": upload(data=photo), "prompt": "sepia"},
        format="multipart",
        HTTP_IDEMPOTENCY_KEY="abc",
    )
    assert other.status_code == 409
    assert other.json()["error"]["code"] == "idempotency_key_reused"
    assert credits_balance(user=user) == 9


def test_repeated_request_reuses_the_professional_prompt(api):
    photo = make_photo()
    EchoPromptWriter.calls = 0
    for _ in range(2):
        api.post(
            "/api/v1/tasks", {"image": upload(data=photo), "prompt": "黑白"}, format="multipart"
        )
    assert EchoPromptWriter.calls == 1
    tasks = TaskHistory.objects.order_by("created_at")
    assert [t.prompt_cached for t in tasks] == [False, True]
    assert tasks[0].professional_prompt == tasks[1].professional_prompt


def test_insufficient_credits_is_402_and_changes_nothing(api, user, settings):
    settings.AICEPS_TASK_COSTS = {"default": 11}
    response = api.post("/api/v1/tasks", {"image": upload(), "prompt": "黑白"}, format="multipart")
    assert response.status_code == 402
    error = response.json()["error"]
    assert error["code"] == "insufficient_credits"
    assert (error["available_credits"], error["required_credits"]) == (10, 11)
    assert TaskHistory.objects.count() == 0
    assert credits_balance(user=user) == 10


@pytest.mark.parametrize(
    ("payload", "status", "code"),
    [
        ({"prompt": "黑白"}, 400, "missing_image"),
        ({"image": "not-a-file", "prompt": "x"}, 400, "invalid_request"),
        ({"prompt": "x", "task_type": "teleport"}, 400, "invalid_request"),
        ({"prompt": "x", "task_type": "hotspot"}, 400, "missing_image"),
    ],
)
def test_bad_input_gets_a_clear_error(api, payload, status, code):
    response = api.post("/api/v1/tasks", payload, format="multipart")
    assert response.status_code == status
    body = response.json()
    assert body["success"] is False
    assert body["error"]["code"] == code
    assert body["error"]["message"]
    assert TaskHistory.objects.count() == 0


def test_a_non_image_is_rejected(api, user):
    response = api.post(
        "/api/v1/tasks", {"image": upload("x.jpg", b"hello"), "prompt": "x"}, format="multipart"
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "not_an_image"
    assert credits_balance(user=user) == 10


def test_too_large_upload_is_413(api, settings):
    settings.AICEPS_MAX_UPLOAD_BYTES = 1000
    response = api.post("/api/v1/tasks", {"image": upload(), "prompt": "x"}, format="multipart")
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "file_too_large"


def test_anonymous_gets_401_unless_allowed(anonymous_api, settings):
    response = anonymous_api.get("/api/v1/tasks")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"
    settings.AICEPS_ALLOW_ANONYMOUS = True
    assert anonymous_api.get("/api/v1/tasks").status_code == 200


def test_bad_token_is_401(anonymous_api):
    anonymous_api.credentials(HTTP_AUTHORIZATION="Bearer nope")
    assert anonymous_api.get("/api/v1/credits").status_code == 401


def test_another_users_task_is_404(api, make_user):
    body = api.post(
        "/api/v1/tasks", {"image": upload(), "prompt": "黑白"}, format="multipart"
    ).json()
    from rest_framework.authtoken.models import Token

    intruder = api.__class__()
    intruder.capture = api.capture
    intruder.credentials(HTTP_AUTHORIZATION=f"Bearer {Token.objects.create(user=make_user()).key}")
    for path in (f"/api/v1/tasks/{body['id']}", f"/api/v1/tasks/{body['id']}/events"):
        assert intruder.get(path).status_code == 404
    assert intruder.post(f"/api/v1/tasks/{body['id']}/cancel").status_code == 404
    assert intruder.get("/api/v1/tasks").json()["count"] == 0
    assert intruder.get("/api/v1/tasks/not-a-uuid").status_code == 404


def test_list_filters_and_paginates(api):
    for prompt in ("黑白", "sepia", "黑白 again"):
        api.post("/api/v1/tasks", {"image": upload(), "prompt": prompt}, format="multipart")
    body = api.get("/api/v1/tasks?page_size=2").json()
    assert body["count"] == 3 and len(body["results"]) == 2 and body["next"]
    assert api.get("/api/v1/tasks?search=sepia").json()["count"] == 1
    assert api.get("/api/v1/tasks?status=failed").json()["count"] == 0


def test_cancel_pending_task_refunds(user, token, settings):
    from rest_framework.test import APIClient

    client = APIClient()  # on-commit hooks do not run: the task stays pending
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    body = client.post(
        "/api/v1/tasks", {"image": upload(), "prompt": "黑白"}, format="multipart"
    ).json()
    assert credits_balance(user=user) == 9
    response = client.post(f"/api/v1/tasks/{body['id']}/cancel")
    assert response.status_code == 200
    assert response.json()["status"] == "cancelled"
    assert credits_balance(user=user) == 10
    again = client.post(f"/api/v1/tasks/{body['id']}/cancel")
    assert again.status_code == 200
    assert credits_balance(user=user) == 10 == credits_ledger_sum(user=user)


def test_cancel_finished_task_is_409(api):
    body = api.post(
        "/api/v1/tasks", {"image": upload(), "prompt": "黑白"}, format="multipart"
    ).json()
    response = api.post(f"/api/v1/tasks/{body['id']}/cancel")
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "invalid_state"


def test_events_stream_ends_with_the_final_state(api):
    body = api.post(
        "/api/v1/tasks", {"image": upload(), "prompt": "黑白"}, format="multipart"
    ).json()
    response = api.get(f"/api/v1/tasks/{body['id']}/events", HTTP_ACCEPT="text/event-stream")
    assert response["Content-Type"] == "text/event-stream"
    text = stream_text(response)
    assert "event: status" in text and '"status": "completed"' in text
    assert text.rstrip().endswith('"status": "completed"}')


def test_credits_endpoint_shows_balance_and_ledger(api):
    api.post("/api/v1/tasks", {"image": upload(), "prompt": "黑白"}, format="multipart")
    body = api.get("/api/v1/credits").json()
    assert body["balance"] == 9
    assert [row["kind"] for row in body["ledger"]] == ["debit", "signup"]


def test_text_to_image_on_a_provider_that_cannot_is_400_before_charging(api, user, settings):
    settings.AICEPS_IMAGE_PROVIDER = "tests.fakes.providers.EditOnlyImageProvider"
    response = api.post(
        "/api/v1/tasks", {"prompt": "a cat", "task_type": "text_to_image"}, format="multipart"
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "unsupported_task"
    assert credits_balance(user=user) == 10


def test_schema_and_docs_are_served(client):
    assert client.get("/api/schema/").status_code == 200
    docs = client.get("/api/docs/")
    assert docs.status_code == 200
    assert b"cdn" not in docs.content.lower()


def test_clients_cannot_name_a_class_to_import(api, user):
    response = api.post(
        "/api/v1/tasks",
        {"image": upload(), "prompt": "x", "image_provider": "os.system"},
        format="multipart",
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "unknown_provider"
    assert credits_balance(user=user) == 10
