"""The scheduled storage jobs: move files kept locally during an S3 outage to S3, and prune
the local copies of uploads."""

from __future__ import annotations

import contextlib
import logging
import os
from pathlib import Path

from django.conf import settings

from ..files import TaskFiles
from ..models import TaskHistory
from ..storage import (
    CACHE_DIR,
    FALLBACK_DIR,
    STALE_TEMP_SECONDS,
    cache_seconds,
    discard_local,
    fallback_storage,
    now_seconds,
    primary_storage,
    read_local,
    save_exact,
    uses_remote_storage,
)

logger = logging.getLogger(__name__)


def storage_reupload_pending(*, limit: int = 200) -> int:
    """Move files kept locally during an S3 outage to S3; returns how many moved.

    Stops at the first failure (S3 is still down) and tries again on the next run. A task's
    mark is cleared once it is final and none of its files wait: a running task may still
    add files. Also prunes the local cache (:func:`storage_prune_cache`)."""
    storage_prune_cache()
    if not uses_remote_storage():
        return 0
    moved = 0
    local, remote = fallback_storage(), primary_storage()
    final = TaskHistory.FINAL_STATUSES
    tasks = TaskHistory.objects.filter(storage_fallback=True).order_by("created_at")[:limit]
    for task in tasks:
        try:
            for name in TaskFiles(task).all():
                data = read_local(local, name)
                if data is None:
                    continue
                save_exact(remote, name, data)
                discard_local(local, name)
                moved += 1
        except Exception as exc:
            logger.warning(
                "re-upload failed; will try again",
                extra={"task_id": str(task.pk), "error": type(exc).__name__},
            )
            break
        if task.status in final:
            TaskHistory.objects.filter(pk=task.pk, status__in=final).update(storage_fallback=False)
    if moved:
        logger.info("re-uploaded files kept locally", extra={"files": moved})
    return moved


def storage_prune_cache(*, max_age_seconds: int | None = None) -> int:
    """Remove cached copies older than ``AICEPS_S3.cache_seconds`` (and temporary files a
    crash left behind); returns how many files went."""
    max_age = cache_seconds() if max_age_seconds is None else max_age_seconds
    removed = 0
    now = now_seconds()
    for folder, age in ((CACHE_DIR, max_age), (FALLBACK_DIR, None)):
        root = Path(settings.MEDIA_ROOT) / folder
        if not root.is_dir():
            continue
        for directory, _, files in os.walk(root, topdown=False):
            for filename in files:
                path = Path(directory) / filename
                limit = STALE_TEMP_SECONDS if filename.endswith(".tmp") else age
                if limit is None:
                    continue
                with contextlib.suppress(FileNotFoundError):
                    if now - path.stat().st_mtime >= limit:
                        path.unlink()
                        removed += 1
            if Path(directory) != root:
                with contextlib.suppress(OSError):  # not empty
                    os.rmdir(directory)
    return removed
