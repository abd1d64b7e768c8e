"""The editing primitives on the offline editor: ``upscale``, ``inpaint`` and ``expand``.

The task type says what to do, so no instruction is planned: ``upscale`` resamples by
``request.scale`` (:func:`.upscale.upscale`), ``inpaint`` fills the mask from its
surroundings (:func:`.geometry.inpaint`: erasing, never new content; with words of their own
it is the editor's usual edit, under the mask) and ``expand`` extends
the photo only where its border is plain (a wall, a sky, a studio backdrop), by stretching
that border; a border with detail would need new content, which the editor cannot paint, so
it is refused (before any charge: :func:`expand_refusal` runs on the upload in the web tier).
Words asking for more than the primitive does are refused too (:func:`words_refusal`).
"""

from __future__ import annotations

import io

import cv2
import numpy as np
from PIL import Image

from ...task_types import SPECS
from .. import registry
from ..base import ImageRequest, ProviderError, TaskType
from . import geometry, upscale
from .decoding import decode, decode_mask
from .instructions import parse
from .planning import alternatives
from .planning import words_refusal as planned_refusal

PRIMITIVES = (TaskType.INPAINT, TaskType.EXPAND, TaskType.UPSCALE)
# The operations words may ask for in each primitive (anything else is more than it does).
UNDERSTOOD = {
    TaskType.INPAINT: {"remove_object"},
    TaskType.EXPAND: {"pad"},
    TaskType.UPSCALE: {"upscale"},
}
CHECK_SIDE = 256  # the border is judged on a copy this big (long side), web tier and worker
PLAIN_STD = 12.0  # a border strip varying more than this (0..255, any channel) has detail
SIDE_NAMES = ("left", "top", "right", "bottom")


def _error(message: str, code: str = "unsupported_instruction") -> ProviderError:
    return ProviderError(message, permanent=True, code=code, provider="offline")


def plain_words(task_type: str, instruction: str) -> bool:
    """Whether the words ask for nothing beyond the task type (empty, or its default)."""
    words = (instruction or "").strip()
    return not words or words == SPECS[TaskType(task_type)].default_prompt


def words_refusal(*, task_type: str, instruction: str) -> str | None:
    """Why the offline editor would refuse these words for a primitive (None: it would not).

    Inpainting with words of their own is an edit under the mask (the editor's planner reads
    them: a colour, a look, an erasure), refused where they need new content."""
    kind = TaskType(task_type)
    words = (instruction or "").strip()
    if plain_words(kind, words):
        return None
    if kind == TaskType.INPAINT:
        return planned_refusal(task_type=TaskType.EDIT, instruction=words)
    parsed = parse(words)
    asked = {op.name for op in parsed.operations}
    if not parsed.problems and asked and asked <= UNDERSTOOD[kind]:
        return None
    doing = {
        TaskType.INPAINT: "erase what is under the mask and fill it from its surroundings",
        TaskType.EXPAND: "extend a plain border (a wall, a sky, a backdrop)",
        TaskType.UPSCALE: "make the photo larger",
    }[kind]
    able = registry.alternatives(kind, exclude=("offline",))[0]
    elsewhere = f", or use an AI image provider: {able}" if able else ""
    return (
        f'The offline editor can only {doing} here; it cannot do "{words}". Leave the '
        f"instruction empty for that{elsewhere}."
    )


def _small(rgb: np.ndarray) -> tuple[np.ndarray, float]:
    h, w = rgb.shape[:2]
    factor = min(1.0, CHECK_SIDE / max(h, w))
    if factor < 1:
        rgb = cv2.resize(rgb, (round(w * factor), round(h * factor)), interpolation=cv2.INTER_AREA)
    return rgb, factor


