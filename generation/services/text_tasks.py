"""Text tasks (``catalogue.text_tasks``): tasks whose answer is text, run by the same services.

A text task is a row of the task table like any other: :func:`text_task_create` prices and
charges it (the ledger's rules; free today), stores its photo under the task's keys and
queues it once committed (``enqueue_task``); a worker claims it under a lease
(``task_claim``, ``lease_kept``), the reaper re-queues or fails it when its worker is lost,
and every change is announced to waiters (``generation.live``), so the editor waits on it as
on an image task. :func:`text_task_run` is the runner's branch for it: the handler's answer
goes to ``result``, an error to the task's error fields (with its refund).

What differs is that it is internal to the route that asked: it is not listed, counted in
the statistics or sent to webhooks (``is_text_task``), and :func:`text_task_collect` forgets
it once its answer was read; ones nobody collected are forgotten an hour later (by the
user's next text task, or the hourly retention job).
"""

from __future__ import annotations

import logging
import time
import uuid
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from accounts.services import credits_charge
from catalogue.imaging import UploadedImage
from catalogue.providers.registry import resolve_name
from catalogue.text_tasks import TEXT_TASK_TYPES, TextRequest, text_handler, text_spec
from core import metrics
from core.errors import DomainError, ValidationError

from ..files import TaskFiles
from ..liveness import group_served
from ..models import TaskHistory
from ..storage import delete_file, read_bytes
from ..storage_batch import store_many
from .leases import lease_kept
from .lifecycle import task_complete, task_fail, task_fail_crashed
from .queue import enqueue_task
from .workers import NoWorkerError

logger = logging.getLogger(__name__)
FORGET_AFTER = timedelta(hours=1)


def text_task_create(
    *,
    user: User,
    task_type: str,
    text: str = "",
    parameters: dict | None = None,
    photo: UploadedImage | None = None,
    source: str = "editor",
) -> TaskHistory:
    """Record, charge and queue (once committed) a text task; its photo is stored first.

    Raises ``ValidationError`` for a photo the type does not take (or lacks),
    ``NoWorkerError`` (503, nothing stored or charged) when no worker of the default queue
    is alive, and ``InsufficientCreditsError`` when it has a price the user cannot pay."""
    spec = text_spec(task_type)
    if spec.photo != (photo is not None):
        raise ValidationError(
            "Send one photo." if spec.photo else "This takes no photo.",
            code="missing_image" if spec.photo else "unexpected_image",
            param="image",
        )
    if not group_served("default"):
        raise NoWorkerError(
            retry_after=30,
            detail="No worker of the default queue has reported itself in the last "
            "AICEPS_WORKER_STALE_SECONDS: start one (./scripts/run does).",
        )
    text_tasks_forget(user=user)
    task = TaskHistory(
        id=uuid.uuid4(),
        user=user,
        task_type=spec.value.value,
        source=source,
        prompt=text,
        parameters=dict(parameters or {}),
        prompt_writer=resolve_name(None, kind="prompt_writer"),
        credits_deducted=spec.price,
    )
    stored = []
    if photo is not None:
        saved = store_many([(TaskFiles(task).input_key(1, photo.extension), photo.data)])
        stored = [file.name for file in saved]
        task.original_image.name = stored[0]
        task.storage_fallback = any(file.fallback for file in saved)
    try:
        with transaction.atomic():
            task.save(force_insert=True)
            credits_charge(user=user, amount=spec.price, task=task, note="Text task")
            enqueue_task(task)
    except Exception:
        for name in stored:
            delete_file(name)
        raise
    metrics.task_created(task)
    return task


def text_task_run(*, task: TaskHistory) -> TaskHistory | None:
    """Run a claimed text task: its answer completes it, an error fails it (refunded).
    Called by ``task_run`` once the task is claimed; never raises for the task's own
    failure."""
    started = time.perf_counter()
    photo = TaskFiles(task).original
    try:
        with lease_kept(task):
            request = TextRequest(
                text=task.prompt,
                parameters=dict(task.parameters or {}),
                photo=read_bytes(photo) if photo else None,
                prompt_writer=task.prompt_writer,
            )
            result = text_handler(task.task_type)(request)
    except DomainError as error:
        logger.info("text task refused", extra={"task_id": str(task.pk), "code": error.code})
        task_fail(
            task=task,
            code=error.code,
            message=error.message,
            status=error.status,
            detail=error.detail,
        )
    except Exception as exc:  # a bug must not leave the task stuck
        logger.exception("text task crashed", extra={"task_id": str(task.pk)})
        task_fail_crashed(task=task, error=exc, message="AicePS could not finish this request.")
    else:
        elapsed = round((time.perf_counter() - started) * 1000)
        task_complete(task=task, fields={"result": result, "generation_time_ms": elapsed})
    if photo:  # the photo was only needed for the answer
        delete_file(photo)
    return TaskHistory.objects.filter(pk=task.pk).first()  # None: forgotten meanwhile


def text_task_collect(*, task: TaskHistory) -> None:
    """The answer was given: forget the task (a free one entirely; a charged one stays for
    the ledger, marked deleted)."""
    _forget(TaskHistory.objects.filter(pk=task.pk, task_type__in=TEXT_TASK_TYPES))


def text_tasks_forget(*, user: User | None = None, now=None) -> int:
    """Forget the text tasks (of ``user``, or everyone's) created over an hour ago."""
    cutoff = (now or timezone.now()) - FORGET_AFTER
    old = TaskHistory.objects.filter(
        task_type__in=TEXT_TASK_TYPES, created_at__lt=cutoff, deleted_at=None
    )
    return _forget(old.filter(user=user) if user is not None else old)


def _forget(tasks) -> int:
    forgotten = 0
    for task in tasks.only("pk", "original_image", "credits_deducted"):
        if task.original_image:  # a worker still running it has read it already, or fails
            delete_file(task.original_image.name)
        if task.credits_deducted:
            forgotten += TaskHistory.objects.filter(pk=task.pk).update(deleted_at=timezone.now())
        else:
            forgotten += bool(TaskHistory.objects.filter(pk=task.pk).delete()[0])
    return forgotten
