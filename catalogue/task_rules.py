"""Checking a request against its task type and the image provider that will run it.

The rules read :mod:`catalogue.task_types` (what each type takes) and the provider's
declared :class:`~catalogue.providers.base.Capabilities`; ``task_create`` calls
:func:`validate` for every entry point before anything is stored or charged. A refusal is a
``core.errors.ValidationError`` with a code and the request parameter at fault.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from core.errors import ValidationError

from . import primitive_rules
from .task_types import ASPECT_RATIOS, MAX_COUNT, TaskTypeSpec, provider_can, spec_for

if TYPE_CHECKING:
    from .providers.base import Capabilities

_SIZE = re.compile(r"^(\d{2,5})x(\d{2,5})$")


def parse_point(x: Any, y: Any, *, width: int, height: int) -> tuple[int, int]:
    """A hotspot in pixels of the main photo.

    Pixels, or fractions of the width and height: when both values lie between 0 and 1 and
    at least one is not a whole number (``0.8, 0.25``), they are fractions."""
    try:
        fx, fy = float(x), float(y)
    except (TypeError, ValueError):
        raise ValidationError(
            "x and y must be numbers: pixels, or fractions of the width and height (0 to 1).",
            code="invalid_hotspot",
            param="x",
        ) from None
    if not (fx == fx and fy == fy) or fx < 0 or fy < 0:  # NaN or negative
        raise ValidationError("x and y must be 0 or more.", code="invalid_hotspot", param="x")
    fractions = fx <= 1 and fy <= 1 and not (fx.is_integer() and fy.is_integer())
    if fractions:
        return min(int(fx * width), width - 1), min(int(fy * height), height - 1)
    px, py = int(fx), int(fy)
    if px >= width or py >= height:
        raise ValidationError(
            f"The point ({px}, {py}) is outside the photo ({width}×{height} pixels).",
            code="hotspot_outside_image",
            param="x" if px >= width else "y",
            width=width,
            height=height,
        )
    return px, py


def parse_size(size: str) -> tuple[int, int] | None:
    """``"WIDTHxHEIGHT"`` as numbers; ``""``/``"auto"`` as None."""
    if not size or size == "auto":
        return None
    match = _SIZE.match(size)
    if not match:
        raise ValidationError(
            f"size must be WIDTHxHEIGHT (for example 1024x1024) or auto, not {size!r}.",
            code="invalid_size",
            param="size",
        )
    return int(match.group(1)), int(match.group(2))


def validate(data, *, capabilities: Capabilities, provider: str):
    """``data`` (a ``TaskInput``) checked against its task type and the image provider that
    will run it, with defaults filled in; a ValidationError (code, message, param) otherwise.

    Nothing has been stored or charged when this raises."""
    spec = spec_for(data.task_type)
    prompt = (data.prompt or "").strip() or spec.default_prompt
    if spec.prompt_required and not prompt:
        raise ValidationError(
            "Describe the change you want in the instruction.",
            code="missing_prompt",
            param="prompt",
        )
    if not provider_can(capabilities, spec.value):
        raise ValidationError(
            f"{spec.label.en} is not available on this server: its image model cannot do it.",
            code="unsupported_task",
            param="task_type",
            provider=provider,
        )
    _check_images(spec, data, capabilities)
    params = dict(data.parameters or {})
    _check_hotspot(spec, data, params)
    ratio = data.aspect_ratio or spec.default_aspect_ratio
    if ratio and ratio not in ASPECT_RATIOS:
        raise ValidationError(
            f"aspect_ratio must be one of {', '.join(ASPECT_RATIOS)}, not {ratio!r}.",
            code="invalid_aspect_ratio",
            param="aspect_ratio",
        )
    primitive_rules.check(spec, data, params, ratio)
    _check_count(params, capabilities)
    if params.get("size"):
        _check_size(params["size"], capabilities)
    return replace(
        data,
        task_type=spec.value.value,
        prompt=prompt,
        aspect_ratio=ratio,
        images=tuple(data.images) if spec.max_images else (),
        parameters=params,
    )


def _check_images(spec: TaskTypeSpec, data, capabilities: Capabilities) -> None:
    count = len(data.images)
    fewest, most = spec.min_images, min(spec.max_images, capabilities.max_input_images)
    if spec.max_images == 0:
        return  # photos sent with a text-to-image request are ignored, as the pages do
    if count < fewest:
        message = (
            "Send an image to edit (field 'image')."
            if fewest == 1
            else f"{spec.label.en} needs at least {fewest} photos: the main one first."
        )
        raise ValidationError(message, code="missing_image", param="image")
    if count > most:
        raise ValidationError(
            f"{spec.label.en} takes at most {most} photo{'s' if most != 1 else ''} here; "
            f"{count} were sent.",
            code="too_many_images",
            param="image",
            max_images=most,
        )
    # Inpainting takes its mask with any provider that lists it: one without a mask input
    # (Gemini) is shown the area, and the pipeline keeps every pixel outside it.
    if data.mask is not None and not (spec.mask and (capabilities.mask or spec.mask_required)):
        raise ValidationError(
            f"{spec.label.en} with this image model takes no mask.",
            code="mask_not_supported",
            param="mask",
        )


def _check_hotspot(spec: TaskTypeSpec, data, params: dict) -> None:
    has_point = params.get("x") is not None and params.get("y") is not None
    if spec.hotspot == "required" and not has_point:
        raise ValidationError(
            "An edit at a point needs the point: x and y on the photo.",
            code="missing_hotspot",
            param="x",
        )
    if spec.hotspot == "none" or not has_point:
        params.pop("x", None)
        params.pop("y", None)
        return
    main = data.images[0]
    params["x"], params["y"] = parse_point(
        params["x"], params["y"], width=main.width, height=main.height
    )


def _check_count(params: dict, capabilities: Capabilities) -> None:
    count = params.get("n", 1)
    most = min(MAX_COUNT, capabilities.max_count)
    if not isinstance(count, int) or isinstance(count, bool) or not 1 <= count <= most:
        limit = "must be 1: it makes one image" if most == 1 else f"must be from 1 to {most}"
        raise ValidationError(
            f"n {limit} with this image model (nothing was charged).",
            code="invalid_n",
            param="n",
        )
    if count == 1:
        params.pop("n", None)


def _check_size(size: str, capabilities: Capabilities) -> None:
    wanted = parse_size(size)
    if wanted is None:
        return
    if capabilities.sizes is not None and size not in capabilities.sizes:
        raise ValidationError(
            f"This image model makes the sizes {', '.join(capabilities.sizes)}, not {size}.",
            code="invalid_size",
            param="size",
        )
    longest = max(wanted)
    if longest > capabilities.max_side or min(wanted) < 64:
        raise ValidationError(
            f"size must be between 64 and {capabilities.max_side} pixels a side here.",
            code="invalid_size",
            param="size",
        )


# Options only some image providers honour (``Capabilities.options``), with the value that
# asks nothing of them.
_PROVIDER_OPTIONS = {"moderation": "auto", "input_fidelity": "low", "style": "", "complexity": ""}


def check_options(params: dict, capabilities: Capabilities) -> None:
    """A ValidationError when the task's ``quality`` or provider options are ones this image
    provider does not honour (the ``/v1`` adapter checks them for one provider before it
    gets here; a provider chain checks each of its providers with this)."""
    quality = params.get("quality")
    if quality and quality != "auto" and quality not in capabilities.qualities:
        raise ValidationError(
            f"This image model does not take quality {quality}.",
            code="invalid_value",
            param="quality",
        )
    for name, neutral in _PROVIDER_OPTIONS.items():
        value = params.get(name)
        if value not in (None, "", neutral) and name not in capabilities.options:
            raise ValidationError(
                f"{name}={value} is not available with this image model.",
                code="invalid_value",
                param=name,
            )
