"""The serving tier over a real socket: waiting costs a socket, never a thread; bodies over
the limit are refused unread; each user may hold only so many waits."""

from __future__ import annotations

import asyncio
import socket
import time

import pytest
from django.db import connections
from django_q.conf import Conf
from rest_framework.authtoken.models import Token

from accounts.selectors import credits_balance
from catalogue.imaging import inspect_upload
from generation.models import TaskHistory
from generation.services import TaskInput, task_cancel, task_create, task_fail
from tests.conftest import make_photo
from tests.fakes.http import http, multipart
from tests.fakes.sse import events

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


@pytest.fixture
def queued(monkeypatch, settings):
    """Tasks stay pending (no worker runs them) until the test moves them."""
    monkeypatch.setattr(Conf, "SYNC", False)
    settings.AICEPS_PROMPT_WRITER = "tests.fakes.providers.EchoPromptWriter"
    settings.AICEPS_IMAGE_PROVIDER = "tests.fakes.providers.InvertImageProvider"


def pending_task(user) -> TaskHistory:
    data = TaskInput(prompt="黑白", images=(inspect_upload(make_photo()),))
    return task_create(user=user, data=data, enqueue=False).task


async def _open_stream(port: int, path: str, token: str):
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(
        f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {token}\r\n"
        "Accept: text/event-stream\r\n\r\n".encode()
    )
    await writer.drain()
    return reader, writer


async def _read_until_end(reader, writer) -> str:
    data = b""
    while b"event: end" not in data:
        chunk = await asyncio.wait_for(reader.read(65536), timeout=20)
        if not chunk:
            break
        data += chunk
    writer.close()
    return data.decode()


def _body(text: str) -> str:
    head, _, body = text.partition("\r\n\r\n")
    assert head.startswith("HTTP/1.1 200"), head
    return body


@pytest.mark.parametrize("ending", ["complete", "fail", "cancel"])
def test_many_streams_hold_no_thread_and_all_end(asgi_server, user, queued, settings, ending):
    settings.AICEPS_MAX_WAITERS_PER_USER = 1000
    settings.AICEPS_THROTTLE_USER = "100000/min"
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"user": "100000/min", "submit": "100/min", "anon": "100/min"},
    }
    token = Token.objects.create(user=user).key
    task = pending_task(user)
    path = f"/api/v1/tasks/{task.pk}/events"
    streams = 120

    async def scenario():
        opened = [await _open_stream(asgi_server.port, path, token) for _ in range(streams)]
        await asyncio.sleep(1.5)  # every stream is now waiting on the hub
        threads = asgi_server.threads()
        await asyncio.to_thread(_end_task, task, ending)
        texts = await asyncio.gather(*(_read_until_end(r, w) for r, w in opened))
        return threads, texts

    before = asgi_server.threads()
    threads, texts = asyncio.run(scenario())
    # The pool of sync threads is bounded and shared: 120 waiting clients add none each.
    assert threads <= before + settings.AICEPS_WEB_SYNC_THREADS
    assert threads < before + streams
    final = {"complete": "completed", "fail": "failed", "cancel": "cancelled"}[ending]
    for text in texts:
        names = [name for name, _ in events(_body(text).replace("\r\n", "\n"))]
        assert names[-1] == "end", names
        assert next(data for name, data in events(_body(text)) if name == "end")["status"] == final


def _end_task(task: TaskHistory, ending: str) -> None:
    try:
        _finish(task, ending)
    finally:
        connections.close_all()  # this ran on a thread of its own: leave no connection behind


def _finish(task: TaskHistory, ending: str) -> None:
    if ending == "cancel":
        task_cancel(task=task)
    elif ending == "fail":
        task_fail(task=task, code="test_failure", message="It failed on purpose.", status=502)
    else:
        from generation.services import task_run

        task_run(task_id=task.pk)


def test_a_user_over_the_wait_limit_gets_429_and_nothing_is_charged(
    asgi_server, user, queued, settings
):
    settings.AICEPS_MAX_WAITERS_PER_USER = 2
    token = Token.objects.create(user=user).key
    task = pending_task(user)
    balance = credits_balance(user=user)

    async def scenario():
        held = [
            await _open_stream(asgi_server.port, f"/api/v1/tasks/{task.pk}/events", token)
            for _ in range(2)
        ]
        await asyncio.sleep(0.5)
        auth = {"Authorization": f"Bearer {token}"}
        refused = await asyncio.to_thread(
            http, asgi_server.port, "GET", f"/api/v1/tasks/{task.pk}/events", headers=auth
        )
        body, content_type = multipart(image=("p.jpg", make_photo()), prompt="黑白")
        seed = await asyncio.to_thread(
            http,
            asgi_server.port,
            "POST",
            "/api/custom-image-generation",
            body=body,
            headers={**auth, "Content-Type": content_type},
        )
        for _, writer in held:
            writer.close()
        return refused, seed

    refused, seed = asyncio.run(scenario())
    assert refused.status == 429 and refused.headers["retry-after"]
    assert refused.json["error"]["code"] == "too_many_waiting"
    assert seed.status == 429
    assert seed.json["error"]["code"] == "too_many_waiting"
    assert credits_balance(user=user) == balance
    assert TaskHistory.objects.count() == 1


def test_a_body_over_the_limit_is_refused_from_its_length_unread(asgi_server, settings):
    declared = 300 * 1024 * 1024
    with socket.create_connection(("127.0.0.1", asgi_server.port), timeout=5) as conn:
        started = time.monotonic()
        conn.sendall(
            b"POST /api/v1/tasks HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            b"Content-Type: multipart/form-data; boundary=x\r\n"
            + f"Content-Length: {declared}\r\n\r\n".encode()
            + b"only the first bytes"
        )
        answer = b""
        while chunk := conn.recv(4096):  # the server closes after its answer
            answer += chunk
        answer = answer.decode()
        elapsed = time.monotonic() - started
    assert answer.startswith("HTTP/1.1 413"), answer
    assert "request_too_large" in answer
    assert elapsed < 1.0
