"""A wait outlives a PostgreSQL outage: the seed endpoint and ``/v1/images`` answer their
task's JSON after the database comes back (their pooled connections were cut while they
waited), and a database that stays away for the whole wait gets a JSON 503 naming the task,
never Django's HTML page.

PostgreSQL only (run with ``TEST_DATABASE_URL=postgres://…``): the server reaches it through
a TCP proxy that the test cuts and restores, like a restart or a failover."""

from __future__ import annotations

import threading
import time

import pytest
import requests
from django.db import connection, connections
from django_q.conf import Conf
from rest_framework.authtoken.models import Token

from accounts.selectors import credits_balance
from generation.models import TaskHistory
from generation.services import task_run
from tests.conftest import make_photo
from tests.fakes.asgi_server import AsgiServer
from tests.fakes.outages import TcpProxy, database_switched

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def behind_a_proxy(transactional_db, settings, monkeypatch):
    if connections["default"].vendor != "postgresql":
        pytest.skip("PostgreSQL only: set TEST_DATABASE_URL=postgres://… to run it")
    settings.ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
    settings.AICEPS_PROMPT_WRITER = "tests.fakes.providers.EchoPromptWriter"
    settings.AICEPS_IMAGE_PROVIDER = "tests.fakes.providers.InvertImageProvider"
    monkeypatch.setattr(Conf, "SYNC", False)  # the test runs the task itself
    db = connections["default"].settings_dict
    proxy = TcpProxy((db["HOST"] or "127.0.0.1", int(db["PORT"] or 5432)))
    proxy.start()
    with database_switched(HOST="127.0.0.1", PORT=str(proxy.port)):
        server = AsgiServer().start()
        try:
            yield server, proxy
        finally:
            if proxy._listener is None:
                proxy.start()
            server.stop()
            proxy.stop()


def _in_background(call):
    result: dict = {}

    def run():
        try:
            result["response"] = call()
        except Exception as exc:  # surfaced by the test's assertion
            result["error"] = exc

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread, result


def _task_appears(timeout: float = 15.0) -> TaskHistory:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        task = TaskHistory.objects.first()
        if task is not None:
            return task
        time.sleep(0.05)
    raise AssertionError("no task was created")


def _outage(proxy: TcpProxy, seconds: float) -> None:
    """Every connection cut, nothing accepted for ``seconds``, then the database is back."""
    proxy.stop()
    time.sleep(seconds)
    proxy.start()
    connection.close()  # the test's own connection was cut too


def _seed(server, token, timeout=60):
    return requests.post(
        f"{server.url}/api/custom-image-generation",
        headers={"Authorization": f"Bearer {token}"},
        files={"image": ("photo.jpg", make_photo(), "image/jpeg")},
        data={"prompt": "黑白"},
        timeout=timeout,
    )


def test_a_seed_wait_answers_its_task_after_the_database_comes_back(behind_a_proxy, user):
    server, proxy = behind_a_proxy
    token = Token.objects.create(user=user).key
    thread, result = _in_background(lambda: _seed(server, token))
    task = _task_appears()
    time.sleep(0.5)  # the wait has read the task on its pooled connection
    _outage(proxy, 2.0)
    task_run(task_id=task.pk)
    thread.join(60)
    response = result.get("response")
    assert response is not None, result.get("error")
    assert response.status_code == 200, response.text[:300]
    assert response.headers["Content-Type"].startswith("application/json")
    assert response.json()["task_id"] == str(task.pk)
    assert credits_balance(user=user) == 9


def test_an_images_wait_answers_after_the_database_comes_back(behind_a_proxy, user):
    server, proxy = behind_a_proxy
    token = Token.objects.create(user=user).key
    thread, result = _in_background(
        lambda: requests.post(
            f"{server.url}/v1/images/edits",
            headers={"Authorization": f"Bearer {token}"},
            files={"image": ("photo.png", make_photo(fmt="PNG"), "image/png")},
            data={"prompt": "invert"},
            timeout=60,
        )
    )
    task = _task_appears()
    time.sleep(0.5)
    _outage(proxy, 2.0)
    task_run(task_id=task.pk)
    thread.join(60)
    response = result.get("response")
    assert response is not None, result.get("error")
    assert response.status_code == 200, response.text[:300]
    assert response.headers["X-AicePS-Task-Id"] == str(task.pk)
    assert response.json()["data"][0]["b64_json"]


def test_a_database_away_for_the_whole_wait_answers_json_naming_the_task(
    behind_a_proxy, user, settings
):
    server, proxy = behind_a_proxy
    settings.AICEPS_SYNC_WAIT_SECONDS = 3
    token = Token.objects.create(user=user).key
    thread, result = _in_background(lambda: _seed(server, token))
    task = _task_appears()
    time.sleep(0.3)
    proxy.stop()
    thread.join(30)
    proxy.start()
    connection.close()
    response = result.get("response")
    assert response is not None, result.get("error")
    assert response.status_code == 503, response.text[:300]
    error = response.json()["error"]
    assert error["code"] == "service_unavailable"
    assert error["task_id"] == str(task.pk)
    assert error["status_url"].endswith(f"/api/v1/tasks/{task.pk}")
    assert response.headers["Retry-After"] == "5"
