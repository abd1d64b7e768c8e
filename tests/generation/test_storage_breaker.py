"""The S3 breaker: a hung S3 costs the first few uploads their timeout, then submissions go
straight to the local fallback until one probe finds S3 back."""

from __future__ import annotations

import socket
import threading
import time
from dataclasses import replace

import pytest
from rest_framework.test import APIClient

from aiceps.settings.storage import S3_STORAGE_BACKEND, s3_storage_options
from generation.storage_breaker import CLOSED, OPEN, PROBING, Breaker
from tests.conftest import make_photo
from tests.fakes.figures import record_figure


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_the_breaker_opens_cools_down_and_probes(settings):
    settings.AICEPS_S3 = replace(
        settings.AICEPS_S3, breaker_failures=3, breaker_cooldown_seconds=30
    )
    clock = Clock()
    breaker = Breaker(clock)
    for _ in range(2):
        assert breaker.allow()
        breaker.failed()
    assert breaker.state == CLOSED  # two failures are not yet an outage
    breaker.failed()
    assert breaker.state == OPEN and not breaker.allow()
    clock.now = 31
    assert breaker.allow()  # one probe
    assert not breaker.allow()  # and only one at a time
    assert breaker.state == PROBING
    breaker.failed()  # S3 still away: another cool-down
    assert breaker.state == OPEN and not breaker.allow()
    clock.now = 62
    assert breaker.allow()
    breaker.succeeded()
    assert breaker.state == CLOSED and breaker.allow()


class HungServer:
    """Accepts connections and never answers, like an S3 that hangs."""

    def __init__(self) -> None:
        self.listener = socket.socket()
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(64)
        self.port = self.listener.getsockname()[1]
        self.held: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self.listener.accept()
            except OSError:
                return
            self.held.append(conn)

    def close(self) -> None:
        self.listener.close()
        for conn in self.held:
            conn.close()


@pytest.fixture
def hung_s3(settings, tmp_path):
    server = HungServer()
    settings.MEDIA_ROOT = tmp_path / "media"  # the local fallback's files: this test's own
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": S3_STORAGE_BACKEND,
            "OPTIONS": s3_storage_options(
                bucket_name="aiceps",
                access_key="key",
                secret_key="secret",
                endpoint_url=f"http://127.0.0.1:{server.port}",
                timeout_seconds=0.5,
            ),
        },
    }
    yield server
    server.close()


@pytest.mark.django_db
def test_with_s3_hung_submissions_are_accepted_within_a_second(hung_s3, user, settings):
    from rest_framework.authtoken.models import Token

    settings.AICEPS_S3 = replace(settings.AICEPS_S3, breaker_failures=2)
    settings.AICEPS_PROMPT_WRITER = "tests.fakes.providers.EchoPromptWriter"
    settings.AICEPS_IMAGE_PROVIDER = "tests.fakes.providers.InvertImageProvider"
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {Token.objects.create(user=user).key}")
    times = []
    for n in range(5):
        started = time.perf_counter()
        response = client.post(
            "/api/v1/tasks",
            {"image": photo_file(), "prompt": f"黑白 {n}"},
            format="multipart",
        )
        times.append(time.perf_counter() - started)
        assert response.status_code == 202, response.content
    record_figure("submissions with S3 hung, before and after the breaker opens", times)
    assert all(t < 1.0 for t in times[2:]), times  # once the breaker is open
    ready = client.get("/readyz").json()
    assert ready["status"] == "degraded"
    assert ready["checks"]["storage"]["breaker"]["state"] == OPEN


def photo_file():
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("p.jpg", make_photo(), content_type="image/jpeg")
