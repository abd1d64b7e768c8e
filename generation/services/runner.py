"""Running one task: claim it, run the two stages, finish and store the results, complete it.
(A text task, claimed the same way, runs its handler instead: ``text_tasks.text_task_run``.)

Between the stages and storing, the images are made what the task asked (``finishing``: the
background, the exact size, the format). A task that asked for ``n`` images and got fewer
(a provider that makes one at a time, or an upstream that answered short) completes with
those it got, and the credits of the others are refunded in the same transaction, once.

A task with a provider chain (``provider_chain``) runs the chain; it records the provider
that served it, and when that one costs less than what was charged (the dearest of the
chain), the difference is refunded in the same transaction, once.
"""

from __future__ import annotations

import logging
import time
from dataclasses import replace
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from accounts.services import credits_refund_undelivered
from catalogue.providers.base import (
    ImageProvider,
    ImageRequest,
    Progress,
    PromptPlan,
    PromptRequest,
    PromptResult,
    PromptWriter,
    ProviderError,
)
from catalogue.providers.registry import get_image_provider, get_prompt_writer
from catalogue.text_tasks import is_text_task
from core import metrics
from core.errors import DomainError
from core.logging import log_context
from core.retry import RetryPolicy

from ..files import TaskFiles
from ..live.publish import task_changed
from ..models import TaskHistory
from ..pipeline import Pipeline, PipelineResult, StageRecord
from ..storage import delete_file
from ..storage_batch import store_many
from .finishing import Finish, finish_images
from .leases import lease_kept
from .lifecycle import task_claim, task_complete, task_fail, task_fail_crashed, task_set_stage
from .pricing import task_price
from .progress import ProgressRecorder
from .provider_state import task_memory
from .task_inputs import pipeline_input
from .text_tasks import text_task_run

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
    if is_text_task(task.task_type):  # its answer is text: the same life, another run
        return text_task_run(task=task)
    started = time.perf_counter()
    recorder = ProgressRecorder(task)
    try:
        with lease_kept(task):
            result, served = _run_pipeline(task, recorder, observer)
            metrics.stages_finished(result)
            task_set_stage(task=task, stage=TaskHistory.Stage.STORING)
            observer.stage(task, TaskHistory.Stage.STORING)
            storing = time.perf_counter()
            fields = _store_results(task, result, recorder.partials, served)
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
        task_fail_crashed(
            task=task,
            error=exc,
            message="AicePS failed while running the task; the credits were refunded.",
        )
        return _reload(task)
    fields["generation_time_ms"] = round((time.perf_counter() - started) * 1000)
    delivered = len(fields["extra_files"]["generated"])
    wanted = _count(task)
    charged_each = task.credits_deducted // wanted
    served_each = min(_price_each(task, fields["image_provider"]), charged_each)
    cheaper = (charged_each - served_each) * wanted  # a cheaper provider of the chain served
    undelivered = max(0, wanted - delivered) * served_each
    fields["credits_deducted"] = task.credits_deducted - cheaper - undelivered
    with transaction.atomic():
        completed = task_complete(task=task, fields=fields)
        if completed and cheaper:
            credits_refund_undelivered(
                task=task,
                amount=cheaper,
                idempotency_key=f"refund-fallback:{task.pk}",
                note=f"Refund: served by {fields['image_provider']}, which costs less",
            )
        if completed and undelivered:
            credits_refund_undelivered(
                task=task,
                amount=undelivered,
                note=f"Refund: {wanted - delivered} of {wanted} images not delivered",
            )
    task = _reload(task)
    if not completed:
        logger.info("task finished elsewhere; result dropped", extra={"task_id": str(task.pk)})
        ended = task.status in (TaskHistory.Status.FAILED, TaskHistory.Status.CANCELLED)
        if task.deleted_at is not None or ended:
            # Failed, cancelled or deleted meanwhile (not completed by another attempt): no
            # row points at what this attempt stored.
            for name in [*fields["extra_files"]["generated"], *recorder.partials]:
                delete_file(name)
    return task


def _price_each(task: TaskHistory, provider: str) -> int:
    params = task.parameters or {}
    return task_price(
        task_type=task.task_type,
        image_provider=provider,
        size=params.get("size"),
        quality=params.get("quality"),
    )


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


class _Unavailable(ImageProvider, PromptWriter):
    """A provider of a chain that could not be built here: it fails with why, as a setup
    failure, so the chain moves on to the next one."""

    def __init__(self, name: str, error: ProviderError) -> None:
        self.name, self.error = name, error

    def generate(self, request: ImageRequest):
        raise self.error

    def write(self, request: PromptRequest):
        raise self.error


def _built(name: str, build):
    try:
        return build(name)
    except ProviderError as error:
        if error.code not in ("provider_unavailable", "not_configured"):
            error.code = "provider_unavailable"
        return _Unavailable(name, error)


def task_chains(task: TaskHistory) -> tuple[list[str], list[str]]:
    """The prompt writers and image providers that may run ``task``, in order."""
    chain = task.provider_chain or {}
    writers = list(chain.get("prompt_writer") or [task.prompt_writer])
    providers = list(chain.get("image_provider") or [task.image_provider])
    return writers, providers


def _run_pipeline(
    task: TaskHistory, recorder: ProgressRecorder, observer: RunObserver
) -> tuple[PipelineResult, tuple[str, str]]:
    writers, providers = task_chains(task)
    pipeline = Pipeline(
        prompt_writer=[_built(name, get_prompt_writer) for name in writers],
        image_provider=[_built(name, get_image_provider) for name in providers],
        retry=RetryPolicy.from_settings(),
    )

    def on_stage(stage: str) -> None:
        task_set_stage(task=task, stage=stage)
        observer.stage(task, stage)

    def on_progress(progress: Progress) -> None:
        recorder(progress)
        observer.progress(task, progress)

    data = replace(
        pipeline_input(task),
        task_id=str(task.pk),
        memory=lambda provider: task_memory(task, provider),
    )
    result = pipeline.run(
        data,
        cached_prompt=cached_prompt_for(task),
        on_stage=on_stage,
        on_prompt=lambda prompt, stage: _record_prompt(task, prompt, stage, observer),
        on_progress=on_progress,
    )
    # The registry names of the chain's providers that served (the stages know class names).
    served = (writers[result.prompt_stage.index], providers[result.image_stage.index])
    return result, served


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


def _store_results(
    task: TaskHistory, result: PipelineResult, partials: list[str], served: tuple[str, str]
) -> dict:
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
    if result.image.model_prompt:  # what the image model's text encoders read
        extra["model_prompt"] = dict(result.image.model_prompt)
    prompt_stage, image_stage = result.prompt_stage, result.image_stage
    writer, provider = served
    return {
        "prompt_writer": writer,
        "image_provider": provider,
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
