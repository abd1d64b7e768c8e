"""Running one task: claim it, run the two stages, store the results, finish it."""

from __future__ import annotations

import logging
import time
from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from core import metrics
from core.errors import DomainError
from core.logging import log_context
from core.retry import RetryPolicy

from ..files import TaskFiles
from ..imaging import decode_image, encode_image
from ..live.publish import task_changed
from ..models import TaskHistory
from ..pipeline import Pipeline, PipelineResult, StageRecord
from ..providers.base import PromptPlan, PromptResult, ProviderError
from ..providers.registry import get_image_provider, get_prompt_writer
from ..storage_batch import store_many
from .leases import lease_kept
from .lifecycle import task_claim, task_complete, task_fail, task_set_stage
from .progress import ProgressRecorder
from .task_inputs import pipeline_input

logger = logging.getLogger(__name__)
EXTENSIONS = {"image/png": "png", "image/jpeg": "jpg", "image/webp": "webp"}
FORMATS = {
    "png": ("PNG", "image/png"),
    "jpeg": ("JPEG", "image/jpeg"),
    "jpg": ("JPEG", "image/jpeg"),
    "webp": ("WEBP", "image/webp"),
}


def task_run(*, task_id) -> TaskHistory | None:
    """Run a queued task to its end. Safe to call twice: a second call finds nothing to claim.

    Never raises for a task's own failure: the task is marked failed and refunded instead."""
    with log_context(task_id=str(task_id)):
        return _run(task_id)


def _run(task_id) -> TaskHistory | None:
    task = task_claim(task_id=task_id)
    if task is None:
        logger.info("task not claimable", extra={"task_id": str(task_id)})
        return None
    started = time.perf_counter()
    try:
        with lease_kept(task):
            result = _run_pipeline(task)
            metrics.stages_finished(result)
            task_set_stage(task=task, stage=TaskHistory.Stage.STORING)
            storing = time.perf_counter()
            fields = _store_results(task, result)
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
    if not task_complete(task=task, fields=fields):
        logger.info("task finished elsewhere; result dropped", extra={"task_id": str(task.pk)})
    return _reload(task)


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


def _run_pipeline(task: TaskHistory) -> PipelineResult:
    pipeline = Pipeline(
        prompt_writer=get_prompt_writer(task.prompt_writer),
        image_provider=get_image_provider(task.image_provider),
        retry=RetryPolicy.from_settings(),
    )
    return pipeline.run(
        pipeline_input(task),
        cached_prompt=cached_prompt_for(task),
        on_stage=lambda stage: task_set_stage(task=task, stage=stage),
        on_prompt=lambda prompt, stage: _record_prompt(task, prompt, stage),
        on_progress=ProgressRecorder(task),
    )


def _record_prompt(task: TaskHistory, prompt: PromptResult, stage: StageRecord) -> None:
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


def _store_results(task: TaskHistory, result: PipelineResult) -> dict:
    wanted = FORMATS.get(str((task.parameters or {}).get("output_format", "")).lower())
    keys = TaskFiles(task)
    files = []
    for position, image in enumerate(result.image.images, start=1):
        data, mime = image.data, image.mime_type
        if wanted and wanted[1] != mime:
            data, mime = encode_image(decode_image(data), format=wanted[0]), wanted[1]
        ext = EXTENSIONS.get(mime, "png")
        files.append((keys.output_key(position, ext), data))
    saved = store_many(files)
    names = [file.name for file in saved]
    fallback = task.storage_fallback or any(file.fallback for file in saved)
    extra = {**(task.extra_files or {}), "generated": names}
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
