"""A task's stored inputs, read back for the pipeline: cleaned, prepared, the point scaled.

The web tier stores uploads as they came, checked from their headers only; the first worker
run replaces any that still carry metadata (EXIF, GPS, XMP), an EXIF rotation or a format that
is stored otherwise with its clean copy, so what stays stored is what the user would expect
to share. Pixels are decoded here, in the worker, never in a web process.
"""

from __future__ import annotations

from django.db import transaction

from catalogue.imaging import inspect_upload, prepare_for_model, read_upload
from catalogue.primitive_rules import resolve_padding, sides_of
from catalogue.primitives import mask_from_transparency
from catalogue.providers.base import InputImage, TaskType
from catalogue.task_types import UPSCALE_MAX_INPUT_SIDE

from ..files import TaskFiles
from ..models import TaskHistory
from ..pipeline import PipelineInput
from ..storage import delete_file
from ..storage_batch import read_many, store_many

# Task parameters handed to the image provider as ``ImageRequest.options``.
RENDERING_OPTIONS = (
    "quality",
    "background",
    "moderation",
    "input_fidelity",
    "style",
    "complexity",
    "output_format",
    "output_compression",
    "user",
)


def pipeline_input(task: TaskHistory) -> PipelineInput:
    files = TaskFiles(task)
    names = files.inputs + ([files.mask] if files.mask else [])
    raw = read_many(names)
    raw = _cleaned(task, names, raw)
    kind = TaskType(task.task_type)
    prepared = [prepare_for_model(data, **_preparation(kind)) for data in raw]
    mask = prepared.pop() if files.mask else None
    params = task.parameters or {}
    if mask is not None and params.get("mask_alpha") == "edit":
        mask = mask_from_transparency(mask)  # an OpenAI mask: transparent where it may change
    return PipelineInput(
        instruction=task.prompt,
        task_type=TaskType(task.task_type),
        images=tuple(prepared),
        mask=mask,
        aspect_ratio=task.aspect_ratio or None,
        hotspot=_scaled_point(params, raw, prepared),
        count=int(params.get("n", 1) or 1),
        size=params.get("size") or None,
        model=params.get("model") or None,
        options={key: params[key] for key in RENDERING_OPTIONS if params.get(key) is not None},
        partial_images=int(params.get("partial_images", 0) or 0),
        scale=int(params.get("scale") or 2) if kind == TaskType.UPSCALE else None,
        padding=_padding(task, params, raw, prepared) if kind == TaskType.EXPAND else None,
    )


def _preparation(kind: TaskType) -> dict:
    """How the photos of a task type are read for the model. Upscaling keeps the photo's own
    resolution (validated: at most ``UPSCALE_MAX_RESULT_SIDE / scale`` on the long side);
    inpainting and expanding get lossless pixels, which their result keeps outside the mask."""
    if kind == TaskType.UPSCALE:
        return {"max_side": max(UPSCALE_MAX_INPUT_SIDE, _model_max_side())}
    if kind in (TaskType.INPAINT, TaskType.EXPAND):
        return {"lossless": True}
    return {}


def _model_max_side() -> int:
    from django.conf import settings

    return int(settings.AICEPS_MODEL_MAX_SIDE)


def _padding(task: TaskHistory, params: dict, raw: list[bytes], prepared: list[InputImage]):
    """The expansion in pixels of the photo the model sees (left, top, right, bottom)."""
    main = prepared[0]
    uploaded = inspect_upload(raw[0], max_bytes=None)
    return resolve_padding(
        width=main.width,
        height=main.height,
        aspect_ratio=task.aspect_ratio or None,
        sides=sides_of(params),
        source_width=uploaded.width,
    )


def _scaled_point(params: dict, raw: list[bytes], prepared: list[InputImage]):
    """The hotspot, validated in pixels of the photo as uploaded, in pixels of the photo the
    model sees (at most ``AICEPS_MODEL_MAX_SIDE`` on the long side)."""
    if params.get("x") is None or params.get("y") is None or not prepared:
        return None
    uploaded = inspect_upload(raw[0], max_bytes=None)  # the header: its size as shown
    model = prepared[0]
    x = min(int(int(params["x"]) * model.width / uploaded.width), model.width - 1)
    y = min(int(int(params["y"]) * model.height / uploaded.height), model.height - 1)
    return x, y


def _cleaned(task: TaskHistory, names: list[str], raw: list[bytes]) -> list[bytes]:
    """Replace uploads kept as they came with their clean copies (once per task)."""
    dirty = set((task.extra_files or {}).get("uncleaned", []))
    if not dirty:
        return raw
    files = TaskFiles(task)
    replaced: dict[str, tuple[str, bytes]] = {}
    for position, name in enumerate(files.inputs, start=1):
        if name in dirty:
            clean = read_upload(raw[names.index(name)])
            replaced[name] = (files.input_key(position, clean.extension), clean.data)
    if files.mask in dirty:
        clean = read_upload(raw[names.index(files.mask)])
        replaced[files.mask] = (files.mask_key(clean.extension), clean.data)
    saved = store_many(list(replaced.values()))
    renamed = {old: stored.name for old, stored in zip(replaced, saved, strict=True)}
    extra = dict(task.extra_files or {})
    extra.pop("uncleaned", None)
    extra["sources"] = [renamed.get(name, name) for name in files.sources]
    if files.mask:
        extra["mask"] = renamed.get(files.mask, files.mask)
    original = renamed.get(files.original, files.original)
    with transaction.atomic():
        TaskHistory.objects.filter(pk=task.pk).update(
            original_image=original,
            extra_files=extra,
            storage_fallback=task.storage_fallback or any(s.fallback for s in saved),
        )
    task.original_image.name, task.extra_files = original, extra
    for old, new in renamed.items():
        if old != new:
            delete_file(old)
    return [
        replaced[name][1] if name in replaced else data
        for name, data in zip(names, raw, strict=True)
    ]
