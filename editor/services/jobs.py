"""Short jobs the editor waits for, run on a worker: creative suggestions and story scenes.

They read photos (the web tier never decodes pixels) or call a prompt writer (a model, which
may take seconds), so the web process stores the input, queues the job once committed and
waits for it holding only the socket (``editor.waiting.wait_for_job``). A job's answer is
read once and the job deleted; jobs nobody collected are deleted an hour later.
"""

from __future__ import annotations

import logging
import uuid
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from catalogue.imaging import UploadedImage
from core.errors import DomainError
from generation.live.publish import task_changed
from generation.services.queue import enqueue_job
from generation.storage import delete_file, store_bytes

from ..models import EditorJob

logger = logging.getLogger(__name__)
FORGET_AFTER = timedelta(hours=1)
Status = EditorJob.Status


def _handlers() -> dict:
    from ..comics import describe_scenes
    from ..suggestions import suggest

    return {EditorJob.Kind.SUGGESTIONS: suggest, EditorJob.Kind.SCENES: describe_scenes}


def job_create(*, user, kind: str, payload: dict, image: UploadedImage | None = None) -> EditorJob:
    _forget_old(user)
    job = EditorJob(id=uuid.uuid4(), user=user, kind=kind, payload=payload)
    if image is not None:
        job.image_key = f"editor-jobs/{user.pk}/{job.pk}/input.{image.extension}"
        store_bytes(job.image_key, image.data)
    try:
        with transaction.atomic():
            job.save(force_insert=True)
            transaction.on_commit(lambda: _enqueue(job))
    except Exception:
        if job.image_key:
            delete_file(job.image_key)
        raise
    return job


def _enqueue(job: EditorJob) -> None:
    enqueue_job(
        "editor.tasks.run_job",
        str(job.pk),
        name=f"editor-{job.kind}-{job.pk}",
        cluster=settings.AICEPS_QUEUE_NAME,
    )


def job_run(*, job_id) -> EditorJob | None:
    """Run a pending job once; its result or error is kept for the waiting request."""
    job = EditorJob.objects.select_related("user").filter(pk=job_id).first()
    if job is None or job.is_final:
        return job
    fields: dict
    try:
        result = _handlers()[job.kind](job)
        fields = {"status": Status.DONE, "result": result}
    except DomainError as exc:
        fields = {
            "status": Status.FAILED,
            "error_code": exc.code[:64],
            "error_message": exc.message[:2000],
            "error_status": exc.status,
        }
        logger.info("editor job refused", extra={"job": str(job.pk), "code": exc.code})
    except Exception as exc:
        logger.exception("editor job failed", extra={"job": str(job.pk)})
        fields = {
            "status": Status.FAILED,
            "error_code": "internal_error",
            "error_message": "AicePS could not finish this request.",
            "error_status": 500,
            "result": {"detail": type(exc).__name__},
        }
    finally:
        if job.image_key:
            delete_file(job.image_key)
    fields.update(image_key="", updated_at=timezone.now())
    if EditorJob.objects.filter(pk=job.pk, status=Status.PENDING).update(**fields):
        task_changed(job.pk, status=fields["status"])  # wakes the waiter, like a task's change
    job.refresh_from_db()
    return job


def job_collect(*, job: EditorJob) -> None:
    """The answer was given: forget the job."""
    EditorJob.objects.filter(pk=job.pk).delete()


def _forget_old(user) -> None:
    old = EditorJob.objects.filter(user=user, created_at__lt=timezone.now() - FORGET_AFTER)
    for key in old.exclude(image_key="").values_list("image_key", flat=True):
        delete_file(key)
    old.delete()
