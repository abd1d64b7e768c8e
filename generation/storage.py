"""Where task images go: the configured storage (S3 or local disk), with a local fallback.

When S3 is configured and a save fails (the server is down, hung or refusing), the file is kept
on local disk under the same key, served from there, and the task is marked so the scheduled
:func:`storage_reupload_pending` moves it to S3 later. A task never fails, and never answers
without a working URL, because S3 had a bad minute.

Local files are served by ``generation.views.files.serve_task_file``: the owner (or staff) can
always read them; a URL from :func:`file_url` also carries a signature that expires, like an S3
presigned URL, so a seed client can download the result without a session.
"""

from __future__ import annotations

import functools
import logging
import time
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage, Storage, default_storage
from django.urls import reverse
from django.utils.http import urlencode

logger = logging.getLogger(__name__)
SIGNER_SALT = "aiceps.task-file"


@dataclass(frozen=True)
class StoredFile:
    name: str
    fallback: bool


def uses_remote_storage() -> bool:
    # default_storage is a lazy proxy; isinstance sees the wrapped class.
    return not isinstance(default_storage, FileSystemStorage)


@functools.cache
def fallback_storage() -> FileSystemStorage:
    return FileSystemStorage(location=settings.MEDIA_ROOT / "s3-fallback")


def primary_storage() -> Storage:
    return default_storage


def store_bytes(name: str, data: bytes) -> StoredFile:
    """Save ``data`` under ``name`` (an exact key: an existing file is replaced)."""
    storage = primary_storage()
    try:
        if storage.exists(name):
            storage.delete(name)
        saved = storage.save(name, ContentFile(data))
        return StoredFile(saved, fallback=False)
    except Exception as exc:  # any storage failure: S3 down, timeouts, refused, denied
        if not uses_remote_storage():
            raise
        logger.warning(
            "storage save failed, keeping the file locally",
            extra={"key": name, "error": type(exc).__name__},
        )
        _count_fallback()
        local = fallback_storage()
        if local.exists(name):
            local.delete(name)
        return StoredFile(local.save(name, ContentFile(data)), fallback=True)


def read_bytes(name: str) -> bytes:
    local = fallback_storage()
    if uses_remote_storage() and local.exists(name):
        storage = local
    else:
        storage = primary_storage()
    with storage.open(name, "rb") as handle:
        return handle.read()


def delete_file(name: str) -> None:
    for storage in (primary_storage(), fallback_storage()):
        try:
            if storage.exists(name):
                storage.delete(name)
        except Exception:  # best effort: an orphan file is better than a failed request
            logger.warning("could not delete a stored file", extra={"key": name})


def is_served_locally(name: str) -> bool:
    return not uses_remote_storage() or fallback_storage().exists(name)


def file_url(name: str, *, expires_in: int | None = None) -> str:
    """A URL that downloads ``name``: the storage's own (presigned on S3) or a signed link to
    the local file view. Relative for local files; callers add the host where they know it."""
    if not name:
        return ""
    if not is_served_locally(name):
        return primary_storage().url(name)
    expires_in = expires_in or settings.AICEPS_S3_URL_EXPIRE_SECONDS
    expires_at = int(time.time()) + expires_in
    signature = signing.Signer(salt=SIGNER_SALT).sign(f"{name}:{expires_at}").rsplit(":", 1)[1]
    query = urlencode({"expires": expires_at, "signature": signature})
    return f"{reverse('task-file', kwargs={'key': name})}?{query}"


def signature_is_valid(name: str, expires: str, signature: str) -> bool:
    try:
        expires_at = int(expires)
    except (TypeError, ValueError):
        return False
    if expires_at < time.time():
        return False
    try:
        signing.Signer(salt=SIGNER_SALT).unsign(f"{name}:{expires_at}:{signature}")
    except signing.BadSignature:
        return False
    return True


def open_local(name: str):
    storage = fallback_storage() if uses_remote_storage() else primary_storage()
    return storage.open(name, "rb")


def storage_reupload_pending(*, limit: int = 200) -> int:
    """Move files kept locally during an S3 outage to S3; returns how many moved."""
    from .models import TaskHistory

    if not uses_remote_storage():
        return 0
    moved = 0
    local = fallback_storage()
    tasks = TaskHistory.objects.filter(storage_fallback=True).order_by("created_at")[:limit]
    for task in tasks:
        pending = [name for name in task_file_names(task) if local.exists(name)]
        try:
            for name in pending:
                with local.open(name, "rb") as handle:
                    data = handle.read()
                primary_storage().save(name, ContentFile(data))
                local.delete(name)
                moved += 1
        except Exception as exc:
            logger.warning("re-upload failed; will try again", extra={"error": type(exc).__name__})
            break
        TaskHistory.objects.filter(pk=task.pk).update(storage_fallback=False)
    return moved


def task_file_names(task) -> list[str]:
    names = [task.original_image.name, task.generated_image.name]
    extra = task.extra_files or {}
    names += list(extra.get("sources", [])) + list(extra.get("generated", []))
    if extra.get("mask"):
        names.append(extra["mask"])
    return [name for name in dict.fromkeys(names) if name]


def _count_fallback() -> None:
    try:
        from aiceps.metrics import STORAGE_FALLBACKS

        STORAGE_FALLBACKS.inc()
    except ImportError:  # metrics are optional wiring
        pass
