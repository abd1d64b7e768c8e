"""Where task images go: the configured storage (S3 or local disk), with a local fallback.

Keys are exact (a task's keys are made by ``generation.files.TaskFiles``): storing a key again
replaces the file.

S3 (``S3_BUCKET_NAME`` set) keeps two local folders under ``MEDIA_ROOT``:

``s3-fallback/``
    When an upload fails (the server is down, hung, refusing or denying), the file is kept
    here under the same key, served from here, and its task is marked
    (``TaskHistory.storage_fallback``) so the scheduled ``storage_reupload_pending`` (in
    ``generation.services.storage_jobs``) moves
    it to S3 later. A task never fails, and never answers without a working URL, because S3
    had a bad minute.
``s3-cache/``
    A copy of each upload, kept ``AICEPS_S3.cache_seconds``: a worker on the same host reads
    a task's inputs without downloading them, and a task created just before an outage still
    runs. ``storage_prune_cache`` (called by the re-upload job) removes old copies.

With several hosts, ``MEDIA_ROOT`` must be shared between web and worker processes, as it
must be for local storage: otherwise a worker cannot read inputs kept in another host's
fallback folder while S3 is down.

Local files (local storage, or the S3 fallback) are served by
``generation.views.files.serve_task_file``: the owner (or staff) can always read them; a URL
from :func:`file_url` also carries a signature that expires, like an S3 presigned URL, so a
client can download the result without a session.
"""

from __future__ import annotations

import contextlib
import logging
import os
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from django.conf import settings
from django.core import signing
from django.core.exceptions import SuspiciousFileOperation
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage, Storage, default_storage
from django.utils.crypto import constant_time_compare
from django.utils.http import urlencode

from core import metrics

from .storage_breaker import breaker, timed_out

logger = logging.getLogger(__name__)
SIGNER_SALT = "aiceps.task-file"
FALLBACK_DIR = "s3-fallback"
CACHE_DIR = "s3-cache"
STALE_TEMP_SECONDS = 3600


@dataclass(frozen=True)
class StoredFile:
    name: str
    fallback: bool  # True: kept locally because the remote storage failed


# --- Which storage ----------------------------------------------------------------------


def uses_remote_storage() -> bool:
    # default_storage is a lazy proxy; isinstance sees the wrapped class.
    return not isinstance(default_storage, FileSystemStorage)


def primary_storage() -> Storage:
    return default_storage


def fallback_storage() -> FileSystemStorage:
    """Files waiting for S3 (built per call: tests change ``MEDIA_ROOT``; it is cheap)."""
    return FileSystemStorage(location=Path(settings.MEDIA_ROOT) / FALLBACK_DIR)


def cache_storage() -> FileSystemStorage:
    return FileSystemStorage(location=Path(settings.MEDIA_ROOT) / CACHE_DIR)


def cache_seconds() -> int:
    return settings.AICEPS_S3.cache_seconds


def now_seconds() -> float:
    return time.time()


# --- Writing, reading, deleting ---------------------------------------------------------


def store_bytes(name: str, data: bytes) -> StoredFile:
    """Save ``data`` under ``name`` (an exact key: an existing file is replaced).

    On S3, a failed upload keeps the file locally and answers ``fallback=True``; the caller
    marks its task. Local storage errors (a full disk) are raised."""
    storage = primary_storage()
    if not uses_remote_storage():
        return StoredFile(save_exact(storage, name, data), fallback=False)
    if not breaker.allow():  # S3 failed again and again: don't wait on it for a while
        return _keep_locally(name, data)
    started = time.perf_counter()
    try:
        saved = save_exact(storage, name, data)
    except Exception as exc:  # any storage failure: S3 down, timeouts, refused, denied
        breaker.failed(hang=timed_out(exc))
        logger.warning(
            "storage save failed, keeping the file locally",
            extra={
                "key": name,
                "error": type(exc).__name__,
                "detail": str(exc)[:300],
                "duration_ms": round((time.perf_counter() - started) * 1000),
            },
        )
        return _keep_locally(name, data)
    breaker.succeeded()
    # A copy kept during an earlier outage would shadow the new object.
    discard_local(fallback_storage(), saved)
    if cache_seconds() > 0:
        try:
            _write_local(cache_storage(), saved, data)
        except OSError:  # the cache is an optimisation
            logger.warning("could not cache a stored file locally", extra={"key": saved})
    return StoredFile(saved, fallback=False)


def _keep_locally(name: str, data: bytes) -> StoredFile:
    metrics.storage_fell_back()
    _write_local(fallback_storage(), name, data, durable=True)
    discard_local(cache_storage(), name)
    return StoredFile(name, fallback=True)


def read_bytes(name: str) -> bytes:
    """The file's bytes: a local copy when there is one, else from the storage."""
    if uses_remote_storage():
        for local in (fallback_storage(), cache_storage()):
            data = read_local(local, name)
            if data is not None:
                return data
    with primary_storage().open(name, "rb") as handle:
        return handle.read()


def delete_file(name: str) -> None:
    """Remove ``name`` everywhere, best effort: an orphan file beats a failed request."""
    if uses_remote_storage():
        discard_local(fallback_storage(), name)
        discard_local(cache_storage(), name)
    try:
        primary_storage().delete(name)  # S3 and the file system both ignore a missing file
    except Exception as exc:
        logger.warning(
            "could not delete a stored file", extra={"key": name, "error": type(exc).__name__}
        )


