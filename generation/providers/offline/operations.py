"""Running a list of :class:`~.instructions.Operation` on a photo.

A :class:`Canvas` holds the RGB pixels, an optional alpha plane and the user's mask (white =
may change). Frame operations (rotate, flip, crop, pad, upscale) move all three together.
Background operations share one subject matte, computed after the frame and retouch steps
but before any colour or style change, so "梵高风格，白色背景" segments the real photo and
puts the styled subject on clean white. When the user sent a mask and nothing changes the
frame, the result is blended back into the original outside the mask.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import cv2
import numpy as np

from . import adjust, artistic, background, geometry
from .glossary import ORDER
from .instructions import Operation
from .vocabulary import STYLE_NAMES

FRAME_OPS = ("rotate", "flip", "crop", "pad", "upscale")
BACKGROUND_OPS = ("remove_bg", "bg_color", "bg_blur", "bg_image")
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


@dataclass
class Canvas:
    rgb: np.ndarray  # H x W x 3 uint8
    alpha: np.ndarray | None = None  # H x W uint8, None when opaque
    mask: np.ndarray | None = None  # H x W uint8, the user's mask

    @property
    def size(self) -> tuple[int, int]:
        return self.rgb.shape[1], self.rgb.shape[0]


@dataclass
class Context:
    second_image: np.ndarray | None = None  # RGB uint8
    matte: np.ndarray | None = None  # float 0..1, set before the first background operation
    notes: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)


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
            planes, factor, method = geometry.upscale(planes, **params)
            if factor <= 1.0:
                ctx.notes.append("already at the largest size the editor makes (4096 px)")
            elif abs(factor - float(params.get("factor", 2))) > 0.01:
                ctx.notes.append(f"upscaled {factor:.2f}x (the long side is capped at 4096 px)")
            ctx.tags.append(f"{method}-x{factor:g}" if factor > 1 else "upscale")
        else:
            planes = getattr(geometry, name)(planes, **params)
            label = {
                "crop": "crop-{ratio}",
                "pad": "pad-{ratio}",
                "rotate": "rotate-{degrees}",
                "flip": "flip-{axis}",
            }[name]
            ctx.tags.append(label.format(**params).replace(":", "x"))
        return _planes(canvas, planes)

    return run


def _remove_object(canvas: Canvas, ctx: Context) -> Canvas:
    ctx.tags.append("inpaint")
    return Canvas(geometry.inpaint(canvas.rgb, canvas.mask), canvas.alpha, canvas.mask)


def _pixelate(canvas: Canvas, ctx: Context, faces: bool = False) -> Canvas:
    ctx.tags.append("pixelate")
    rgb = artistic.pixelate(canvas.rgb, canvas.mask, faces)
    return Canvas(rgb, canvas.alpha, canvas.mask)


def _style(canvas: Canvas, ctx: Context, **params) -> Canvas:
    if params.get("source") == "image":
        ctx.tags.append("style-image")
        rgb = artistic.style(canvas.rgb, style_image=ctx.second_image, **params)
    else:
        ctx.tags.append(f"style26-{params.get('index')}")
        rgb = artistic.style(canvas.rgb, **params)
    return Canvas(rgb, canvas.alpha, canvas.mask)


def _background(name: str) -> Callable:
    def run(canvas: Canvas, ctx: Context, **params) -> Canvas:
        alpha = ctx.matte
        if "u2netp" not in ctx.tags and "alpha" not in ctx.tags:
            ctx.tags.append("u2netp")
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
            rgb = background.with_image(canvas.rgb, alpha, ctx.second_image)
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
    "cartoon": _colour_op(artistic.cartoon),
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
            else f"restyled it as {STYLE_NAMES.get(p.get('index'), 'a painting')}"
        ),
        "crop": f"cropped to {p.get('ratio')}",
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
    }
    return texts.get(op.name, f"applied {op.name.replace('_', ' ')}")


def hotspot_mask(size: tuple[int, int], hotspot: tuple[int, int]) -> np.ndarray:
    """A small disc around a clicked point, for erasing blemishes without a painted mask."""
    w, h = size
    mask = np.zeros((h, w), np.uint8)
    cv2.circle(mask, (int(hotspot[0]), int(hotspot[1])), max(8, min(w, h) // 25), 255, -1)
    return mask


def run(ops: list[Operation], canvas: Canvas, ctx: Context) -> Canvas:
    """Run the operations in order; returns the final canvas (tags and notes go to ctx)."""
    original = canvas
    needs_matte = any(op.name in BACKGROUND_OPS for op in ops)
    for op in ops:
        if needs_matte and ctx.matte is None and op.name not in BEFORE_MATTE:
            if canvas.alpha is not None and canvas.alpha.min() < 250:
                ctx.matte = canvas.alpha.astype(np.float32) / 255.0  # already cut out
                ctx.tags.append("alpha")
            else:
                ctx.matte = background.subject_matte(canvas.rgb)
        canvas = OPERATIONS[op.name](canvas, ctx, **op.params)
    native = FRAME_OPS + BACKGROUND_OPS + ("remove_object", "pixelate")
    local = original.mask is not None and not any(op.name in native for op in ops)
    if local:
        weight = cv2.GaussianBlur(original.mask.astype(np.float32) / 255.0, (0, 0), 1.5)[..., None]
        rgb = original.rgb * (1 - weight) + canvas.rgb.astype(np.float32) * weight
        canvas = Canvas((rgb + 0.5).astype(np.uint8), canvas.alpha, canvas.mask)
    return canvas
