"""The production recipe: Debian's nginx with ops/nginx/aiceps.conf in front of the real ASGI
application. Skipped (with the reason) where nginx is not installed; ./scripts/test installs
it."""

from __future__ import annotations

import shutil
import socket
import subprocess
import time

import pytest
from django_q.conf import Conf
from rest_framework.authtoken.models import Token

from generation.imaging import inspect_upload
from generation.services import TaskInput, task_cancel, task_create
from operations.nginx_conf import render
from tests.conftest import make_photo
from tests.fakes.asgi_server import free_port
from tests.fakes.http import http

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.slow,
    pytest.mark.skipif(not shutil.which("nginx"), reason="nginx is not installed"),
]


@pytest.fixture
def nginx(asgi_server, tmp_path):
    port = free_port()
    static = tmp_path / "static"
    static.mkdir()
    (static / "hello.txt").write_text("static from nginx")
    prefix = tmp_path / "nginx"
    prefix.mkdir()
    conf = prefix / "nginx.conf"
    conf.write_text(
        render(
            listen=f"127.0.0.1:{port}",
            upstream=f"127.0.0.1:{asgi_server.port}",
            static=str(static),
            prefix=str(prefix),
            max_body="2m",
        )
    )
    process = subprocess.Popen(
        ["nginx", "-p", str(prefix), "-c", str(conf), "-g", "daemon off;"],
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 10
    while True:
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                break
        if process.poll() is not None or time.monotonic() > deadline:
            pytest.fail(f"nginx did not start: {process.stderr.read().decode()}")
        time.sleep(0.05)
    yield port
    process.terminate()
    process.wait(timeout=10)


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
