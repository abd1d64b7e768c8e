"""The rules of the editing primitives (``inpaint``, ``expand``, ``upscale``), checked by
:func:`catalogue.task_rules.validate` for every entry point before anything is charged, and
the one function that turns an expansion into pixels per side (:func:`resolve_padding`).

Pure Python: it reads the photo's size from the upload's header, never its pixels.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from core.errors import ValidationError

from .task_types import (
    EXPAND_MAX_SIDE_PIXELS,
    UPSCALE_MAX_RESULT_SIDE,
    TaskTypeSpec,
)

SIDES = ("left", "top", "right", "bottom")


def check(spec: TaskTypeSpec, data, params: dict, ratio: str) -> None:
    """Check (and normalise in ``params``) ``scale``, the sides and the mask of a request."""
    _check_scale(spec, data, params)
    _check_expansion(spec, data, params, ratio)
    _check_mask(spec, data)


def _whole(value: Any, *, param: str, code: str) -> int:
    if isinstance(value, bool):
        raise ValidationError(f"{param} must be a whole number.", code=code, param=param)
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ValidationError(f"{param} must be a whole number.", code=code, param=param) from None
    if not number.is_integer():
        raise ValidationError(f"{param} must be a whole number.", code=code, param=param)
    return int(number)


def _present(value: Any) -> bool:
    return value is not None and value != ""


def _check_scale(spec: TaskTypeSpec, data, params: dict) -> None:
    value = params.get("scale")
    if not spec.scales:
        if _present(value):
            raise ValidationError(
                f"scale applies to upscaling only, not to {spec.label.en.lower()}.",
                code="invalid_scale",
                param="scale",
            )
        params.pop("scale", None)
        return
    allowed = " or ".join(str(s) for s in spec.scales)
    scale = _whole(value, param="scale", code="invalid_scale") if _present(value) else 2
    if scale not in spec.scales:
        raise ValidationError(
            f"scale must be {allowed}, not {value}.", code="invalid_scale", param="scale"
        )
    params["scale"] = scale
    if data.images:
        main = data.images[0]
        longest = max(main.width, main.height)
        if longest * scale > UPSCALE_MAX_RESULT_SIDE:
            raise ValidationError(
                f"Upscaling this {main.width}×{main.height} photo {scale}× would make it "
                f"{longest * scale:,} pixels on the long side; the most is "
                f"{UPSCALE_MAX_RESULT_SIDE:,}. Choose a smaller scale or a smaller photo "
                f"(at most {UPSCALE_MAX_RESULT_SIDE // scale:,} px for {scale}×).",
                code="upscale_too_large",
                param="scale",
                max_side=UPSCALE_MAX_RESULT_SIDE,
            )


def _check_expansion(spec: TaskTypeSpec, data, params: dict, ratio: str) -> None:
    sent = {side: params.get(side) for side in SIDES if _present(params.get(side))}
    if not spec.padding:
        if sent:
            raise ValidationError(
                f"{', '.join(sent)}: pixels per side apply to expanding only.",
                code="invalid_padding",
                param=next(iter(sent)),
            )
        for side in SIDES:
            params.pop(side, None)
        return
    if sent and ratio:
        raise ValidationError(
            "Expand to an aspect_ratio or by pixels per side (left, top, right, bottom), not both.",
            code="invalid_padding",
            param="aspect_ratio",
        )
    if not sent and not ratio:
        raise ValidationError(
            "Say how to expand: an aspect_ratio, or pixels per side (left, top, right, bottom).",
            code="missing_padding",
            param="aspect_ratio",
        )
    for side in SIDES:
        params.pop(side, None)
    if ratio:
        if data.images:
            main = data.images[0]
            if not any(resolve_padding(width=main.width, height=main.height, aspect_ratio=ratio)):
                raise ValidationError(
                    f"The photo already is {ratio}: choose another aspect ratio or pixels "
                    "per side.",
                    code="invalid_padding",
                    param="aspect_ratio",
                )
        return
    values = {}
    for side, value in sent.items():
        pixels = _whole(value, param=side, code="invalid_padding")
        if not 0 <= pixels <= EXPAND_MAX_SIDE_PIXELS:
            raise ValidationError(
                f"{side} must be from 0 to {EXPAND_MAX_SIDE_PIXELS} pixels, not {value}.",
                code="invalid_padding",
                param=side,
            )
        values[side] = pixels
    if not any(values.values()):
        raise ValidationError(
            "Expand by at least one pixel on one side (left, top, right or bottom).",
            code="invalid_padding",
            param=next(iter(values)),
        )
    params.update({side: values.get(side, 0) for side in SIDES})


def _check_mask(spec: TaskTypeSpec, data) -> None:
    if not spec.mask_required:
        return
    if data.mask is None:
        raise ValidationError(
            f"{spec.label.en} needs a mask (field 'mask'): white or opaque where the photo "
            "may change.",
            code="mask_required",
            param="mask",
        )
    if data.images:
        main, mask = data.images[0], data.mask
        if (mask.width, mask.height) != (main.width, main.height):
            raise ValidationError(
                f"The mask is {mask.width}×{mask.height} pixels but the photo is "
                f"{main.width}×{main.height}: send a mask of the photo's size.",
                code="mask_size_mismatch",
                param="mask",
                width=main.width,
                height=main.height,
            )


def sides_of(params: dict) -> tuple[int, int, int, int] | None:
    """The pixels per side a validated expand task asked for, or None (an aspect ratio)."""
    if not any(params.get(side) for side in SIDES):
        return None
    return tuple(int(params.get(side) or 0) for side in SIDES)  # type: ignore[return-value]


def upload_padding(data) -> tuple[int, int, int, int] | None:
    """The expansion of a validated ``expand`` request in pixels of its photo as uploaded
    (None for any other request)."""
    if data.task_type != "expand" or not data.images:
        return None
    main = data.images[0]
    return resolve_padding(
        width=main.width,
        height=main.height,
        aspect_ratio=data.aspect_ratio or None,
        sides=sides_of(data.parameters or {}),
    )


def resolve_padding(
    *,
    width: int,
    height: int,
    aspect_ratio: str | None = None,
    sides: tuple[int, int, int, int] | None = None,
    source_width: int | None = None,
) -> tuple[int, int, int, int]:
    """(left, top, right, bottom) pixels to add to a ``width``×``height`` image.

    ``aspect_ratio``: the least canvas of that ratio around the image, the image centred on
    the axis that grows. ``sides``: pixels per side of the photo as uploaded,
    ``source_width`` pixels wide (None: the same size), scaled to this image."""
    if sides is not None:
        factor = width / source_width if source_width else 1.0
        return tuple(round(side * factor) for side in sides)  # type: ignore[return-value]
    if not aspect_ratio:
        return (0, 0, 0, 0)
    a, b = (int(part) for part in aspect_ratio.split(":"))
    target = Fraction(a, b)
    if Fraction(width, height) < target:
        grow = max(0, round(height * target) - width)
        return (grow // 2, 0, grow - grow // 2, 0)
    grow = max(0, round(width / target) - height)
    return (0, grow // 2, 0, grow - grow // 2)
