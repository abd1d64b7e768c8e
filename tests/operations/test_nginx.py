"""The production recipe: Debian's nginx with ops/nginx/aiceps.conf in front of the real ASGI
application. Skipped (with the reason) where nginx is not installed; ./scripts/test installs
it."""

from __future__ import annotations

import json
import re
import shutil
import socket
import time
from urllib.parse import urlsplit

import pytest
from django_q.conf import Conf
from rest_framework.authtoken.models import Token

from catalogue.imaging import inspect_upload
from generation.services import TaskInput, task_cancel, task_create
from tests.conftest import make_photo
from tests.fakes.asgi_server import free_port
from tests.fakes.http import http, multipart
from tests.fakes.nginx import nginx_in_front_of

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.slow,
    pytest.mark.skipif(not shutil.which("nginx"), reason="nginx is not installed"),
]


@pytest.fixture
def nginx(asgi_server, tmp_path):
    with nginx_in_front_of(asgi_server.port, tmp_path) as port:
        yield port


def test_static_files_and_the_app_answer_through_nginx(nginx):
    assert http(nginx, "GET", "/static/hello.txt").body == b"static from nginx"
    health = http(nginx, "GET", "/healthz")
    assert health.status == 200 and health.json["status"] == "ok"


def test_an_event_stream_passes_through_unbuffered(nginx, user, monkeypatch, settings):
    monkeypatch.setattr(Conf, "SYNC", False)
    settings.AICEPS_IMAGE_PROVIDER = "tests.fakes.providers.InvertImageProvider"
    token = Token.objects.create(user=user).key
    data = TaskInput(prompt="黑白", images=(inspect_upload(make_photo()),))
    task = task_create(user=user, data=data, enqueue=False).task
    with socket.create_connection(("127.0.0.1", nginx), timeout=10) as conn:
        conn.sendall(
            f"GET /api/v1/tasks/{task.pk}/events HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            f"Authorization: Bearer {token}\r\nAccept: text/event-stream\r\n\r\n".encode()
        )
        first = b""
        while b"event: status" not in first:  # arrives while the task is still pending
            first += conn.recv(65536)
        assert b" 200 " in first.split(b"\r\n", 1)[0]
        assert b'"status": "pending"' in first
        task_cancel(task=task)
        rest = b""
        while b"event: end" not in rest:
            chunk = conn.recv(65536)
            assert chunk, "the stream closed before its end event"
            rest += chunk
    assert b'"status": "cancelled"' in rest


def test_nginx_refuses_a_body_over_the_limit_unread(nginx):
    with socket.create_connection(("127.0.0.1", nginx), timeout=5) as conn:
        started = time.monotonic()
        conn.sendall(
            b"POST /api/v1/tasks HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            b"Content-Length: 300000000\r\n\r\nfirst bytes only"
        )
        answer = conn.recv(4096)
        elapsed = time.monotonic() - started
    assert answer.startswith(b"HTTP/1.1 413")
    assert elapsed < 1.0


def test_slow_header_clients_do_not_stop_the_others(nginx):
    slow = []
    for _ in range(32):
        conn = socket.create_connection(("127.0.0.1", nginx), timeout=5)
        conn.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n")  # and never the rest
        slow.append(conn)
    try:
        started = time.monotonic()
        for _ in range(5):
            assert http(nginx, "GET", "/healthz").status == 200
        assert time.monotonic() - started < 2.0
    finally:
        for conn in slow:
            conn.close()


def _urls(value) -> list[str]:
    if isinstance(value, dict):
        return [url for item in value.values() for url in _urls(item)]
    if isinstance(value, list):
        return [url for item in value for url in _urls(item)]
    return [value] if isinstance(value, str) and value.startswith("http") else []


def test_every_url_an_answer_hands_out_is_fetched_as_given(nginx, user, settings):
    """nginx on a port other than 80: the app sees the Host the client used, port included,
    so file URLs, status_url and Location all lead back through the same nginx."""
    settings.AICEPS_PROMPT_WRITER = "tests.fakes.providers.EchoPromptWriter"
    settings.AICEPS_IMAGE_PROVIDER = "tests.fakes.providers.InvertImageProvider"
    auth = {"Authorization": f"Bearer {Token.objects.create(user=user).key}"}
    handed_out = []
    for path in ("/api/custom-image-generation", "/api/v1/tasks"):
        body, content_type = multipart(image=("photo.jpg", make_photo()), prompt="黑白")
        answer = http(
            nginx, "POST", path, body=body, headers={**auth, "Content-Type": content_type}
        )
        assert answer.status in (200, 202), answer.body[:300]
        handed_out += _urls(answer.json)
        if "location" in answer.headers:
            handed_out.append(answer.headers["location"])
    assert len(handed_out) >= 5, handed_out
    for url in handed_out:
        parsed = urlsplit(url)
        assert parsed.netloc == f"127.0.0.1:{nginx}", url
        path = parsed.path + (f"?{parsed.query}" if parsed.query else "")
        assert http(nginx, "GET", path, headers=auth).status == 200, url


def test_nginx_answers_its_own_errors_as_json(nginx, tmp_path):
    body = b"x" * (3 * 1024 * 1024)  # over the 2m of the fixture
    too_large = http(
        nginx, "POST", "/api/v1/tasks", body=body, headers={"Content-Type": "text/plain"}
    )
    assert too_large.status == 413
    assert too_large.headers["content-type"].startswith("application/json")
    assert too_large.json["error"]["code"] == "request_too_large"

    with nginx_in_front_of(free_port(), tmp_path / "down") as port:  # nothing listens there
        down = http(port, "POST", "/api/custom-image-generation", body=b"{}")
        assert down.status == 502
        assert down.headers["content-type"].startswith("application/json")
        answer = json.loads(down.body)
        assert answer["error"]["code"] == "upstream_unavailable"
        assert answer["message"] == answer["error"]["message"]  # the seed's and v1's shape
        assert answer["error"]["type"] == "server_error"  # OpenAI's envelope
        assert down.headers["retry-after"] == "5"
        # The key nginx sent the seed call upstream with: the same request again with it
        # gets the task this one created, if it created one.
        assert re.fullmatch(r"[0-9a-f]{32}", answer["idempotency_key"])
        assert answer["error"]["idempotency_key"] == answer["idempotency_key"]
        own = http(port, "POST", "/v1/images/edits", body=b"{}", headers={"Idempotency-Key": "k-1"})
        assert json.loads(own.body)["idempotency_key"] == "k-1"
        other = http(port, "POST", "/api/v1/webhooks", body=b"{}")  # creates no task: no key
        assert "idempotency_key" not in json.loads(other.body)
