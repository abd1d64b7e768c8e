"""The editor's own task records (``/api/task-history`` ``create``, ``original-image``,
``complete``): kept as reported, and linked to AicePS's real task once it is found.

Nothing here changes a task, its charge or its files; a record only says what the editor
claimed. The real task is the user's own task created after the record with the same
original photo (its SHA-256), or, for text to image, the same prompt.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from django.db import IntegrityError, transaction
from django.utils import timezone

from catalogue.imaging import UploadedImage
from generation.selectors import task_list_matching

from ..models import ClientTaskRecord

if TYPE_CHECKING:
    from generation.models import TaskHistory

LINK_WINDOW = timedelta(minutes=1)  # clocks of web processes may differ a little


def _int_or_none(value) -> int | None:
    if isinstance(value, bool):
        return None
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return max(-(2**31), min(number, 2**31 - 1))


def record_create(
    *,
    user,
    task_type: str = "",
    prompt: str = "",
    model_version: str = "",
    aspect_ratio: str = "",
    status: str = "pending",
) -> ClientTaskRecord:
    return ClientTaskRecord.objects.create(
        user=user,
        task_type=(task_type or "")[:32],
        prompt=(prompt or "")[:4000],
        model_version=(model_version or "")[:100],
        aspect_ratio=(aspect_ratio or "")[:8],
        status=(status or "pending")[:16],
    )


def record_attach_original(*, record: ClientTaskRecord, image: UploadedImage) -> ClientTaskRecord:
    """Note which photo the editor is editing (its hash: AicePS keeps the task's own copy)."""
    record.original_sha256 = image.sha256
    record.original_bytes = len(image.data)
    record.status = "processing"
    record.save(update_fields=["original_sha256", "original_bytes", "status"])
    return record  # linked at completion: the edit's own task does not exist yet


def record_complete(
    *,
    record: ClientTaskRecord,
    tokens_used=None,
    credits_deducted=None,
    generation_time_ms=None,
    error_message: str = "",
    image_bytes: int | None = None,
) -> ClientTaskRecord:
    record.reported_tokens_used = _int_or_none(tokens_used)
    record.reported_credits_deducted = _int_or_none(credits_deducted)
    record.reported_generation_time_ms = _int_or_none(generation_time_ms)
    record.reported_error_message = (error_message or "")[:2000]
    record.reported_image_bytes = image_bytes
    record.status = "failed" if error_message else "completed"
    record.completed_at = timezone.now()
    record.save()
    record_link(record=record)
    return record


def record_link(*, record: ClientTaskRecord) -> TaskHistory | None:
    """Find and keep the real task this record describes (once; a task has one record).

    Among the user's unreported tasks with the record's photo (or, for text to image, its
    prompt), the first created after the record wins, one with the record's prompt before
    one without: an earlier task on the same photo (a refused edit leaves the photo as it
    was) is taken only when nothing newer matches, within the clocks' tolerance."""
    if record.task_id is not None:
        return record.task
    prompt = record.prompt.strip()
    if not (record.original_sha256 or prompt):
        return None
    tasks = task_list_matching(
        user_id=record.user_id,
        since=record.created_at - LINK_WINDOW,
        input_sha256=record.original_sha256,
        prompt=prompt,
    )
    # Not one another record already describes (the link is the editor's own relation).
    candidates = list(tasks.filter(editor_record__isnull=True)[:50])
    if not candidates:
        return None
    task = min(
        candidates,
        key=lambda t: (
            bool(prompt) and t.prompt.strip() != prompt,
            t.created_at < record.created_at,
            abs((t.created_at - record.created_at).total_seconds()),
        ),
    )
    try:
        with transaction.atomic():
            updated = ClientTaskRecord.objects.filter(pk=record.pk, task=None).update(task=task)
    except IntegrityError:  # another record took it meanwhile
        return None
    if updated:
        record.task = task
    return record.task


def record_delete(*, record: ClientTaskRecord) -> None:
    record.delete()
