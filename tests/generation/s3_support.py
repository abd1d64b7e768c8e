"""S3 as the default storage for tests, on a real S3 server (SeaweedFS)."""

from __future__ import annotations

import urllib.error
import urllib.request
import uuid
from dataclasses import replace

import pytest

from aiceps.settings.storage import S3_STORAGE_BACKEND, s3_storage_options
from generation.storage import uses_remote_storage


def s3_storages(settings, server, *, bucket=None, public_read=False):
    """settings.STORAGES with the default storage on S3, built like aiceps.settings.base."""
    options = s3_storage_options(
        bucket_name=bucket or server.bucket,
        access_key=server.access_key,
        secret_key=server.secret_key,
        region_name=server.region,
        endpoint_url=server.endpoint_url,
        public_read=public_read,
        timeout_seconds=settings.AICEPS_S3.timeout_seconds,
        url_expire_seconds=settings.AICEPS_S3.url_expire_seconds,
    )
    return {**settings.STORAGES, "default": {"BACKEND": S3_STORAGE_BACKEND, "OPTIONS": options}}


@pytest.fixture(name="s3")
def s3_fixture(settings, seaweed, tmp_path):
    """S3 as the default storage (the settings fixture resets Django's storage caches), its
    buckets empty: the server is shared by every test of the process."""
    seaweed.start()  # a failed test may have left it stopped
    seaweed.empty()
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.AICEPS_S3 = replace(settings.AICEPS_S3, bucket=seaweed.bucket)
    settings.STORAGES = s3_storages(settings, seaweed)
    assert uses_remote_storage()
    return seaweed


def task_key(user, name: str = "generated-1.png") -> str:
    return f"task-history/{user.pk}/{uuid.uuid4()}/{name}"


def download(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.read()


def http_status(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def body(response) -> bytes:
    return b"".join(response.streaming_content)