def open_local(name: str):
    """Open a locally served file (see :func:`is_served_locally`) for reading."""
    storage = fallback_storage() if uses_remote_storage() else primary_storage()
    return storage.open(name, "rb")


# --- URLs -------------------------------------------------------------------------------


def is_served_locally(name: str) -> bool:
    """True when ``name`` is downloaded through the local file view, not from S3."""
    return not uses_remote_storage() or _exists(fallback_storage(), name)


def file_url(name: str, *, expires_in: int | None = None) -> str:
    """A URL that downloads ``name``: the storage's own (presigned on S3, plain when public)
    or a signed link to the local file view. Never touches the network. Relative for local
    files; callers add the host where they know it."""
    if not name:
        return ""
    if not is_served_locally(name):
        storage = primary_storage()
        if expires_in and hasattr(storage, "querystring_expire"):  # django-storages' S3
            return storage.url(name, expire=expires_in)
        return storage.url(name)
    expires_in = expires_in or settings.AICEPS_S3.url_expire_seconds
    expires_at = int(now_seconds()) + expires_in
    query = urlencode({"expires": expires_at, "signature": _signature(name, expires_at)})
    return f"{settings.AICEPS_FILES_URL}{quote(name)}?{query}"


def _signature(name: str, expires_at: int) -> str:
    return signing.Signer(salt=SIGNER_SALT).signature(f"{name}:{expires_at}")


def signature_is_valid(name: str, expires: str | None, signature: str | None) -> bool:
    """Whether ``expires``/``signature`` (from a :func:`file_url` link) allow reading ``name``
    now."""
    try:
        expires_at = int(expires)
    except (TypeError, ValueError):
        return False
    if not signature or expires_at < now_seconds():
        return False
    return constant_time_compare(_signature(name, expires_at), signature)


# --- Helpers (also used by generation.services.storage_jobs) ---------------------------


def save_exact(storage: Storage, name: str, data: bytes) -> str:
    """``storage.save`` that replaces an existing file instead of picking another name."""
    overwrites = getattr(storage, "file_overwrite", False) or getattr(
        storage, "allow_overwrite", False
    )
    if not overwrites and storage.exists(name):
        storage.delete(name)
    return storage.save(name, ContentFile(data))


def _write_local(storage: FileSystemStorage, name: str, data: bytes, *, durable=False) -> None:
    """Write atomically (a temporary file, then a rename): a reader never sees half a file."""
    path = Path(storage.path(name))  # raises SuspiciousFileOperation outside the folder
    temporary = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
    for attempt in (1, 2):
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
            break
        except FileNotFoundError:  # a cleanup removed the empty folder meanwhile
            if attempt == 2:
                raise
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            if durable:  # the only copy of someone's file until S3 is back
                handle.flush()
                os.fsync(handle.fileno())
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        raise


def read_local(storage: FileSystemStorage, name: str) -> bytes | None:
    try:
        return Path(storage.path(name)).read_bytes()
    except (FileNotFoundError, NotADirectoryError, IsADirectoryError):
        return None
    except (SuspiciousFileOperation, ValueError):  # outside the folder, NUL byte
        return None


def _exists(storage: FileSystemStorage, name: str) -> bool:
    try:
        return Path(storage.path(name)).is_file()
    except (SuspiciousFileOperation, ValueError):
        return False


def discard_local(storage: FileSystemStorage, name: str) -> None:
    try:
        path = Path(storage.path(name))
        path.unlink()
    except (FileNotFoundError, NotADirectoryError, SuspiciousFileOperation, ValueError):
        return
    except OSError as exc:
        logger.warning("could not remove a local copy", extra={"key": name, "error": str(exc)})
        return
    # Remove the folders the key left empty, up to the storage's root.
    root = Path(storage.location)
    parent = path.parent
    while parent != root and root in parent.parents:
        try:
            parent.rmdir()
        except OSError:  # not empty (or gone)
            break
        parent = parent.parent


def delete_prefix(prefix: str) -> int:
    """Remove every file under the folder ``prefix`` (``task-history/12/``) everywhere: the
    storage, and with S3 the local fallback and cache copies too. Returns how many files
    the storage itself held there. Errors are raised: a caller that promised deletion
    must know it did not happen."""
    prefix = prefix.strip("/") + "/"
    if prefix == "/" or ".." in prefix.split("/"):
        raise ValueError(f"refusing to delete under {prefix!r}")
    storage = primary_storage()
    if not uses_remote_storage():
        return _remove_local_folder(storage, prefix)
    removed = 0
    for name in _walk(storage, prefix):
        storage.delete(name)
        removed += 1
    for local in (fallback_storage(), cache_storage()):
        _remove_local_folder(local, prefix)
    return removed


def _walk(storage: Storage, folder: str):
    try:
        folders, files = storage.listdir(folder)
    except FileNotFoundError:
        return
    for name in files:
        yield f"{folder}{name}"
    for sub in folders:
        yield from _walk(storage, f"{folder}{sub}/")


def _remove_local_folder(storage: FileSystemStorage, prefix: str) -> int:
    import shutil

    path = Path(storage.path(prefix))
    if not path.exists():
        return 0
    count = sum(1 for item in path.rglob("*") if item.is_file())
    shutil.rmtree(path)
    return count
