"""A request for a synchronous view crosses to the pool once (its middleware and view
together), not once per middleware hook; ``/healthz`` is answered on the event loop."""

from __future__ import annotations

import asyncio
import json

import pytest
from asgiref.testing import ApplicationCommunicator
from rest_framework.authtoken.models import Token

from operations.serving import AicepsASGIHandler

pytestmark = pytest.mark.django_db(transaction=True)


class CountingPool:
    """The handler's pool, counting the jobs it is given."""

    def __init__(self, pool) -> None:
        self.pool, self.jobs = pool, 0

    def submit(self, *args, **kwargs):
        self.jobs += 1
        return self.pool.submit(*args, **kwargs)

    def __getattr__(self, name):
        return getattr(self.pool, name)


async def _get(handler, path: str, headers=()) -> tuple[int, bytes]:
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "headers": [(b"host", b"testserver"), *headers],
        "client": ("127.0.0.1", 50000),
        "server": ("testserver", 80),
    }
    talk = ApplicationCommunicator(handler, scope)
    await talk.send_input({"type": "http.request", "body": b""})
    start = await talk.receive_output(timeout=10)
    body = b""
    while True:
        message = await talk.receive_output(timeout=10)
        body += message.get("body", b"")
        if not message.get("more_body"):
            break
    await talk.wait(timeout=10)
    return start["status"], body


def _counted(handler: AicepsASGIHandler) -> CountingPool:
    handler.pool = CountingPool(handler.pool)
    return handler.pool


def test_a_sync_view_takes_one_crossing_for_its_whole_chain(user):
    token = Token.objects.create(user=user).key
    handler = AicepsASGIHandler()
    pool = _counted(handler)
    auth = [(b"authorization", f"Bearer {token}".encode())]
    status, body = asyncio.run(_get(handler, "/api/v1/credits", auth))
    assert status == 200 and json.loads(body)["balance"] == 10
    # request_started, the middleware chain with the view, request_finished: 3, where
    # Django's async chain takes one per hook of each sync middleware (about 19).
    assert pool.jobs <= 4, pool.jobs


def test_healthz_is_answered_without_the_pool():
    handler = AicepsASGIHandler()
    pool = _counted(handler)
    status, body = asyncio.run(_get(handler, "/healthz"))
    assert status == 200 and json.loads(body)["status"] == "ok"
    assert pool.jobs == 0
