"""A task's event stream can be resumed: every event has an ``id`` and a ``retry`` hint, and a
client that lost the stream reconnects with ``Last-Event-ID`` and gets the current snapshot
(which holds what the events it missed said), or nothing more than ``end`` when it already
has the final one. Read by a real HTTP client (httpx) over a live server's socket."""

from __future__ import annotations

import io
import threading
import time

import httpx
import pytest
from django_q.conf import Conf

from generation.models import TaskHistory
from generation.services.lifecycle import task_claim, task_fail, task_record_progress
from tests.conftest import make_photo

pytestmark = pytest.mark.django_db(transaction=True)


def read_events(response, count: int, seconds: float = 20) -> list[dict]:
    """The next ``count`` events of an open stream: their id, retry, name and data."""
    found, fields = [], {}
    deadline = time.monotonic() + seconds
    for line in response.iter_lines():
        if time.monotonic() > deadline:
            break
        if line.startswith(":"):
            continue
        if not line:
            if "data" in fields:
                found.append(fields)
                if len(found) == count:
                    break
            fields = {}
            continue
        name, _, value = line.partition(": ")
        fields[name] = value
    return found


def open_stream(client: httpx.Client, url: str, last: str | None = None):
    headers = {"Accept": "text/event-stream"}
    if last is not None:
        headers["Last-Event-ID"] = last
    return client.stream("GET", url, headers=headers)


def test_a_reconnecting_client_gets_the_current_snapshot_and_nothing_it_has(
    asgi_server, token, monkeypatch, settings
):
    monkeypatch.setattr(Conf, "SYNC", False)  # the task waits: this test moves it
    settings.AICEPS_NOTIFY_POLL_SECONDS = 0.05
    auth = {"Authorization": f"Bearer {token}"}
    with httpx.Client(base_url=asgi_server.url, headers=auth, timeout=30) as client:
        created = client.post(
            "/api/v1/tasks",
            files={"image": ("p.jpg", io.BytesIO(make_photo(64, 64)), "image/jpeg")},
            data={"prompt": "snow"},
        )
        assert created.status_code == 202, created.text
        task_id = created.json()["id"]
        url = f"/api/v1/tasks/{task_id}/events"

        with open_stream(client, url) as stream:
            [first] = read_events(stream, 1)
        assert first["event"] == "status" and first["retry"] == "2000"
        assert '"status": "pending"' in first["data"]

        # Two changes while the client is away: it was not there to read either.
        task = task_claim(task_id=task_id)
        task_record_progress(task=task, progress={"phase": "denoising", "step": 3, "steps": 9})
        with open_stream(client, url, last=first["id"]) as stream:
            [current] = read_events(stream, 1)
        assert current["event"] == "status" and int(current["id"]) > int(first["id"])
        assert '"status": "processing"' in current["data"] and '"step": 3' in current["data"]

        # Reconnected with the snapshot it has: nothing is repeated; the next change comes.
        got: list = []

        def follow():
            with open_stream(client, url, last=current["id"]) as stream:
                got.extend(read_events(stream, 2))

        follower = threading.Thread(target=follow)
        follower.start()
        time.sleep(1.0)
        assert got == []  # the stream is open and has sent nothing
        task_fail(task=TaskHistory.objects.get(pk=task_id), code="upstream_error", message="No.")
        follower.join(timeout=20)
        assert [e["event"] for e in got] == ["status", "end"], got
        assert '"status": "failed"' in got[0]["data"]
        assert int(got[0]["id"]) > int(current["id"]) and got[1]["id"] == got[0]["id"]

        # The client read the final snapshot but lost `end`: it gets `end` alone, at once.
        with open_stream(client, url, last=got[0]["id"]) as stream:
            again = read_events(stream, 2, seconds=5)
        assert [e["event"] for e in again] == ["end"] and again[0]["id"] == got[0]["id"]

        # Anything else in Last-Event-ID is not ours: the whole stream, from the snapshot.
        with open_stream(client, url, last="not-a-number") as stream:
            fresh = read_events(stream, 2, seconds=5)
        assert [e["event"] for e in fresh] == ["status", "end"]
