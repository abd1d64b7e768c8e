"""A user's export: every task they have (deleted ones aside) and their ledger, as a ZIP.

``tasks.json`` holds each task as the API shows it (without links, which expire) plus the
names of its files; ``ledger.json`` every credit movement; ``files/{task id}/{name}`` the
task's photos, mask and results as stored. Built in a temporary file (spilled to disk past
a few megabytes), so a large history never sits in memory whole.
"""

from __future__ import annotations

import json
import logging
import tempfile
import zipfile

from django.utils import timezone

from accounts.selectors import credits_balance, credits_ledger

from ..files import TaskFiles
from ..models import TaskHistory
from ..presenters import task_payload
from ..storage import read_bytes

logger = logging.getLogger(__name__)
URL_FIELDS = ("original_image_url", "generated_image_url", "generated_image_urls")
URL_FIELDS += ("source_image_urls", "status_url")


def export_tasks(*, user) -> list[dict]:
    rows = []
    for task in TaskHistory.objects.filter(user=user, deleted_at=None).order_by("created_at"):
        payload = task_payload(task)
        for name in URL_FIELDS:
            payload.pop(name, None)
        payload["files"] = [name.rsplit("/", 1)[-1] for name in TaskFiles(task).all()]
        payload["files_expired_at"] = (
            task.files_expired_at.isoformat() if task.files_expired_at else None
        )
        rows.append(payload)
    return rows


def export_ledger(*, user) -> list[dict]:
    return [
        {
            "created_at": row.created_at.isoformat(),
            "kind": row.kind,
            "amount": row.amount,
            "balance_after": row.balance_after,
            "task_id": str(row.task_id) if row.task_id else None,
            "note": row.note,
        }
        for row in credits_ledger(user=user).order_by("created_at", "id")
    ]


def user_export(*, user, with_files: bool = True):
    """An open temporary file holding the ZIP (the caller streams and closes it)."""
    # Returned open: the response streams it and closes it.
    handle = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115
    summary = {
        "user": user.get_username(),
        "exported_at": timezone.now().isoformat(),
        "balance": credits_balance(user=user),
    }
    with zipfile.ZipFile(handle, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("account.json", json.dumps(summary, indent=2, ensure_ascii=False))
        tasks = export_tasks(user=user)
        archive.writestr("tasks.json", json.dumps(tasks, indent=2, ensure_ascii=False))
        archive.writestr(
            "ledger.json", json.dumps(export_ledger(user=user), indent=2, ensure_ascii=False)
        )
        if with_files:
            for task in TaskHistory.objects.filter(user=user, deleted_at=None).iterator():
                for name in TaskFiles(task).all():
                    try:
                        data = read_bytes(name)
                    except Exception as exc:  # gone from storage: the export says so
                        logger.warning("export: file unreadable", extra={"key": name})
                        data = f"unreadable: {type(exc).__name__}".encode()
                        name = f"{name}.missing.txt"
                    archive.writestr(
                        f"files/{task.pk}/{name.rsplit('/', 1)[-1]}",
                        data,
                        compress_type=zipfile.ZIP_STORED,  # images are compressed already
                    )
    handle.seek(0)
    return handle
