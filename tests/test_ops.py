"""/healthz, /readyz and the request log line, against dependencies that really go away.

The database: on PostgreSQL the app reaches the test database through a TCP proxy that the
test stops (new connections refused, open ones cut: what a stopped server looks like to a
client) and starts again; the shared server itself is not stopped, other runs use it. On
SQLite the database file becomes unreachable (its folder is gone), then comes back. S3 is a
real SeaweedFS server (``tests/fakes/seaweed.py``) killed and restarted; Redis a real
``redis-server``.
"""

from __future__ import annotations

import contextlib
import json
import logging
import shutil
import socket
import subprocess
import time
from pathlib import Path

import pytest
from django.db import connections
from rest_framework.authtoken.models import Token

from aiceps.settings.storage import S3_STORAGE_BACKEND, s3_storage_options
from core.logging import JsonFormatter
from operations import checks as ops
from tests.fakes.outages import TcpProxy, database_switched, free_port


def ready(client) -> tuple[int, dict]:
    response = client.get("/readyz")
    return response.status_code, response.json()


def test_healthz_answers_without_the_database(client):
    # No django_db mark: any query would raise instead of answering.
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.django_db
def test_readyz_reports_each_dependency_with_its_latency(client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    status, body = ready(client)
    assert status == 200, body
    assert body["status"] == "ok"
    assert set(body["checks"]) == {"database", "storage", "broker"}
    for check in body["checks"].values():
        assert check["ok"] is True
        assert isinstance(check["latency_ms"], float)
    assert body["checks"]["storage"]["backend"] == "local"
    assert body["checks"]["broker"] == {**body["checks"]["broker"], "backend": "orm", "queued": 0}
    assert list((tmp_path / "media").iterdir()) == []  # the probe file is gone


@pytest.mark.django_db
def test_readyz_is_503_when_local_storage_cannot_be_written(client, settings, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    settings.MEDIA_ROOT = blocker / "media"
    status, body = ready(client)
    assert status == 503
    assert body["status"] == "unavailable"
    assert body["checks"]["storage"]["ok"] is False
    assert body["checks"]["database"]["ok"] is True
    assert str(tmp_path) not in json.dumps(body)  # the class of the error, not its message


@pytest.mark.django_db(transaction=True)
def test_readyz_turns_503_when_the_database_stops_and_200_when_it_returns(client, tmp_path):
    connection = connections["default"]
    if connection.vendor == "postgresql":
        host = connection.settings_dict["HOST"] or "127.0.0.1"
        proxy = TcpProxy((host, int(connection.settings_dict["PORT"] or 5432)))
        proxy.start()
        try:
            with database_switched(HOST="127.0.0.1", PORT=str(proxy.port)):
                assert ready(client)[0] == 200
                proxy.stop()
                status, body = ready(client)
                assert status == 503
                assert body["checks"]["database"] == {
                    "ok": False,
                    "error": "OperationalError",
                    "latency_ms": body["checks"]["database"]["latency_ms"],
                }
                assert body["checks"]["broker"]["ok"] is False  # the ORM broker is the database
                proxy.start()
                status, body = ready(client)
                assert status == 200, body
        finally:
            proxy.stop()
    else:
        folder = tmp_path / "db"
        folder.mkdir()
        real = connection.settings_dict["NAME"]
        (folder / "aiceps.sqlite3").symlink_to(real)
        with database_switched(NAME=str(folder / "aiceps.sqlite3")):
            assert ready(client)[0] == 200
            connection.close()
            moved = shutil.move(folder, tmp_path / "db-away")  # the volume is gone
            status, body = ready(client)
            assert status == 503
            assert body["checks"]["database"]["ok"] is False
            shutil.move(moved, folder)
            assert ready(client)[0] == 200


@pytest.mark.django_db
def test_readyz_is_degraded_while_s3_is_away_and_503_when_nothing_can_store(
    client, settings, seaweed
):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": S3_STORAGE_BACKEND,
            "OPTIONS": s3_storage_options(
                bucket_name=seaweed.bucket,
                access_key=seaweed.access_key,
                secret_key=seaweed.secret_key,
                endpoint_url=seaweed.endpoint_url,
                timeout_seconds=1.0,
            ),
        },
    }
    status, body = ready(client)
    assert status == 200, body
    assert body["checks"]["storage"]["backend"] == "S3Storage"
    seaweed.stop()
    try:
        started = time.perf_counter()
        status, body = ready(client)
        # The local fallback keeps and serves files: still ready, but degraded.
        assert (status, body["status"]) == (200, "degraded"), body
        storage = body["checks"]["storage"]
        assert storage["ok"] is True and storage["degraded"] is True
        assert storage["serving"] == "local fallback"
        assert time.perf_counter() - started < 10
        fallback = Path(settings.MEDIA_ROOT) / "s3-fallback"
        shutil.rmtree(fallback, ignore_errors=True)
        fallback.parent.mkdir(parents=True, exist_ok=True)
        fallback.write_text("")  # a file where the folder must be: the fallback cannot store
        try:
            status, body = ready(client)
            assert status == 503 and body["checks"]["storage"]["ok"] is False
        finally:
            fallback.unlink()
    finally:
        seaweed.start()
    status, body = ready(client)
    assert (status, body["status"]) == (200, "ok"), body


