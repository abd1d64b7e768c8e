"""Running a list of :class:`~.instructions.Operation` on a photo.

A :class:`Canvas` holds the RGB pixels, an optional alpha plane and the mask (white = may
change: the user's painted mask, or the region around a click from :mod:`.region`). Frame
operations (rotate, flip, crop, pad, upscale) move all three together. Background operations
share one subject matte, computed after the frame and retouch steps but before any colour or
style change, so "梵高风格，白色背景" segments the real photo and puts the styled subject on
clean white. Every other operation is local when there is a mask: it runs on the mask's
bounding box only and is blended in under a feathered mask, so pixels away from the mask
stay exactly as they were (pixelation and object removal use the mask themselves).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import cast

import cv2
import numpy as np

from . import (
    adjust,
    artistic,
    background,
    fill,
    geometry,
    lighting,
    painting,
    styles,
    textures,
    upscale,
)
from .canvas import Canvas, Context
from .glossary import ORDER
from .instructions import Operation
from .vocabulary import STYLE_NAMES

FRAME_OPS = ("rotate", "flip", "crop", "pad", "upscale")
BACKGROUND_OPS = ("remove_bg", "bg_color", "bg_blur", "bg_image", "studio_light")
NATIVE = (*FRAME_OPS, *BACKGROUND_OPS, "remove_object", "pixelate")  # not blended under a mask
# Their look depends on the photo's size (blur radius, grain, tiles): run on the whole frame.
WHOLE_FRAME = ("blur", "sharpness", "grain", "vignette", "glitch", "enhance", "sketch", "cartoon")
LOCAL_OPS = tuple(name for name in ORDER if name not in (*FRAME_OPS, *BACKGROUND_OPS))
BEFORE_MATTE = (
    "rotate",
    "flip",
    "crop",
    "pad",
    "remove_object",
    "pixelate",
    "smooth_skin",
    "denoise",
)


def _planes(canvas: Canvas, planes: list) -> Canvas:
    return Canvas(planes[0], planes[1], planes[2])


def _colour_op(fn: Callable, tag: str | Callable | None = None) -> Callable:
    """Wrap an RGB -> RGB function as an operation on the canvas."""

    def run(canvas: Canvas, ctx: Context, **params) -> Canvas:
        ctx.tags.append(tag(params) if callable(tag) else (tag or fn.__name__))
        return Canvas(fn(canvas.rgb, **params), canvas.alpha, canvas.mask)

    return run


def _frame(name: str) -> Callable:
    def run(canvas: Canvas, ctx: Context, **params) -> Canvas:
        planes = [canvas.rgb, canvas.alpha, canvas.mask]
        if name == "upscale":
            planes, factor, method = upscale.upscale(planes, **params)
            cap = upscale.MAX_UPSCALED_SIDE
            if factor <= 1.0:
                ctx.notes.append(f"already at the largest size the editor makes ({cap} px)")
            elif abs(factor - float(params.get("factor", 2))) > 0.01:
                ctx.notes.append(f"upscaled {factor:.2f}x (the long side is capped at {cap} px)")
            if method == "sharp-lanczos":
                ctx.notes.append("upscaled by resampling (Lanczos and sharpening), no detail added")
            ctx.tags.append(f"{method}-x{factor:g}" if factor > 1 else "upscale")
        else:
            planes = getattr(geometry, name)(planes, **params)
            label = {
                "crop": "crop-{ratio}" if params.get("ratio") else "crop-centre",
                "pad": "pad-{ratio}",
                "rotate": "rotate-{degrees}",
                "flip": "flip-{axis}",
            }[name]
            ctx.tags.append(label.format(**params).replace(":", "x"))
        return _planes(canvas, planes)

    return run


def _remove_object(canvas: Canvas, ctx: Context) -> Canvas:
    ctx.tags.append("inpaint")
    # widened over the object's anti-aliased rim, which the mask or the click's region misses
    mask = cast("np.ndarray", canvas.mask)  # the plan gives removals a mask
    return Canvas(fill.inpaint(canvas.rgb, mask, grow=True), canvas.alpha, canvas.mask)


def _pixelate(canvas: Canvas, ctx: Context, faces: bool = False) -> Canvas:
    ctx.tags.append("pixelate")
    rgb = artistic.pixelate(canvas.rgb, canvas.mask, faces)
    return Canvas(rgb, canvas.alpha, canvas.mask)


def _recolor(canvas: Canvas, ctx: Context, **params) -> Canvas:
    ctx.tags.append("recolor-" + params.get("colour", params.get("hex", "")).replace(" ", "-"))
    return Canvas(adjust.recolor(canvas.rgb, params["rgb"]), canvas.alpha, canvas.mask)


def _style(canvas: Canvas, ctx: Context, **params) -> Canvas:
    if params.get("source") == "image":
        ctx.tags.append("style-image")
        rgb = styles.style(canvas.rgb, style_image=ctx.second_image, **params)
    else:
        index = cast(int, params.get("index"))  # None reads as "style26-None"
        ctx.tags.append(
            {14: "watercolour", 25: "oil-paint"}.get(index, f"style26-{index}")
            + ("-palette" if params.get("palette") else "")
        )
        rgb = styles.style(canvas.rgb, **params)
    return Canvas(rgb, canvas.alpha, canvas.mask)


def _background(name: str) -> Callable:
    def run(canvas: Canvas, ctx: Context, **params) -> Canvas:
        alpha = cast("np.ndarray", ctx.matte)  # set before the first background operation
        if "u2netp" not in ctx.tags and "alpha" not in ctx.tags:
            ctx.tags.append("u2netp")
        if name == "studio_light":
            ctx.tags.append("studio-light")
            rgb = lighting.studio_light(canvas.rgb, alpha, params.get("amount", 1.0))
            return Canvas(rgb, canvas.alpha, canvas.mask)
        if name == "remove_bg":
            rgb, a = background.remove(canvas.rgb, alpha)
            ctx.tags.append("transparent")
            return Canvas(rgb, a, canvas.mask)
        if name == "bg_color":
            rgb = background.with_colour(canvas.rgb, alpha, params["rgb"])
            ctx.tags.append("bg-" + params.get("colour", params["hex"]).replace(" ", "-"))
        elif name == "bg_blur":
            rgb = background.with_blur(canvas.rgb, alpha, params.get("radius", 1.0))
            ctx.tags.append("bg-blur")
        else:
            rgb = background.with_image(canvas.rgb, alpha, cast("np.ndarray", ctx.second_image))
            ctx.tags.append("bg-image")
        return Canvas(rgb, None, canvas.mask)

    return run


OPERATIONS: dict[str, Callable] = {
    **{name: _frame(name) for name in FRAME_OPS},
    "remove_object": _remove_object,
    "pixelate": _pixelate,
    "smooth_skin": _colour_op(artistic.smooth_skin, "smooth-skin"),
    "denoise": _colour_op(adjust.denoise),
    "style": _style,
    "sketch": _colour_op(artistic.sketch, lambda p: "color-sketch" if p.get("color") else "sketch"),
    "cartoon": _colour_op(painting.cartoon),
    "painterly": _colour_op(artistic.painterly),
    "glitch": _colour_op(artistic.glitch),
    **{
        name: _colour_op(getattr(adjust, name), lambda p, n=name: f"{n}{p['amount']:+g}")
        for name in ("brightness", "contrast", "saturation", "warmth", "sharpness")
    },
    **{
        name: _colour_op(getattr(adjust, name))
        for name in (
            "enhance",
            "blur",
            "cinematic",
            "sepia",
            "vintage",
            "grayscale",
            "invert",
            "grain",
            "vignette",
        )
    },
    "recolor": _recolor,
    "texture": _colour_op(textures.texture, lambda p: f"texture-{p.get('kind')}"),
    **{name: _background(name) for name in BACKGROUND_OPS},
}
assert set(OPERATIONS) == set(ORDER), set(ORDER) ^ set(OPERATIONS)


def describe(op: Operation) -> str:
    """A short English description of one operation, for the result text."""
    p = op.params
    texts = {
        "remove_bg": "removed the background (transparent PNG)",
        "bg_color": f"replaced the background with {p.get('colour')} ({p.get('hex')})",
        "bg_blur": "blurred the background",
        "bg_image": "placed the subject on the second image",
        "style": (
            "restyled it like the second image"
            if p.get("source") == "image"
            else f"restyled it as {STYLE_NAMES.get(cast(int, p.get('index')), 'a painting')}"
        ),
        "crop": f"cropped to {p['ratio']}" if p.get("ratio") else "cropped to the centre",
        "pad": f"extended the canvas to {p.get('ratio')}",
        "upscale": f"upscaled {p.get('factor')}x",
        "rotate": f"rotated {p.get('degrees')}° clockwise",
        "flip": f"flipped {p.get('axis')}ly",
        "remove_object": "erased the marked area",
        "brightness": "brightened" if p.get("amount", 0) > 0 else "darkened",
        "contrast": ("raised" if p.get("amount", 0) > 0 else "lowered") + " the contrast",
        "saturation": ("boosted" if p.get("amount", 0) > 0 else "muted") + " the colours",
        "warmth": "warmed" if p.get("amount", 0) > 0 else "cooled",
        "grayscale": "converted to black and white",
        "sketch": "turned it into a pencil sketch",
        "recolor": f"recoloured it {p.get('colour')}",
        "texture": f"laid a {p.get('kind')} texture over it",
        "studio_light": "lit the subject like a studio set",
    }
    return texts.get(op.name, f"applied {op.name.replace('_', ' ')}")


def _blend(before: np.ndarray, after: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """``after`` under the feathered ``mask``, ``before`` exactly where the mask is 0."""
    weight = cv2.GaussianBlur(mask, (0, 0), 1.5)
    weight[mask == 0] = 0  # the feather stays inside the mask: nothing outside changes
    w = weight.astype(np.float32)[..., None] / 255.0
    mixed = before.astype(np.float32) * (1 - w) + after.astype(np.float32) * w
    return (mixed + 0.5).astype(np.uint8)


def _box(mask: np.ndarray) -> tuple[slice, slice]:
    """The mask's bounding box with a margin (the photo around it, for context)."""
    ys, xs = np.nonzero(mask)
    if not len(ys):
        return slice(0, 0), slice(0, 0)
    h, w = mask.shape
    margin = max(16, min(h, w) // 20)
    return (
        slice(max(0, ys.min() - margin), min(h, ys.max() + margin + 1)),
        slice(max(0, xs.min() - margin), min(w, xs.max() + margin + 1)),
    )


def _local(op: Operation, canvas: Canvas, ctx: Context) -> Canvas:
    """Run a colour, tone or look operation on the mask's box (or the whole frame, for those
    whose look depends on the photo's size) and blend it in under the mask."""
    mask = cast("np.ndarray", canvas.mask)  # the plan gives local operations a mask
    rows, cols = _box(mask)
    if rows.stop <= rows.start:
        return canvas
    if op.name in WHOLE_FRAME:
        done = OPERATIONS[op.name](canvas, ctx, **op.params).rgb[rows, cols]
    else:
        part = Canvas(
            np.ascontiguousarray(canvas.rgb[rows, cols]),
            None if canvas.alpha is None else canvas.alpha[rows, cols],
            mask[rows, cols],
        )
        done = OPERATIONS[op.name](part, ctx, **op.params).rgb
    rgb = canvas.rgb.copy()
    rgb[rows, cols] = _blend(canvas.rgb[rows, cols], done, mask[rows, cols])
    return Canvas(rgb, canvas.alpha, canvas.mask)


def run(ops: list[Operation], canvas: Canvas, ctx: Context) -> Canvas:
    """Run the operations in order; returns the final canvas (tags and notes go to ctx)."""
    needs_matte = any(op.name in BACKGROUND_OPS for op in ops)
    for op in ops:
        if needs_matte and ctx.matte is None and op.name not in BEFORE_MATTE:
            if canvas.alpha is not None and canvas.alpha.min() < 250:
                ctx.matte = canvas.alpha  # already cut out
                ctx.tags.append("alpha")
            else:
                ctx.matte = background.subject_matte(canvas.rgb)
        if canvas.mask is not None and op.name not in NATIVE:
            canvas = _local(op, canvas, ctx)
        else:
            canvas = OPERATIONS[op.name](canvas, ctx, **op.params)
    return canvas
