"""Reading the request's images: EXIF-rotated RGB with an optional alpha plane, and masks."""

from __future__ import annotations

import io

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from ..base import InputImage, ProviderError


def decode(image: InputImage) -> tuple[np.ndarray, np.ndarray | None]:
    """(RGB uint8, alpha uint8 or None when fully opaque)."""
    try:
        with Image.open(io.BytesIO(image.data)) as opened:
            img = ImageOps.exif_transpose(opened)
            img.load()
    except (UnidentifiedImageError, OSError, ValueError) as exc:
        raise ProviderError(
            f"The image could not be read: {exc}",
            permanent=True,
            code="invalid_image",
            provider="offline",
        ) from exc
    has_alpha = img.mode in ("RGBA", "LA", "PA") or (img.mode == "P" and "transparency" in img.info)
    if has_alpha:
        rgba = np.asarray(img.convert("RGBA"))
        alpha = np.ascontiguousarray(rgba[..., 3])
        return np.ascontiguousarray(rgba[..., :3]), (alpha if alpha.min() < 255 else None)
    return np.asarray(img.convert("RGB")).copy(), None


def decode_mask(image: InputImage, size: tuple[int, int]) -> np.ndarray:
    """The mask as uint8 (255 = may change), at ``size`` (width, height)."""
    rgb, alpha = decode(image)
    if alpha is not None and alpha.max() > alpha.min() and rgb.max() == rgb.min():
        plane = alpha  # a transparent mask painted with one colour: opaque = change
    else:
        plane = np.asarray(Image.fromarray(rgb).convert("L"))
        if alpha is not None:
            plane = (plane.astype(np.uint16) * alpha // 255).astype(np.uint8)
    if (plane.shape[1], plane.shape[0]) != size:
        plane = np.asarray(Image.fromarray(plane).resize(size, Image.Resampling.BILINEAR))
    return plane
