"""Pillow helpers of the local provider: sizes, masks, compositing and PNG output.

No torch here. Sizes are rounded *down* to a multiple of the family's ``multiple`` (8 for
Stable Diffusion's VAE, 16 for the transformer models), keeping the aspect ratio as closely as
the rounding allows.
"""

from __future__ import annotations

import io
from typing import Literal

from PIL import Image, ImageChops, ImageDraw, ImageFilter

from ..base import GeneratedImage, InputImage

MASK_FLOOR = 24  # mask values below this (of 255) count as black


def _round(value: float, multiple: int) -> int:
    return max(multiple, int(value) // multiple * multiple)


def fit_size(width: int, height: int, *, max_side: int, multiple: int) -> tuple[int, int]:
    """Scale (down only) so the long side is at most ``max_side``; round to ``multiple``."""
    scale = min(1.0, max_side / max(width, height))
    return _round(width * scale, multiple), _round(height * scale, multiple)


def aspect_size(aspect_ratio: str | None, *, long_side: int, multiple: int) -> tuple[int, int]:
    """Width and height for an aspect ratio such as ``"16:9"``; square when unknown."""
    try:
        w, h = (float(part) for part in (aspect_ratio or "1:1").split(":"))
        if w <= 0 or h <= 0:
            raise ValueError
    except ValueError:
        w = h = 1.0
    if w >= h:
        return _round(long_side, multiple), _round(long_side * h / w, multiple)
    return _round(long_side * w / h, multiple), _round(long_side, multiple)


def parse_size(size: str | None, *, multiple: int, max_side: int) -> tuple[int, int] | None:
    """``"WIDTHxHEIGHT"`` -> a rounded size no larger than ``max_side``; None when unusable."""
    if not size:
        return None
    try:
        w, h = (int(part) for part in size.lower().split("x"))
    except ValueError:
        return None
    if w <= 0 or h <= 0:
        return None
    return fit_size(w, h, max_side=max_side, multiple=multiple)


def open_rgb(image: InputImage) -> Image.Image:
    """Decode to RGB; transparent areas become white (diffusion models have no alpha)."""
    with Image.open(io.BytesIO(image.data)) as im:
        im.load()
        if im.mode in ("RGBA", "LA") or (im.mode == "P" and "transparency" in im.info):
            rgba = im.convert("RGBA")
            background = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
            return Image.alpha_composite(background, rgba).convert("RGB")
        return im.convert("RGB")


def prepare(im: Image.Image, size: tuple[int, int]) -> Image.Image:
    return im if im.size == size else im.resize(size, Image.Resampling.LANCZOS)


def open_mask(mask: InputImage, size: tuple[int, int]) -> Image.Image:
    """An ``L`` mask, white where the image may change: the alpha channel when the mask has
    transparency (opaque = change), else its luminance."""
    with Image.open(io.BytesIO(mask.data)) as im:
        im.load()
        if im.mode in ("RGBA", "LA") or (im.mode == "P" and "transparency" in im.info):
            alpha = im.convert("RGBA").getchannel("A")
            grey = alpha if alpha.getextrema() != (255, 255) else im.convert("L")
        else:
            grey = im.convert("L")
    grey = grey if grey.size == size else grey.resize(size, Image.Resampling.BILINEAR)
    # Faint values are compression noise (a mask that went through JPEG rings around its
    # edges), not a wish to change the photo there: those pixels stay the photo's own.
    return grey.point(lambda v: 0 if v < MASK_FLOOR else v)


def hotspot_mask(
    hotspot: tuple[int, int],
    source_size: tuple[int, int],
    size: tuple[int, int],
    *,
    radius: float,
) -> Image.Image:
    """A soft disc around ``hotspot`` (pixels of the source image), ``radius`` a fraction of
    the short side, in an ``L`` mask of ``size``."""
    sx, sy = size[0] / max(1, source_size[0]), size[1] / max(1, source_size[1])
    cx, cy = hotspot[0] * sx, hotspot[1] * sy
    r = max(4.0, radius * min(size))
    mask = Image.new("L", size, 0)
    ImageDraw.Draw(mask).ellipse((cx - r, cy - r, cx + r, cy + r), fill=255)
    return mask.filter(ImageFilter.GaussianBlur(r / 4))


def composite(generated: Image.Image, original: Image.Image, mask: Image.Image) -> Image.Image:
    """Keep ``original`` where ``mask`` is black: every pixel there is the original's. The
    seam is feathered inwards only (the blurred mask, never above the mask itself)."""
    generated = prepare(generated.convert("RGB"), original.size)
    mask = mask if mask.size == original.size else mask.resize(original.size)
    soft = mask.filter(ImageFilter.GaussianBlur(max(1, min(original.size) // 128)))
    return Image.composite(generated, original, ImageChops.darker(soft, mask))


def padded_canvas(
    im: Image.Image, padding: tuple[int, int, int, int]
) -> tuple[Image.Image, Image.Image]:
    """``im`` on a canvas larger by ``padding`` (left, top, right, bottom), the new area filled
    by reflecting the photo's own content (its edge colour where the photo is thinner than the
    padding), and an ``L`` mask white over the new area only."""
    import numpy as np

    left, top, right, bottom = (max(0, int(p)) for p in padding)
    pixels = np.asarray(im.convert("RGB"))
    fits = max(left, right) < im.width and max(top, bottom) < im.height
    mode: Literal["reflect", "edge"] = "reflect" if fits else "edge"
    canvas = np.pad(pixels, ((top, bottom), (left, right), (0, 0)), mode=mode)
    mask = Image.new("L", (canvas.shape[1], canvas.shape[0]), 255)
    mask.paste(0, (left, top, left + im.width, top + im.height))
    return Image.fromarray(canvas, "RGB"), mask


def grow(mask: Image.Image, pixels: int) -> Image.Image:
    """``mask`` with its white area grown by about ``pixels`` (a seam the model may repaint)."""
    if pixels <= 0:
        return mask
    return mask.filter(ImageFilter.MaxFilter(2 * pixels + 1))


def mask_is_empty(mask: Image.Image) -> bool:
    return mask.getextrema()[1] == 0


def to_png(im: Image.Image) -> GeneratedImage:
    buffer = io.BytesIO()
    # Level 3, as catalogue.imaging: about half the time of 6 for photos, much the same size.
    im.convert("RGB").save(buffer, format="PNG", compress_level=3)
    return GeneratedImage(data=buffer.getvalue(), mime_type="image/png")


__all__ = [
    "aspect_size",
    "composite",
    "fit_size",
    "grow",
    "hotspot_mask",
    "mask_is_empty",
    "open_mask",
    "open_rgb",
    "padded_canvas",
    "parse_size",
    "prepare",
    "to_png",
]
