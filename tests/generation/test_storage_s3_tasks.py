"""Whole tasks (create, run) on S3: the contract's keys, and S3 failing between create and
run or already down at create: the task completes, its files are kept locally and uploaded
later."""

from __future__ import annotations

import io
import time
from urllib.parse import urlsplit

import pytest
from PIL import Image

from accounts.selectors import credits_balance
from catalogue.imaging import read_upload
from generation.models import TaskHistory
from generation.services import TaskInput, task_create, task_run
from generation.services.storage_jobs import storage_reupload_pending
from generation.storage import file_url
from tests.conftest import make_photo

from .s3_support import body, download, s3_fixture  # noqa: F401  (the `s3` fixture)

pytestmark = pytest.mark.django_db
FALLBACK_LIMIT_SECONDS = 15


@pytest.fixture
def providers(settings):
    settings.AICEPS_PROMPT_WRITER, settings.AICEPS_IMAGE_PROVIDER = "template", "offline"


def create_task(user) -> TaskHistory:
    data = TaskInput(prompt="黑白", images=(read_upload(make_photo()),))
    return task_create(user=user, data=data, enqueue=False).task


def test_a_task_stores_its_files_in_s3_under_the_contract_keys(s3, user, providers):
    task = create_task(user)
    task = task_run(task_id=task.pk)

    assert task.status == TaskHistory.Status.COMPLETED, task.error_message
    prefix = f"task-history/{user.pk}/{task.pk}/"
    assert s3.keys(prefix) == [f"{prefix}generated-1.png", f"{prefix}original.jpg"]
    assert task.original_image.name == f"{prefix}original.jpg"
    assert task.generated_image.name == f"{prefix}generated-1.png"
    assert not task.storage_fallback
    generated = s3.read(f"{prefix}generated-1.png")
    assert generated != s3.read(f"{prefix}original.jpg")
    assert Image.open(io.BytesIO(generated)).format == "PNG"
    url = file_url(task.generated_image.name)
    assert "X-Amz-Signature=" in url and download(url) == generated


def test_s3_failing_between_create_and_run_still_completes_the_task(s3, user, client, providers):
    task = create_task(user)
    prefix = f"task-history/{user.pk}/{task.pk}/"
    assert s3.keys(prefix) == [f"{prefix}original.jpg"] and not task.storage_fallback

    with s3.stopped():
        started = time.perf_counter()
        task = task_run(task_id=task.pk)
        elapsed = time.perf_counter() - started

        assert task.status == TaskHistory.Status.COMPLETED, task.error_message
        assert elapsed < FALLBACK_LIMIT_SECONDS
        assert task.storage_fallback
        assert credits_balance(user=user) == 9  # charged once, not refunded
        generated = task.generated_image.name
        assert generated == f"{prefix}generated-1.png"
        url = file_url(generated)
        assert urlsplit(url).path == f"/files/{generated}"
        response = client.get(url)
        assert response.status_code == 200
        local = body(response)
        assert Image.open(io.BytesIO(local)).format == "PNG"
        # The original reached S3 before the outage: its URL stays a presigned one.
        assert "X-Amz-Signature=" in file_url(task.original_image.name)

    assert storage_reupload_pending() == 1
    task.refresh_from_db()
    assert not task.storage_fallback
    assert s3.keys(prefix) == [f"{prefix}generated-1.png", f"{prefix}original.jpg"]
    assert download(file_url(generated)) == local


def test_s3_down_at_create_and_run_still_completes_the_task(s3, user, client, providers):
    with s3.stopped():
        task = create_task(user)
        assert task.storage_fallback
        task = task_run(task_id=task.pk)

        assert task.status == TaskHistory.Status.COMPLETED, task.error_message
        assert task.storage_fallback
        for name in (task.original_image.name, task.generated_image.name):
            assert client.get(file_url(name)).status_code == 200

    assert storage_reupload_pending() == 2
    task.refresh_from_db()
    assert not task.storage_fallback
    prefix = f"task-history/{user.pk}/{task.pk}/"
    assert s3.keys(prefix) == [f"{prefix}generated-1.png", f"{prefix}original.jpg"]
