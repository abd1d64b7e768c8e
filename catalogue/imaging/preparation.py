"""The entry points: validate bytes, then make the stored copy, the model input, or both."""

from __future__ import annotations

from PIL import Image

from .colour import normalize
from .decoding import (
    apply_orientation,
    as_bytes,
    decode_full,
    exif_orientation,
    load_pixels,
    open_image,
)
from .encoding import UploadedImage, model_image, stored_image
from .limits import check_bytes, resolve_limits
from .resizing import resize, target_size
from .values import InputImage


def decode_image(data: bytes, *, max_pixels: int | None = None) -> Image.Image:
    """Validate and fully decode ``data``: an RGB or RGBA image with EXIF orientation applied.

    The pixel limit defaults to ``AICEPS_MAX_IMAGE_PIXELS``; there is no byte limit (use it
    for provider output as well as uploads). Raises :class:`ImageError`."""
    data = as_bytes(data)
    _, max_pixels, _ = resolve_limits(max_pixels=max_pixels)
    image, _, _ = decode_full(data, None, max_pixels)
    return image


def read_upload(
    data: bytes, *, max_bytes: int | None = None, max_pixels: int | None = None
) -> UploadedImage:
    """Validate an upload and produce its stored copy. Raises :class:`ImageError`."""
    data = as_bytes(data)
    max_bytes, max_pixels, _ = resolve_limits(max_bytes, max_pixels)
    image, icc, mime = decode_full(data, max_bytes, max_pixels)
    return stored_image(image, icc, mime, data)


def prepare_for_model(
    data: bytes, *, max_side: int | None = None, lossless: bool = False
) -> InputImage:
    """Uploaded or stored bytes as a model input: at most ``max_side`` pixels on the long side
    (default ``AICEPS_MODEL_MAX_SIDE``), oriented, sRGB, PNG with alpha or ``lossless``
    else JPEG.

    JPEGs are decoded at the smallest DCT scale (1/2, 1/4, 1/8) that still covers the target
    size (Pillow's draft mode), then resized to the exact size (see :func:`.resizing.resize`).
    Raises :class:`ImageError`."""
    data = as_bytes(data)
    _, max_pixels, max_side = resolve_limits(max_side=max_side)
    check_bytes(data, None)
    im, mime = open_image(data, max_pixels)
    target = target_size(im.size, max_side)
    load_pixels(im, mime, draft_size=target if target != im.size else None)
    orientation = exif_orientation(im)
    normalized, icc = normalize(im)
    resized = resize(normalized, target)
    return model_image(apply_orientation(resized, orientation), icc, lossless=lossless)


def prepare_upload(
    data: bytes,
    *,
    max_bytes: int | None = None,
    max_pixels: int | None = None,
    max_side: int | None = None,
) -> tuple[UploadedImage, InputImage]:
    """:func:`read_upload` and :func:`prepare_for_model` from one full decode."""
    data = as_bytes(data)
    max_bytes, max_pixels, max_side = resolve_limits(max_bytes, max_pixels, max_side)
    image, icc, mime = decode_full(data, max_bytes, max_pixels)
    stored = stored_image(image, icc, mime, data)
    resized = resize(image, target_size(image.size, max_side))
    return stored, model_image(resized, icc)
