"""Redis goes away (its own redis-server, started here and killed): AicePS is degraded, not
broken. Waiters fall back to polling the database and still get their answer at once; the
throttles, which cannot count, refuse with a JSON 503 and ``Retry-After`` (nothing charged),
never a 500; when Redis is back everything answers again."""

from __future__ import annotations

import io
import json
import shutil
import subprocess
import threading
import time

import pytest
import requests
from django_q.conf import Conf
from rest_framework.authtoken.models import Token

from accounts.selectors import credits_balance
from generation.models import TaskHistory
from generation.services import task_run
from tests.conftest import make_photo
from tests.fakes.asgi_server import free_port

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not shutil.which("redis-server"), reason="redis-server is not installed"),
]


class RedisServer:
    def __init__(self) -> None:
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                *("redis-server", "--port", str(self.port), "--bind", "127.0.0.1"),
                *("--save", "", "--appendonly", "no"),
            ],
            stdout=subprocess.DEVNULL,
        )
        import redis

        deadline = time.monotonic() + 10
        while True:
            try:
                redis.Redis.from_url(self.url, socket_timeout=0.5).ping()
                return
            except redis.ConnectionError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)

    def kill(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.wait(timeout=10)
            self.process = None


@pytest.fixture
def redis_server():
    server = RedisServer()
    server.start()
    yield server
    server.kill()


@pytest.fixture
def on_redis(redis_server, settings):
    """The cache (throttle counters) and the task notifications on that Redis."""
    settings.REDIS_URL = redis_server.url
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": redis_server.url,
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
    settings.AICEPS_NOTIFY_BACKEND = "redis"
    settings.AICEPS_NOTIFY_SAFETY_POLL_SECONDS = 30  # only the fallback can answer quickly
    settings.AICEPS_NOTIFY_POLL_SECONDS = 0.2
    settings.AICEPS_PROMPT_WRITER = "tests.fakes.providers.EchoPromptWriter"
    settings.AICEPS_IMAGE_PROVIDER = "tests.fakes.providers.InvertImageProvider"
    return redis_server


def _calls(url: str, token: str, task_id: str) -> dict[str, requests.Response]:
    auth = {"Authorization": f"Bearer {token}"}

    def photo():
        return {"image": ("photo.jpg", make_photo(), "image/jpeg")}

    return {
        "credits": requests.get(f"{url}/api/v1/credits", headers=auth, timeout=10),
        "task": requests.get(f"{url}/api/v1/tasks/{task_id}", headers=auth, timeout=10),
        "cancel": requests.post(f"{url}/api/v1/tasks/{task_id}/cancel", headers=auth, timeout=10),
        "events": requests.get(
            f"{url}/api/v1/tasks/{task_id}/events", headers=auth, timeout=10, stream=True
        ),
        "submit": requests.post(
            f"{url}/api/v1/tasks", headers=auth, files=photo(), data={"prompt": "黑白"}, timeout=10
        ),
        "seed": requests.post(
            f"{url}/api/custom-image-generation",
            headers=auth,
            files=photo(),
            data={"prompt": "黑白"},
            timeout=10,
        ),
        "sign_in": requests.post(
            f"{url}/auth/v1/token?grant_type=password",
            json={"email": "nobody@example.com", "password": "x"},
            timeout=10,
        ),
    }


def test_redis_away_answers_503_json_never_500_and_recovers(on_redis, asgi_server, user):
    token = Token.objects.create(user=user).key
    first = requests.post(
        f"{asgi_server.url}/api/v1/tasks",
        headers={"Authorization": f"Bearer {token}"},
        files={"image": ("photo.jpg", make_photo(), "image/jpeg")},
        data={"prompt": "黑白"},
        timeout=30,
    )
    assert first.status_code == 202, first.text[:300]
    task_id = first.json()["id"]
    balance = credits_balance(user=user)

    on_redis.kill()
    answers = _calls(asgi_server.url, token, task_id)
    for name, answer in answers.items():
        assert answer.status_code == 503, (name, answer.status_code, answer.text[:300])
        assert answer.headers["Content-Type"].startswith("application/json"), name
        body = answer.json()
        code = body["error"]["code"] if isinstance(body.get("error"), dict) else body["error"]
        # The throttles' counters are away (trust nothing uncounted) or another dependency is.
        assert code in ("service_unavailable", "rate_limiter_unavailable"), (name, body)
        if name != "sign_in":
            assert answer.headers["Retry-After"] == "5", name
    assert credits_balance(user=user) == balance  # nothing was charged while refused
    assert TaskHistory.objects.count() == 1

    on_redis.start()  # the same port: the cache reconnects by itself
    again = _calls(asgi_server.url, token, task_id)
    assert again["credits"].status_code == 200
    assert again["task"].status_code == 200
    assert again["submit"].status_code == 202
    assert again["seed"].status_code == 200


def test_a_wait_falls_back_to_polling_when_redis_goes(on_redis, asgi_server, user, monkeypatch):
    monkeypatch.setattr(Conf, "SYNC", False)  # the test runs the task itself
    token = Token.objects.create(user=user).key
    result: dict = {}

    def wait():
        result["response"] = requests.post(
            f"{asgi_server.url}/api/custom-image-generation",
            headers={"Authorization": f"Bearer {token}"},
            files={"image": ("photo.jpg", make_photo(), "image/jpeg")},
            data={"prompt": "黑白"},
            timeout=60,
        )
        result["at"] = time.monotonic()

    thread = threading.Thread(target=wait, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not TaskHistory.objects.exists():
        assert time.monotonic() < deadline, "no task was created"
        time.sleep(0.05)
    time.sleep(1.0)  # the hub's listener is subscribed
    on_redis.kill()  # the worker's notification is then lost
    time.sleep(1.0)  # the listener noticed
    task = TaskHistory.objects.get()
    task_run(task_id=task.pk)
    done = time.monotonic()
    task.refresh_from_db()
    assert task.status == "completed", (task.status, task.error_code, task.error_message)
    thread.join(60)
    response = result["response"]
    assert response.status_code == 200, response.text[:300]
    assert response.json()["task_id"] == str(task.pk)
    assert result["at"] - done < 2.0  # the fast poll, not the 30 s safety poll


def test_a_task_the_broker_cannot_take_is_kept_pending_not_an_error(
    redis_server, user, monkeypatch, settings, caplog
):
    """The queue's broker is the Redis that went away: the task is committed and charged
    once, answered 202, and left pending for the reaper's rescue to queue again."""
    from rest_framework.test import APIClient

    settings.AICEPS_PROMPT_WRITER = "tests.fakes.providers.EchoPromptWriter"
    settings.AICEPS_IMAGE_PROVIDER = "tests.fakes.providers.InvertImageProvider"
    monkeypatch.setattr(Conf, "SYNC", False)
    monkeypatch.setattr(Conf, "ORM", None)
    monkeypatch.setattr(Conf, "REDIS", redis_server.url)
    redis_server.kill()
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {Token.objects.create(user=user).key}")
    response = api.post(
        "/api/v1/tasks",
        {"image": io.BytesIO(make_photo()), "prompt": "黑白"},
        format="multipart",
    )
    assert response.status_code == 202, response.content[:300]
    task = TaskHistory.objects.get()
    assert task.status == "pending" and str(task.pk) == response.json()["id"]
    assert credits_balance(user=user) == 9
    assert "task not queued: broker unavailable" in caplog.text


def test_pages_answer_503_while_redis_is_away_and_work_where_they_need_none(
    on_redis, user, settings
):
    from django.test import Client

    settings.DEBUG = False
    client = Client(raise_request_exception=False)
    client.force_login(user)
    on_redis.kill()
    assert client.get("/history/").status_code == 200  # needs only the database
    submitted = client.post("/new/", {"prompt": "黑白", "task_type": "edit"})  # throttled
    assert submitted.status_code == 503
    assert submitted["Retry-After"] == "5"
    assert b"briefly unavailable" in submitted.content
    assert not TaskHistory.objects.exists()


def test_whatever_escapes_under_the_apis_is_json():
    """The last resort (handler500) under /api/ and /v1/: JSON in their shapes."""
    import redis
    from django.test import RequestFactory

    from operations.errors import server_error

    factory = RequestFactory()
    try:
        raise redis.ConnectionError("gone")
    except redis.ConnectionError:
        seed = server_error(factory.post("/api/custom-image-generation"))
        images = server_error(factory.post("/v1/images/edits"))
    try:
        raise KeyError("a bug")
    except KeyError:
        bug = server_error(factory.get("/api/v1/credits"))
    assert seed.status_code == 503 and seed["Retry-After"] == "5"
    assert json.loads(seed.content)["error"]["code"] == "service_unavailable"
    assert json.loads(images.content)["error"]["type"] == "server_error"
    assert bug.status_code == 500
    assert json.loads(bug.content)["error"]["code"] == "internal_error"
