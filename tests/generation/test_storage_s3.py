"""S3 storage against a real S3 server (SeaweedFS, which checks SigV4 signatures).

Covers presigned and public URLs, the local fallback when S3 is down or hung, and the re-upload
job (whole tasks: test_storage_s3_tasks).
"""

from __future__ import annotations

import socket
import threading
import time
from dataclasses import replace

import pytest

from aiceps.settings.storage import S3_STORAGE_BACKEND, s3_storage_options
from generation.models import TaskHistory
from generation.services.storage_jobs import storage_reupload_pending
from generation.storage import (
    file_url,
    is_served_locally,
    read_bytes,
    store_bytes,
)
from tests.conftest import make_photo

from .s3_support import (  # noqa: F401  (s3_fixture: the fixture)
    body,
    download,
    http_status,
    s3_fixture,
    s3_storages,
    task_key,
)

pytestmark = pytest.mark.django_db
FALLBACK_LIMIT_SECONDS = 15


# --- Plain storage ----------------------------------------------------------------------


def test_default_options_give_up_on_a_hung_server_in_seconds(settings):
    config = s3_storage_options(bucket_name="aiceps-x")["client_config"]

    assert config.connect_timeout <= 5 and config.read_timeout <= 5
    assert config.retries["total_max_attempts"] <= 3
    assert config.signature_version == "s3v4"


def test_store_and_read_back(s3, user, settings):
    key = task_key(user)
    data = make_photo(fmt="PNG")

    stored = store_bytes(key, data)

    assert (stored.name, stored.fallback) == (key, False)
    assert s3.read(key) == data
    head = s3.client().head_object(Bucket=s3.bucket, Key=key)
    assert head["ContentType"] == "image/png"
    assert read_bytes(key) == data
    assert not is_served_locally(key)
    # Without the local copy, read_bytes downloads it.
    settings.AICEPS_S3 = replace(settings.AICEPS_S3, cache_seconds=0)
    (settings.MEDIA_ROOT / "s3-cache" / key).unlink()
    assert read_bytes(key) == data
    # Exact keys: storing again replaces the object, no renamed copy appears.
    store_bytes(key, b"second")
    assert s3.read(key) == b"second"
    assert s3.keys(key.rsplit("/", 1)[0]) == [key]
    assert read_bytes(key) == b"second"


def test_presigned_url_downloads_with_a_plain_get(s3, user):
    key = task_key(user)
    store_bytes(key, b"private bytes")

    url = file_url(key)
    short = file_url(key, expires_in=60)

    assert url.startswith(f"{s3.endpoint_url}/{s3.bucket}/{key}?")
    assert "X-Amz-Algorithm=AWS4-HMAC-SHA256" in url and "X-Amz-Signature=" in url
    assert "X-Amz-Expires=60" in short
    assert download(url) == b"private bytes"
    assert download(short) == b"private bytes"
    # The object is private and SeaweedFS checks the signature.
    assert http_status(url.split("?")[0]) == 403
    assert http_status(url.replace("X-Amz-Signature=", "X-Amz-Signature=00")) == 403


def test_public_read_gives_plain_urls(s3, user, settings):
    settings.STORAGES = s3_storages(settings, s3, bucket=s3.public_bucket, public_read=True)
    key = task_key(user)
    store_bytes(key, b"public bytes")

    url = file_url(key)

    assert url == f"{s3.endpoint_url}/{s3.public_bucket}/{key}"
    assert download(url) == b"public bytes"


# --- Failures ---------------------------------------------------------------------------


def test_s3_down_keeps_the_file_locally_then_the_job_uploads_it(s3, user, client):
    key = task_key(user, "original.jpg")
    data = make_photo()

    with s3.stopped():
        started = time.perf_counter()
        stored = store_bytes(key, data)
        elapsed = time.perf_counter() - started

        assert stored.fallback and stored.name == key
        assert elapsed < FALLBACK_LIMIT_SECONDS
        assert is_served_locally(key)
        url = file_url(key)
        handed_out = url
        assert url.startswith(f"/files/{key}?")
        response = client.get(url)  # anonymous: the signature is enough
        assert response.status_code == 200 and body(response) == data
        assert read_bytes(key) == data

        task = TaskHistory.objects.create(
            user=user,
            prompt="x",
            status=TaskHistory.Status.COMPLETED,
            original_image=key,
            storage_fallback=True,
        )
        # Still down: the job keeps everything and tries again later.
        assert storage_reupload_pending() == 0
        task.refresh_from_db()
        assert task.storage_fallback and is_served_locally(key)

    assert storage_reupload_pending() == 1

    task.refresh_from_db()
    assert not task.storage_fallback
    assert s3.read(key) == data
    assert not is_served_locally(key)
    url = file_url(key)
    assert "X-Amz-Signature=" in url and download(url) == data
    assert client.get(f"/files/{key}").status_code == 404  # no longer served locally
    # A link handed out during the outage still works: it sends the client on to S3.
    moved = client.get(handed_out)
    assert moved.status_code == 302
    assert "X-Amz-Signature=" in moved["Location"] and download(moved["Location"]) == data
    assert storage_reupload_pending() == 0


def test_a_running_task_keeps_its_mark_until_it_is_final(s3, user):
    key = task_key(user, "original.jpg")
    with s3.stopped():
        store_bytes(key, b"input")
    task = TaskHistory.objects.create(
        user=user, prompt="x", original_image=key, storage_fallback=True
    )  # pending: the worker may still store results locally

    assert storage_reupload_pending() == 1

    task.refresh_from_db()
    assert task.storage_fallback
    assert s3.read(key) == b"input" and not is_served_locally(key)
    TaskHistory.objects.filter(pk=task.pk).update(status=TaskHistory.Status.FAILED)
    assert storage_reupload_pending() == 0
    task.refresh_from_db()
    assert not task.storage_fallback


class HungServer:
    """Accepts connections and never answers."""

    def __init__(self) -> None:
        self.socket = socket.socket()
        self.socket.bind(("127.0.0.1", 0))
        self.socket.listen(64)
        self.held: list[socket.socket] = []
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.socket.getsockname()[1]}"

    def _accept(self) -> None:
        while True:
            try:
                connection, _ = self.socket.accept()
            except OSError:
                return
            self.held.append(connection)

    def close(self) -> None:
        self.socket.close()
        for connection in self.held:
            connection.close()


def test_a_hung_server_fails_within_the_timeout_budget(settings, user, tmp_path):
    timeout, attempts = 1.0, 2
    # Each try: up to 1 s waiting for "100 Continue", then the read timeout.
    budget = attempts * (timeout + 1.0) + 3.0
    hung = HungServer()
    try:
        settings.MEDIA_ROOT = tmp_path / "media"
        options = s3_storage_options(
            bucket_name="aiceps-hung",
            access_key="key",
            secret_key="secret",
            endpoint_url=hung.url,
            timeout_seconds=timeout,
            max_attempts=attempts,
        )
        settings.STORAGES = {
            **settings.STORAGES,
            "default": {"BACKEND": S3_STORAGE_BACKEND, "OPTIONS": options},
        }
        key = task_key(user)

        started = time.perf_counter()
        stored = store_bytes(key, b"waiting")
        elapsed = time.perf_counter() - started
    finally:
        hung.close()

    assert stored.fallback
    assert elapsed < budget, f"took {elapsed:.1f} s, budget {budget:.1f} s"
    assert len(hung.held) == attempts  # and it did try again once
    assert read_bytes(key) == b"waiting"