def _busy_sides(rgb: np.ndarray, padding: tuple[int, int, int, int]) -> list[str]:
    """The sides to extend whose border strip is not plain."""
    small, _ = _small(rgb)
    h, w = small.shape[:2]
    depth = max(3, min(h, w) // 12)
    strips = (
        small[:, :depth],
        small[:depth, :],
        small[:, w - depth :],
        small[h - depth :, :],
    )
    busy = []
    for name, strip, amount in zip(SIDE_NAMES, strips, padding, strict=True):
        if amount > 0 and float(strip.reshape(-1, 3).std(axis=0).max()) > PLAIN_STD:
            busy.append(name)
    return busy


def expand_refusal(rgb: np.ndarray, padding: tuple[int, int, int, int]) -> str | None:
    """Why expanding this photo offline would not look natural (None: it would)."""
    busy = _busy_sides(rgb, padding)
    if not busy:
        return None
    sides = " and ".join(busy) if len(busy) <= 2 else ", ".join(busy[:-1]) + " and " + busy[-1]
    return (
        f"The offline editor extends a photo only where its border is plain (a wall, a sky, a "
        f"studio backdrop); the {sides} border{'s' if len(busy) > 1 else ''} of this photo "
        "would need new content. Expanding it needs an AI image provider: "
        f"{alternatives(TaskType.EXPAND)}."
    )


def upload_refusal(image: bytes, padding: tuple[int, int, int, int]) -> str | None:
    """:func:`expand_refusal` for uploaded bytes (a small copy is decoded: the web tier)."""
    from ...imaging import prepare_for_model

    small = prepare_for_model(image, max_side=CHECK_SIDE)
    with Image.open(io.BytesIO(small.data)) as opened:
        rgb = np.asarray(opened.convert("RGB"))
    return expand_refusal(rgb, padding)


def run(request: ImageRequest) -> tuple[np.ndarray, np.ndarray | None, str, str]:
    """(RGB, alpha or None, the model tag, what was done) for a primitive's request."""
    if not request.images:
        raise _error("The offline editor needs a photo to edit.", code="missing_image")
    refusal = words_refusal(task_type=request.task_type, instruction=request.instruction)
    if refusal:
        raise _error(refusal)
    rgb, alpha = decode(request.images[0])
    if request.task_type == TaskType.UPSCALE:
        return _upscale(rgb, alpha, request.scale or 2)
    if request.task_type == TaskType.INPAINT:
        return _inpaint(rgb, alpha, request)
    return _expand(rgb, alpha, request.padding or (0, 0, 0, 0))


def _upscale(rgb, alpha, scale: int):
    planes, factor, method = upscale.upscale([rgb, alpha, None], factor=float(scale))
    if factor <= 1.0:
        raise _error("The photo is already as large as the editor makes it.", code="no_change")
    note = "resampled (no super-resolution model installed)" if "lanczos" in method else method
    return planes[0], planes[1], f"{method}-x{factor:g}", f"upscaled {factor:g}x, {note}"


def _inpaint(rgb, alpha, request: ImageRequest):
    if request.mask is None:
        raise _error("Inpainting needs a mask.", code="mask_required")
    mask = decode_mask(request.mask, (rgb.shape[1], rgb.shape[0]))
    if mask.max() < 128:
        raise _error("The mask is empty: paint over what should change.", code="mask_required")
    return geometry.inpaint(rgb, mask), alpha, "inpaint", "erased the masked area"


def _expand(rgb, alpha, padding: tuple[int, int, int, int]):
    if not any(padding):
        raise _error("Nothing to expand.", code="no_change")
    refusal = expand_refusal(rgb, padding)
    if refusal:
        raise _error(refusal, code="unsupported_task")
    left, top, right, bottom = padding
    grown = cv2.copyMakeBorder(rgb, top, bottom, left, right, cv2.BORDER_REPLICATE)
    sigma = max(2.0, min(rgb.shape[:2]) / 100)
    filled = cv2.GaussianBlur(grown, (0, 0), sigma)  # stretched edges made soft
    h, w = rgb.shape[:2]
    filled[top : top + h, left : left + w] = rgb
    if alpha is not None:
        alpha = cv2.copyMakeBorder(alpha, top, bottom, left, right, cv2.BORDER_REPLICATE)
    return filled, alpha, "expand-plain-border", "extended the plain border"
