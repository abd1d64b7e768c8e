"""The offline editor: AicePS's embedded default image provider.

It needs no keys, no network and no GPU. It reads the user's instruction (Chinese or
English) with the glossary, then runs real photo operations: U-2-Net-p background removal and
replacement, neural styles, OpenCV filters, adjustments, crops, upscaling and masked object
removal. What it cannot do (new content: clothes, objects, scenes, text-to-image) fails fast
with a permanent error that names the providers that can.
"""

from __future__ import annotations

import logging
import time
from dataclasses import replace

import cv2
import numpy as np

from .. import registry
from ..base import (
    Capabilities,
    GeneratedImage,
    ImageProvider,
    ImageRequest,
    ImageResult,
    ProviderError,
    TaskType,
)
from . import png, primitives
from .canvas import Canvas, Context
from .decoding import decode, decode_mask
from .fill import removal_refusal
from .operations import LOCAL_OPS, describe, run
from .planning import plan_operations, words_refusal
from .region import point_region

logger = logging.getLogger(__name__)


def encode(canvas: Canvas) -> bytes:
    return png.encode(canvas.rgb, canvas.alpha)


def unchanged(before: Canvas, after: Canvas) -> bool:
    if before.size != after.size or (before.alpha is None) != (after.alpha is None):
        return False
    if (
        before.alpha is not None
        and after.alpha is not None
        and not np.array_equal(before.alpha, after.alpha)
    ):
        return False
    diff = cv2.absdiff(before.rgb, after.rgb)  # uint8, no full-size int16 copies
    return int(diff.max()) <= 2 and float(cv2.mean(diff.reshape(diff.shape[0], -1))[0]) < 0.2


class OfflineImageProvider(ImageProvider):
    name = "offline"
    title = "the offline editor"
    summary = (
        "models shipped in PyPI packages: neural style transfer (26 styles or any image), "
        "U-2-Net background removal and replacement, filters, adjustments, crop, upscale "
        "(resampling), PatchMatch object removal under a mask or a click"
    )
    # One image per task: it has no randomness to make variants from, so n > 1 is refused
    # before anything is charged rather than charged and refunded.
    # Every task type but text to image; expand only where the border is plain.
    capabilities = Capabilities(
        edit=True,
        text_to_image=False,
        mask=True,
        max_input_images=2,
        max_count=1,
        task_types=frozenset(TaskType) - {TaskType.TEXT_TO_IMAGE},
    )

    @classmethod
    def instruction_refusal(cls, *, task_type: str, instruction: str) -> str | None:
        if task_type in primitives.PRIMITIVES:
            return primitives.words_refusal(task_type=task_type, instruction=instruction)
        return words_refusal(task_type=task_type, instruction=instruction)

    @classmethod
    def input_refusal(
        cls, *, task_type: str, image: bytes, padding: tuple[int, int, int, int] | None
    ) -> str | None:
        if task_type == TaskType.EXPAND and padding:
            return primitives.upload_refusal(image, padding)
        return None

    def generate(self, request: ImageRequest) -> ImageResult:
        if request.task_type == TaskType.INPAINT and not primitives.plain_words(
            request.task_type, request.instruction
        ):
            request = replace(request, task_type=TaskType.EDIT)  # the words, under the mask
        elif request.task_type in primitives.PRIMITIVES:
            return self._primitive(request)
        started = time.monotonic()
        try:
            ops, _ = plan_operations(request)  # text-to-image and unsupported edits raise here
        except ProviderError as error:
            if not error.detail:  # for the operator: what would serve the request
                able = registry.alternatives(request.task_type, exclude=(self.name,))[1]
                error.detail = f"Providers that can do it: {able}." if able else ""
            raise
        if not request.images:
            raise ProviderError(
                "The offline editor needs a photo to edit.",
                permanent=True,
                code="missing_image",
                provider=self.name,
            )
        rgb, alpha = decode(request.images[0])
        size = (rgb.shape[1], rgb.shape[0])
        mask = decode_mask(request.mask, size) if request.mask else None
        ctx = Context()
        kind, cut = None, False
        if mask is None and request.hotspot and any(o.name in LOCAL_OPS for o in ops):
            # a click: only the object under it (or a disc around it) may change
            # the whole object for removal and recolouring, at up to three looks
            thorough = any(o.name in ("remove_object", "recolor") for o in ops)
            mask, kind, _, cut = point_region(rgb, request.hotspot, thorough=thorough)
            ctx.notes.append(
                "only the object under the point was changed"
                if kind == "object"
                else "only the area around the point was changed"
            )
        if mask is not None and mask.max() < 128 and any(o.name == "remove_object" for o in ops):
            raise ProviderError(
                "The mask is empty: paint over what should be removed.",
                permanent=True,
                code="mask_required",
                provider=self.name,
            )
        if mask is not None and any(o.name == "remove_object" for o in ops):
            # refused before anything runs (and nothing is charged) rather than smeared
            why = removal_refusal(mask, kind=kind, cut=cut)
            if why:
                able = registry.alternatives(request.task_type, exclude=(self.name,))[1]
                raise ProviderError(
                    why,
                    permanent=True,
                    code="removal_unfillable",
                    provider=self.name,
                    status=422,  # the user can paint a mask or pick a smaller object
                    detail=f"Providers that can do it: {able}." if able else "",
                )
        if len(request.images) > 1:
            ctx.second_source = request.images[1]
        before = Canvas(rgb, alpha, mask)
        try:
            after = run(ops, before, ctx)
        except ProviderError as exc:
            exc.provider = exc.provider or self.name
            raise
        except (cv2.error, ValueError, RuntimeError, MemoryError, ArithmeticError) as exc:
            logger.exception("offline editor failed on %s", [o.name for o in ops])
            raise ProviderError(
                f"The offline editor failed: {exc}",
                permanent=True,
                code="offline_failed",
                provider=self.name,
            ) from exc
        if unchanged(before, after):
            raise ProviderError(
                "The edit made no visible change to this photo ("
                + ", ".join(describe(o) for o in ops)
                + "), so there is nothing to return.",
                permanent=True,
                code="no_change",
                provider=self.name,
            )
        data = encode(after)
        text = "; ".join(describe(o) for o in ops)
        if ctx.notes:
            text += " (" + "; ".join(ctx.notes) + ")"
        logger.info("offline edit %s in %.2fs", "+".join(ctx.tags), time.monotonic() - started)
        return ImageResult(
            images=(GeneratedImage(data, "image/png"),),
            model="offline-editor/" + "+".join(ctx.tags),
            text=text[:1].upper() + text[1:] + ".",
        )

    def _primitive(self, request: ImageRequest) -> ImageResult:
        """``upscale``, ``inpaint`` or ``expand``: the task type says what to do."""
        try:
            rgb, alpha, tag, text = primitives.run(request)
        except (cv2.error, ValueError, MemoryError) as exc:
            logger.exception("offline %s failed", request.task_type)
            raise ProviderError(
                f"The offline editor failed: {exc}",
                permanent=True,
                code="offline_failed",
                provider=self.name,
            ) from exc
        return ImageResult(
            images=(GeneratedImage(png.encode(rgb, alpha), "image/png"),),
            model="offline-editor/" + tag,
            text=text[:1].upper() + text[1:] + ".",
        )