@pytest.fixture
def redis_server(tmp_path):
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.skip("redis-server is not installed")
    port = free_port()
    command = [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--dir"]
    process = subprocess.Popen([*command, str(tmp_path)], stdout=subprocess.DEVNULL)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.2):
            break
        time.sleep(0.05)
    yield process, f"redis://127.0.0.1:{port}/0"
    process.kill()
    process.wait()


@pytest.mark.django_db
def test_readyz_checks_a_redis_broker(client, settings, monkeypatch, redis_server):
    process, url = redis_server
    settings.REDIS_URL = url
    monkeypatch.setattr(ops, "broker_backend", lambda: "redis")
    status, body = ready(client)
    assert status == 200, body
    assert body["checks"]["broker"]["backend"] == "redis"
    process.kill()
    process.wait()
    started = time.perf_counter()
    status, body = ready(client)
    assert status == 503
    assert body["checks"]["broker"]["ok"] is False
    assert time.perf_counter() - started < 3


@pytest.mark.django_db
def test_one_log_line_per_request_without_secrets(client, user, caplog, settings):
    settings.AICEPS_PROMPT_WRITER = "tests.fakes.providers.EchoPromptWriter"
    token = Token.objects.create(user=user).key
    with caplog.at_level(logging.INFO, logger="aiceps.request"):
        response = client.get(
            "/api/v1/tasks/00000000-0000-0000-0000-000000000000?key=secret-value",
            HTTP_AUTHORIZATION=f"Bearer {token}",
        )
    assert response.status_code == 404
    records = [r for r in caplog.records if r.name == "aiceps.request"]
    assert len(records) == 1
    record = records[0]
    assert (record.method, record.route, record.status) == (
        "GET",
        "/api/v1/tasks/<str:task_id>",
        404,
    )
    assert record.user_id == user.pk
    assert record.duration_ms > 0
    line = JsonFormatter().format(record)
    payload = json.loads(line)
    assert payload["route"] == "/api/v1/tasks/<str:task_id>"
    assert payload["user_id"] == user.pk
    for secret in (token, "secret-value", "00000000-0000"):
        assert secret not in line


@pytest.mark.django_db
def test_anonymous_and_unknown_routes_are_logged_without_a_user(client, caplog):
    with caplog.at_level(logging.INFO, logger="aiceps.request"):
        client.get("/no/such/page/123")
    (record,) = [r for r in caplog.records if r.name == "aiceps.request"]
    assert (record.route, record.status, record.user_id) == ("<unmatched>", 404, None)
