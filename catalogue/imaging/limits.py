"""Byte and pixel limits: their defaults, their Django settings and the checks against them."""

from __future__ import annotations

from .errors import ImageError, bomb_error

# Defaults when Django settings are not configured (the values of aiceps.settings.base).
DEFAULT_MAX_UPLOAD_BYTES = 12 * 1024 * 1024
DEFAULT_MAX_IMAGE_PIXELS = 40_000_000
DEFAULT_MODEL_MAX_SIDE = 2048

# A header claiming more pixels than this many per byte of file, and over the pixel limit,
# is reported as a decompression bomb rather than merely a large image. Real photos carry a
# handful of pixels per byte; even a flat-colour PNG stays under about 350.
_BOMB_PIXELS_PER_BYTE = 1000


def _setting(name: str, default: int) -> int:
    try:
        from django.conf import settings

        return int(getattr(settings, name, default))
    except Exception:  # Django not installed or settings not configured
        return default


def resolve_limits(
    max_bytes: int | None = None, max_pixels: int | None = None, max_side: int | None = None
) -> tuple[int, int, int]:
    """The given limits, each defaulting to its Django setting."""
    if max_bytes is None:
        max_bytes = _setting("AICEPS_MAX_UPLOAD_BYTES", DEFAULT_MAX_UPLOAD_BYTES)
    if max_pixels is None:
        max_pixels = _setting("AICEPS_MAX_IMAGE_PIXELS", DEFAULT_MAX_IMAGE_PIXELS)
    if max_side is None:
        max_side = _setting("AICEPS_MODEL_MAX_SIDE", DEFAULT_MODEL_MAX_SIDE)
    return max_bytes, max_pixels, max_side


def _mb(n: int) -> str:
    """``n`` bytes for people: "12 MB", "3.5 MB", or "200 KB" below a megabyte."""
    if n < 1024 * 1024:
        return f"{-(-n // 1024)} KB"
    return f"{n / (1024 * 1024):.1f}".removesuffix(".0") + " MB"


def check_bytes(data: bytes, max_bytes: int | None) -> None:
    if not data:
        raise ImageError("empty_file", "The file is empty. Please choose an image to upload.")
    if max_bytes is not None and len(data) > max_bytes:
        raise ImageError(
            "file_too_large",
            f"The file is {_mb(len(data))}, more than the {_mb(max_bytes)} limit. "
            "Please upload a smaller image.",
            status=413,
        )


def check_pixels(size: tuple[int, int], n_bytes: int, max_pixels: int | None) -> None:
    width, height = size
    if width <= 0 or height <= 0:
        raise ImageError("not_an_image", "The image has no pixels.")
    pixels = width * height
    if max_pixels is not None and pixels > max_pixels:
        if pixels > _BOMB_PIXELS_PER_BYTE * n_bytes:
            raise bomb_error(width, height)
        raise ImageError(
            "image_too_large",
            f"The image is {width}×{height} pixels ({pixels / 1e6:.1f} megapixels), more than "
            f"the {max_pixels / 1e6:g} megapixel limit. Please resize it and try again.",
            status=413,
        )
