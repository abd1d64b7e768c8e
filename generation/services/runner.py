"""Running one task: claim it, run the two stages, finish and store the results, complete it.

Between the stages and storing, the images are made what the task asked (``finishing``: the
background, the exact size, the format). A task that asked for ``n`` images and got fewer
(a provider that makes one at a time, or an upstream that answered short) completes with
those it got, and the credits of the others are refunded in the same transaction, once.
"""

from __future__ import annotations

import logging
import time
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from accounts.services import credits_refund_undelivered
from core import metrics
from core.errors import DomainError
from core.logging import log_context
from core.retry import RetryPolicy

from ..files import TaskFiles
from ..live.publish import task_changed
from ..models import TaskHistory
from ..pipeline import Pipeline, PipelineResult, StageRecord
from ..providers.base import Progress, PromptPlan, PromptResult, ProviderError
from ..providers.registry import get_image_provider, get_prompt_writer
from ..storage_batch import store_many
from .finishing import Finish, finish_images
from .leases import lease_kept
from .lifecycle import task_claim, task_complete, task_fail, task_set_stage
from .progress import ProgressRecorder
from .task_inputs import pipeline_input

logger = logging.getLogger(__name__)
EXTENSIONS = {"image/png": "png", "image/jpeg": "jpg", "image/webp": "webp"}


class RunObserver:
    """Hears a run as it happens, in the running thread (the CLI prints it). The task's row
    and its waiters are told anyway; an observer only adds a listener."""

    def stage(self, task: TaskHistory, stage: str) -> None:
        """A stage starts: ``writing_prompt``, ``generating_image``, ``storing``."""

    def progress(self, task: TaskHistory, progress: Progress) -> None:
        """The image provider reported progress inside stage 2."""


def task_run(*, task_id, observer: RunObserver | None = None) -> TaskHistory | None:
    """Run a queued task to its end. Safe to call twice: a second call finds nothing to claim.

    Never raises for a task's own failure: the task is marked failed and refunded instead."""
    with log_context(task_id=str(task_id)):
        return _run(task_id, observer or RunObserver())


