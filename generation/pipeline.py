"""The two stages, run over injected providers. Retries live here, once.

Stage 1 asks a :class:`PromptWriter` for a professional English prompt (skipped when a cached
prompt for the same request is handed in); stage 2 asks an :class:`ImageProvider` for images.
Transient :class:`ProviderError` s are retried (``core.retry``: bounded exponential backoff that
honours ``retry_after``); permanent ones, and any unexpected exception, fail at once.

Progress: the provider reports inside stage 2 (``request.progress``); when the client wants
partial images and the provider made none while it worked (a model that answers once: the
offline editor, Gemini with one image), each image it returned is reported as a preview at the
stage's end, so a stream still gets a partial image from the stage boundary.

An image model that answers without an image (a question, a refusal: ``no_image`` or
``content_blocked``) is asked once more with the user's own words instead of the professional
prompt, as the photo editor does.

Fallback chains: each stage may be given several providers, in order. When one fails with
a transient error after its retries, or cannot do the request (``unsupported_task``, a setup
failure …: :data:`FALLBACK_CODES`), the next one is asked; the stage's record says which one
served (``StageRecord.index``) and which failed before it. Any other error ends the stage.

The editing primitives' promises (only the mask's inside changes, the photo stays in place
when expanded, the exact upscale size) are made true here for every provider
(:func:`catalogue.primitives.enforce`).

What a request may contain was checked when the task was created
(``catalogue.task_rules.validate``); the pipeline does not check it again.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import replace

from catalogue import primitives
from catalogue.providers.base import (
    SETUP_FAILURES,
    ImageProvider,
    ImageRequest,
    ImageResult,
    Progress,
    PromptPlan,
    PromptRequest,
    PromptResult,
    PromptWriter,
    ProviderError,
    TaskMemory,
)
from core.retry import RetryPolicy, call_with_retries

from .pipeline_records import PipelineInput, PipelineResult, StageRecord

__all__ = ["Pipeline", "PipelineInput", "PipelineResult", "RetryPolicy", "StageRecord"]
NO_IMAGE_CODES = ("no_image", "content_blocked")
# Refusals that say "this provider cannot do it" (another one of a chain may).
FALLBACK_CODES = frozenset(
    {
        "unsupported_task",
        "unsupported_instruction",
        "mask_not_supported",
        "mask_required",
        "too_many_images",
        *SETUP_FAILURES,
    }
)

logger = logging.getLogger(__name__)


class _PreviewCounter:
    """Passes progress on and counts the previews among it."""

    def __init__(self, report: Callable[[Progress], None] | None) -> None:
        self.report, self.count = report, 0

    def __call__(self, progress: Progress) -> None:
        if progress.preview:
            self.count += 1
        if self.report is not None:
            self.report(progress)


def _falls_through(error: ProviderError) -> bool:
    return error.retryable or error.code in FALLBACK_CODES


def _chain(value) -> list:
    return list(value) if isinstance(value, Sequence) else [value]


class Pipeline:
    """``prompt_writer`` and ``image_provider``: one provider each, or a chain (a list)."""

    def __init__(
        self,
        *,
        prompt_writer: PromptWriter | Sequence[PromptWriter],
        image_provider: ImageProvider | Sequence[ImageProvider],
        retry: RetryPolicy | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.prompt_writers = _chain(prompt_writer)
        self.image_providers = _chain(image_provider)
        self.retry = retry or RetryPolicy()
        self._sleep = sleep

    @property
    def prompt_writer(self) -> PromptWriter:
        return self.prompt_writers[0]

    @property
    def image_provider(self) -> ImageProvider:
        return self.image_providers[0]

    def _fallback(self, stage: str, chain: list, attempt) -> tuple:
        """``attempt(provider)`` for each provider of ``chain`` until one serves."""
        failed: list[tuple[str, str]] = []
        for index, provider in enumerate(chain):
            try:
                result, record = attempt(provider)
            except ProviderError as error:
                if index == len(chain) - 1 or not _falls_through(error):
                    if failed:
                        tried = ", ".join(f"{name} ({code})" for name, code in failed)
                        error.detail = f"Tried first: {tried}. {error.detail}".strip()
                    raise
                failed.append((provider.name, error.code))
                logger.warning(
                    "stage falls back to the next provider",
                    extra={"stage": stage, "provider": provider.name, "code": error.code},
                )
                continue
            return result, replace(record, index=index, fallbacks=tuple(failed))
        raise AssertionError("unreachable: an empty chain")

    def run(
        self,
        data: PipelineInput,
        *,
        cached_prompt: PromptResult | None = None,
        on_stage: Callable[[str], None] | None = None,
        on_prompt: Callable[[PromptResult, StageRecord], None] | None = None,
        on_progress: Callable[[Progress], None] | None = None,
    ) -> PipelineResult:
        if cached_prompt is not None:
            prompt, prompt_stage = (
                cached_prompt,
                StageRecord(
                    provider=self.prompt_writer.name,
                    model=cached_prompt.model,
                    duration_ms=0,
                    tokens=0,
                    attempts=0,
                    cached=True,
                ),
            )
        else:
            if on_stage:
                on_stage("writing_prompt")
            prompt_request = PromptRequest(
                instruction=data.instruction,
                task_type=data.task_type,
                images=data.images,
                aspect_ratio=data.aspect_ratio,
                hotspot=data.hotspot,
            )
            prompt, prompt_stage = self._fallback(
                "prompt",
                self.prompt_writers,
                lambda writer: self._stage(
                    "prompt", writer.name, lambda: writer.write(prompt_request)
                ),
            )
            if not prompt.prompt.strip():
                raise ProviderError(
                    "The prompt writer returned an empty prompt.",
                    code="empty_prompt",
                    provider=prompt_stage.provider,
                )
        if on_prompt:
            on_prompt(prompt, prompt_stage)
        if on_stage:
            on_stage("generating_image")
        plan = prompt.plan or PromptPlan()
        previews = _PreviewCounter(on_progress)
        request = ImageRequest(
            prompt=prompt.prompt,
            instruction=data.instruction,
            task_type=data.task_type,
            images=data.images,
            mask=data.mask,
            aspect_ratio=data.aspect_ratio or plan.aspect_ratio,
            hotspot=data.hotspot,
            count=data.count,
            size=data.size,
            report=previews if on_progress else None,
            model=data.model,
            options=data.options,
            partial_images=data.partial_images,
            task_id=data.task_id,
            scale=data.scale,
            padding=data.padding,
        )

        def attempt(provider: ImageProvider):
            memory = data.memory(provider.name) if data.memory is not None else TaskMemory()
            return self._image_stage(replace(request, memory=memory), provider)

        image, image_stage = self._fallback("image", self.image_providers, attempt)
        self._check_images(image, data, self.image_providers[image_stage.index].name)
        image = primitives.enforce(request, image)  # inpaint, expand, upscale: their promise
        if on_progress and data.partial_images > 0 and not previews.count:
            total = len(image.images)
            for step, generated in enumerate(image.images[: data.partial_images], start=1):
                on_progress(Progress("generated", step=step, steps=total, preview=generated.data))
        return PipelineResult(
            prompt=prompt, image=image, prompt_stage=prompt_stage, image_stage=image_stage
        )

    def _image_stage(
        self, request: ImageRequest, provider: ImageProvider | None = None
    ) -> tuple[ImageResult, StageRecord]:
        provider = provider or self.image_provider
        name = provider.name
        try:
            return self._stage("image", name, lambda: provider.generate(request))
        except ProviderError as error:
            words = request.instruction.strip()
            if error.code not in NO_IMAGE_CODES or not words or words == request.prompt.strip():
                raise
            logger.info("no image; asking once more with the user's own words")
            again = replace(request, prompt=words)
            return self._stage("image", name, lambda: provider.generate(again))

    def _check_images(self, result: ImageResult, data: PipelineInput, name: str) -> None:
        if not result.images or not all(image.data for image in result.images):
            detail = f" It said: {result.text[:300]}" if result.text else ""
            raise ProviderError(
                f"The image provider {name!r} returned no image.{detail}",
                permanent=True,
                code="no_image",
                provider=name,
            )
        inputs = {image.data for image in data.images}
        if any(image.data in inputs for image in result.images):
            raise ProviderError(
                f"The image provider {name!r} returned the input image unchanged.",
                permanent=True,
                code="unchanged_image",
                provider=name,
            )

    def _stage(self, stage: str, provider: str, call):
        started = time.perf_counter()

        def retrying(attempt: int, error: BaseException, delay: float) -> None:
            logger.info(
                "stage retry",
                extra={
                    "stage": stage,
                    "provider": provider,
                    "attempt": attempt,
                    "code": getattr(error, "code", ""),
                    "delay_s": round(delay, 3),
                },
            )

        def guarded():
            try:
                return call()
            except ProviderError as error:
                error.provider = error.provider or provider
                raise
            except Exception as exc:
                logger.exception("stage crashed", extra={"stage": stage, "provider": provider})
                raise ProviderError(
                    f"The {stage} stage ({provider}) failed unexpectedly: {type(exc).__name__}.",
                    permanent=True,
                    code="internal_error",
                    provider=provider,
                ) from exc

        try:
            result, attempts = call_with_retries(
                guarded, policy=self.retry, on_retry=retrying, sleep=self._sleep
            )
        except ProviderError as error:
            logger.warning(
                "stage failed",
                extra={
                    "stage": stage,
                    "provider": provider,
                    "code": error.code,
                    "permanent": error.permanent,
                },
            )
            raise
        duration_ms = round((time.perf_counter() - started) * 1000)
        record = StageRecord(
            provider=provider,
            model=result.model,
            duration_ms=duration_ms,
            tokens=result.tokens_used,
            attempts=attempts,
        )
        logger.info(
            "stage done",
            extra={
                "stage": stage,
                "provider": provider,
                "model": result.model,
                "duration_ms": duration_ms,
                "attempts": attempts,
            },
        )
        return result, record
