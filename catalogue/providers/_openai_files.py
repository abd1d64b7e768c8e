"""Preparing images for the OpenAI APIs (no SDK here): ``data:`` URLs for chat, upload
tuples for ``images.edit`` and the mask conversion."""

from __future__ import annotations

import base64
import io
from typing import cast

from PIL import Image, UnidentifiedImageError

from .base import InputImage, ProviderError


def data_url(image: InputImage) -> str:
    return f"data:{image.mime_type};base64,{base64.b64encode(image.data).decode('ascii')}"


def upload(image: InputImage, index: int, *, force_png: bool) -> tuple[str, bytes, str]:
    if force_png and image.mime_type != "image/png":
        # dall-e-2 edits accept PNG only.
        with open_image(image.data) as img:
            buffer = io.BytesIO()
            img.convert("RGBA").save(buffer, format="PNG")
        return (f"image{index}.png", buffer.getvalue(), "image/png")
    extension = {"image/jpeg": "jpg", "image/webp": "webp"}.get(image.mime_type, "png")
    return (f"image{index}.{extension}", image.data, image.mime_type)


def openai_mask(mask: InputImage, width: int, height: int) -> bytes:
    """Our mask (white or opaque = may change) as OpenAI's: an RGBA PNG of the image's size,
    fully transparent where the image may change and opaque elsewhere."""
    with open_image(mask.data) as img:
        rgba = img.convert("RGBA")
    alpha = rgba.getchannel("A")
    lowest = cast("tuple[float, float]", alpha.getextrema())[0]  # one band: one pair
    change = alpha if lowest < 255 else rgba.convert("L")
    if change.size != (width, height):
        change = change.resize((width, height), Image.Resampling.NEAREST)
    out = Image.new("RGBA", (width, height), (0, 0, 0, 255))
    out.putalpha(change.point(lambda v: 0 if v >= 128 else 255))
    buffer = io.BytesIO()
    out.save(buffer, format="PNG")
    return buffer.getvalue()


def open_image(data: bytes) -> Image.Image:
    try:
        img = Image.open(io.BytesIO(data))
        img.load()
    except (UnidentifiedImageError, OSError) as exc:
        raise ProviderError(
            f"Unreadable image for OpenAI: {exc}",
            permanent=True,
            code="invalid_request",
            provider="openai",
        ) from exc
    return img