def _run(task_id, observer: RunObserver) -> TaskHistory | None:
    task = task_claim(task_id=task_id)
    if task is None:
        logger.info("task not claimable", extra={"task_id": str(task_id)})
        return None
    started = time.perf_counter()
    recorder = ProgressRecorder(task)
    try:
        with lease_kept(task):
            result = _run_pipeline(task, recorder, observer)
            metrics.stages_finished(result)
            task_set_stage(task=task, stage=TaskHistory.Stage.STORING)
            observer.stage(task, TaskHistory.Stage.STORING)
            storing = time.perf_counter()
            fields = _store_results(task, result, recorder.partials)
        fields["storage_time_ms"] = round((time.perf_counter() - storing) * 1000)
    except DomainError as error:  # a provider's, or an input that failed to decode
        if isinstance(error, ProviderError):
            metrics.provider_error(error)
        task_fail(
            task=task,
            code=error.code,
            message=error.message,
            status=422 if error.status < 500 else error.status,
            detail=error.detail,
        )
        return _reload(task)
    except Exception as exc:  # a bug must not leave the task stuck or the credits taken
        logger.exception("task crashed", extra={"task_id": str(task.pk)})
        task_fail(
            task=task,
            code="internal_error",
            message="AicePS failed while running the task; the credits were refunded.",
            status=500,
            detail=f"{type(exc).__name__}: {exc}"[:2000],
        )
        return _reload(task)
    fields["generation_time_ms"] = round((time.perf_counter() - started) * 1000)
    delivered = len(fields["extra_files"]["generated"])
    wanted = _count(task)
    undelivered = max(0, wanted - delivered) * (task.credits_deducted // wanted)
    if undelivered:
        fields["credits_deducted"] = task.credits_deducted - undelivered
    with transaction.atomic():
        completed = task_complete(task=task, fields=fields)
        if completed and undelivered:
            credits_refund_undelivered(
                task=task,
                amount=undelivered,
                note=f"Refund: {wanted - delivered} of {wanted} images not delivered",
            )
    if not completed:
        logger.info("task finished elsewhere; result dropped", extra={"task_id": str(task.pk)})
    return _reload(task)


def _count(task: TaskHistory) -> int:
    return max(1, int((task.parameters or {}).get("n", 1) or 1))


def _reload(task: TaskHistory) -> TaskHistory:
    task.refresh_from_db()
    return task


def cached_prompt_for(task: TaskHistory) -> PromptResult | None:
    """A professional prompt written for the same request recently, to skip stage 1."""
    seconds = settings.AICEPS_PROMPT_CACHE_SECONDS
    if seconds <= 0 or not task.request_fingerprint:
        return None
    earlier = (
        TaskHistory.objects.filter(
            user_id=task.user_id,
            request_fingerprint=task.request_fingerprint,
            created_at__gte=timezone.now() - timedelta(seconds=seconds),
        )
        .exclude(pk=task.pk)
        .exclude(professional_prompt="")
        .order_by("-created_at")
        .values("professional_prompt", "prompt_model")
        .first()
    )
    if earlier is None:
        return None
    return PromptResult(
        prompt=earlier["professional_prompt"], model=earlier["prompt_model"], plan=PromptPlan()
    )


def _run_pipeline(
    task: TaskHistory, recorder: ProgressRecorder, observer: RunObserver
) -> PipelineResult:
    pipeline = Pipeline(
        prompt_writer=get_prompt_writer(task.prompt_writer),
        image_provider=get_image_provider(task.image_provider),
        retry=RetryPolicy.from_settings(),
    )

    def on_stage(stage: str) -> None:
        task_set_stage(task=task, stage=stage)
        observer.stage(task, stage)

    def on_progress(progress: Progress) -> None:
        recorder(progress)
        observer.progress(task, progress)

    return pipeline.run(
        pipeline_input(task),
        cached_prompt=cached_prompt_for(task),
        on_stage=on_stage,
        on_prompt=lambda prompt, stage: _record_prompt(task, prompt, stage, observer),
        on_progress=on_progress,
    )


def _record_prompt(
    task: TaskHistory, prompt: PromptResult, stage: StageRecord, observer: RunObserver
) -> None:
    """Keep stage 1's work as soon as it is done: the task page shows it while stage 2 runs,
    a failed task still tells which prompt the image model was given, and a retry can reuse it."""
    task.stage = TaskHistory.Stage.GENERATING_IMAGE  # stage 2 starts next; one write for both
    TaskHistory.objects.filter(pk=task.pk, status=TaskHistory.Status.PROCESSING).update(
        stage=task.stage,
        professional_prompt=prompt.prompt,
        prompt_model=stage.model,
        prompt_cached=stage.cached,
        prompt_tokens=stage.tokens,
        tokens_used=stage.tokens,
        prompt_time_ms=stage.duration_ms,
        updated_at=timezone.now(),
    )
    task_changed(task.pk, status=task.status, stage=task.stage)
    observer.stage(task, task.stage)


def _store_results(task: TaskHistory, result: PipelineResult, partials: list[str]) -> dict:
    finished = finish_images(
        result.image.images[: _count(task)], Finish.from_parameters(task.parameters)
    )
    keys = TaskFiles(task)
    files = []
    for position, (image, _) in enumerate(finished, start=1):
        ext = EXTENSIONS.get(image.mime_type, "png")
        files.append((keys.output_key(position, ext), image.data))
    saved = store_many(files)
    names = [file.name for file in saved]
    fallback = task.storage_fallback or any(file.fallback for file in saved)
    extra = {**(task.extra_files or {}), "generated": names}
    extra["outputs"] = [facts for _, facts in finished]
    if partials:
        extra["partials"] = list(partials)
    prompt_stage, image_stage = result.prompt_stage, result.image_stage
    return {
        "generated_image": names[0],
        "extra_files": extra,
        "storage_fallback": fallback,
        "professional_prompt": result.prompt.prompt,
        "prompt_cached": prompt_stage.cached,
        "prompt_model": prompt_stage.model,
        "model_version": image_stage.model,
        "prompt_tokens": prompt_stage.tokens,
        "tokens_used": prompt_stage.tokens + image_stage.tokens,
        "prompt_time_ms": prompt_stage.duration_ms,
        "image_time_ms": image_stage.duration_ms,
    }
