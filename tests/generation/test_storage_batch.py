"""Several files stored and read at once, against the real S3 server and on local disk."""

import pytest

from generation.storage import read_bytes, uses_remote_storage
from generation.storage_batch import read_many, store_many
from tests.generation.s3_support import s3_fixture, s3_storages  # noqa: F401

pytestmark = pytest.mark.django_db


def files(count: int):
    return [(f"task-history/7/batch/source-{n}.png", f"image {n}".encode()) for n in range(count)]


def test_uploads_keep_their_order_on_s3(s3):
    saved = store_many(files(5))
    assert [file.name for file in saved] == [name for name, _ in files(5)]
    assert not any(file.fallback for file in saved)
    assert set(s3.keys("task-history/7/batch/")) == {name for name, _ in files(5)}
    assert read_many([name for name, _ in files(5)]) == [data for _, data in files(5)]


def test_a_down_server_sends_every_file_to_the_fallback(s3):
    with s3.stopped():
        saved = store_many(files(3))
    assert all(file.fallback for file in saved)
    assert [read_bytes(file.name) for file in saved] == [data for _, data in files(3)]


def test_local_storage_needs_no_threads(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    assert not uses_remote_storage()
    saved = store_many(files(2))
    assert [file.name for file in saved] == [name for name, _ in files(2)]
    assert read_many([file.name for file in saved]) == [data for _, data in files(2)]
