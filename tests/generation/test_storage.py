"""Local storage: exact keys, and the file view's signed links, sessions and refusals."""

from __future__ import annotations

import os
import time
import uuid
from dataclasses import replace
from urllib.parse import parse_qs, urlsplit

import pytest

from generation import storage
from generation.services.storage_jobs import storage_prune_cache, storage_reupload_pending
from generation.storage import (
    delete_file,
    file_url,
    is_served_locally,
    read_bytes,
    signature_is_valid,
    store_bytes,
    uses_remote_storage,
)

pytestmark = pytest.mark.django_db
PNG = b"\x89PNG\r\n\x1a\n not really a png, but the view does not look inside"


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def task_key(user, name: str = "generated-1.png") -> str:
    return f"task-history/{user.pk}/{uuid.uuid4()}/{name}"


def body(response) -> bytes:
    return b"".join(response.streaming_content)


def test_local_storage_keeps_exact_keys(user, media_root):
    assert not uses_remote_storage()
    key = task_key(user)

    stored = store_bytes(key, PNG)

    assert stored == storage.StoredFile(key, fallback=False)
    assert (media_root / key).read_bytes() == PNG
    assert read_bytes(key) == PNG
    assert is_served_locally(key)
    # Storing the same key again replaces the file instead of inventing another name.
    assert store_bytes(key, b"second").name == key
    assert read_bytes(key) == b"second"
    assert sorted(os.listdir((media_root / key).parent)) == ["generated-1.png"]


def test_delete_file_removes_it_and_ignores_missing_ones(user, media_root):
    key = task_key(user)
    store_bytes(key, PNG)

    delete_file(key)
    delete_file(key)

    assert not (media_root / key).exists()


def test_signed_url_downloads_without_a_session(client, user):
    key = task_key(user)
    store_bytes(key, PNG)

    url = file_url(key)
    response = client.get(url)

    assert url.startswith(f"/files/{key}?")
    assert response.status_code == 200
    assert body(response) == PNG
    assert response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "no-referrer"


def test_head_works_and_post_is_refused(client, user):
    key = task_key(user)
    store_bytes(key, PNG)
    url = file_url(key)

    assert client.head(url).status_code == 200
    assert client.post(url).status_code == 405


def test_signed_url_expires(client, user, monkeypatch):
    key = task_key(user)
    store_bytes(key, PNG)
    url = file_url(key, expires_in=60)
    query = parse_qs(urlsplit(url).query)
    assert int(query["expires"][0]) == pytest.approx(time.time() + 60, abs=5)

    assert client.get(url).status_code == 200
    monkeypatch.setattr(storage, "now_seconds", lambda: time.time() + 61)
    assert client.get(url).status_code == 404


def test_wrong_signature_is_404(client, user):
    key, other = task_key(user), task_key(user)
    store_bytes(key, PNG)
    store_bytes(other, PNG)
    query = parse_qs(urlsplit(file_url(key)).query)
    expires, signature = query["expires"][0], query["signature"][0]
    other_signature = parse_qs(urlsplit(file_url(other)).query)["signature"][0]

    for params in (
        {"expires": expires, "signature": signature[:-2] + "xx"},
        {"expires": str(int(expires) + 3600), "signature": signature},  # a longer life
        {"expires": expires, "signature": other_signature},  # another file's signature
        {"expires": expires},
        {"signature": signature},
        {"expires": "soon", "signature": signature},
        {},
    ):
        assert client.get(f"/files/{key}", params).status_code == 404, params
    assert signature_is_valid(key, expires, signature)
    assert not signature_is_valid(key, None, None)


def test_owner_session_reads_without_a_signature(client, user):
    key = task_key(user)
    store_bytes(key, PNG)
    client.force_login(user)

    response = client.get(f"/files/{key}")

    assert response.status_code == 200
    assert body(response) == PNG


def test_other_users_and_anonymous_get_404_staff_may_read(client, user, other_user, make_user):
    key = task_key(user)
    store_bytes(key, PNG)

    assert client.get(f"/files/{key}").status_code == 404
    client.force_login(other_user)
    assert client.get(f"/files/{key}").status_code == 404
    client.force_login(make_user("staff", is_staff=True))
    assert client.get(f"/files/{key}").status_code == 200


def test_missing_file_is_404_even_for_its_owner(client, user):
    client.force_login(user)
    assert client.get(f"/files/{task_key(user)}").status_code == 404
    assert client.get(file_url(task_key(user))).status_code == 404


def test_path_traversal_is_404(client, user, media_root, tmp_path):
    media_root.mkdir(parents=True, exist_ok=True)
    (media_root / "secret.txt").write_text("media secret")
    (tmp_path / "outside.txt").write_text("outside secret")
    store_bytes(task_key(user), PNG)
    client.force_login(user)
    task = uuid.uuid4()
    keys = [
        f"task-history/{user.pk}/{task}/../../../secret.txt",
        f"task-history/{user.pk}/../../secret.txt",
        f"task-history/{user.pk}/{task}/../../../../outside.txt",
        f"task-history/{user.pk}/{task}/./generated-1.png",
        f"task-history/{user.pk}/{task}//generated-1.png",
        f"task-history/{user.pk}/{task}/..%2f..%2f..%2fsecret.txt",
        f"task-history/{user.pk}/{task}/%2e%2e/%2e%2e/%2e%2e/secret.txt",
        f"task-history/{user.pk}/{task}/..\\..\\..\\secret.txt",
        f"task-history/{user.pk}/{task}/a%00.png",
        f"task-history/{user.pk}/{task}/a\x00.png",
        "task-history/../secret.txt",
        "secret.txt",
        "/etc/passwd",
        f"/{media_root}/secret.txt",
        f"task-history/{user.pk}/{task}/x/y.png",
    ]
    for key in keys:
        # A valid signature for the key must not help either.
        expires = int(time.time()) + 60
        signature = storage._signature(key, expires)
        for url in (f"/files/{key}", f"/files/{key}?expires={expires}&signature={signature}"):
            response = client.get(url)
            assert response.status_code == 404, (url, response.status_code)


def test_file_url_of_nothing_is_empty():
    assert file_url("") == ""


def test_reupload_does_nothing_with_local_storage():
    assert storage_reupload_pending() == 0


def test_prune_cache_removes_old_copies_and_stale_temporary_files(settings, media_root):
    settings.AICEPS_S3 = replace(settings.AICEPS_S3, cache_seconds=3600)
    old = time.time() - 7200

    def make(relative: str, mtime: float | None = None):
        path = media_root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"x")
        if mtime:
            os.utime(path, (mtime, mtime))
        return path

    old_copy = make("s3-cache/task-history/1/a/original.jpg", old)
    new_copy = make("s3-cache/task-history/1/b/original.jpg")
    waiting = make("s3-fallback/task-history/1/c/generated-1.png", old)
    crashed = make("s3-fallback/task-history/1/c/.generated-2.png.abc.tmp", old)

    assert storage_prune_cache() == 2

    assert not old_copy.exists() and not old_copy.parent.exists()
    assert new_copy.exists()
    assert waiting.exists()  # never pruned: the only copy until S3 takes it
    assert not crashed.exists()
