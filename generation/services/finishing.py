"""What AicePS does to a provider's images before storing them, whatever the provider:
the background the client asked for, the exact size, the output format and compression.

Runs in the worker (it decodes pixels). Each step is skipped when the image already is what
was asked: a provider that made a transparent PNG of the right size is stored as it came.

* ``background="transparent"``: an image without transparency has its background removed by
  the offline editor's U-2-Net matting (through its public ``generate``, as a
  ``remove_background`` task); ``"opaque"``: transparency is flattened onto white.
* ``size="WxH"``: cropped to the aspect ratio around the centre, then resized to exactly
  W×H (Lanczos), so every provider answers the size that was asked.
* ``output_format`` png / jpeg / webp, ``output_compression`` (0–100, the JPEG or WebP
  quality; OpenAI's default is 100).
"""

from __future__ import annotations

import io
import logging
from collections.abc import Callable
from dataclasses import dataclass

from PIL import Image

from catalogue.imaging import decode_image, encode_image
from catalogue.imaging.resizing import fit
from catalogue.providers.base import (
    GeneratedImage,
    ImageRequest,
    InputImage,
    ProviderError,
    TaskType,
)
from catalogue.task_rules import parse_size
from catalogue.task_types import UPSCALE_MAX_RESULT_SIDE

logger = logging.getLogger(__name__)
RESULT_MAX_PIXELS = UPSCALE_MAX_RESULT_SIDE * UPSCALE_MAX_RESULT_SIDE
FORMATS = {
    "png": ("PNG", "image/png"),
    "jpeg": ("JPEG", "image/jpeg"),
    "jpg": ("JPEG", "image/jpeg"),
    "webp": ("WEBP", "image/webp"),
}


@dataclass(frozen=True)
class Finish:
    """What the task's parameters ask of the stored images."""

    size: tuple[int, int] | None = None
    background: str = ""  # "transparent", "opaque" or "" (as the provider made it)
    format: str = ""  # "png", "jpeg", "webp" or "" (as the provider made it)
    compression: int | None = None

    @classmethod
    def from_parameters(cls, parameters: dict | None) -> Finish:
        params = parameters or {}
        background = str(params.get("background") or "")
        compression = params.get("output_compression")
        return cls(
            size=parse_size(str(params.get("size") or "")),
            background=background if background in ("transparent", "opaque") else "",
            format=str(params.get("output_format") or "").lower(),
            compression=int(compression) if compression is not None else None,
        )


def finish_images(
    images: tuple[GeneratedImage, ...],
    finish: Finish,
    *,
    remove_background: Callable[[bytes], bytes] | None = None,
) -> list[tuple[GeneratedImage, dict]]:
    """Each image made what ``finish`` asks, with what it now is: ``{"size": "WxH",
    "background": "transparent" or "opaque", "format": "png", "jpeg" or "webp"}``."""
    return [_finish(image, finish, remove_background) for image in images]


def _facts(picture: Image.Image, mime: str) -> dict:
    return {
        "size": f"{picture.size[0]}x{picture.size[1]}",
        "background": "transparent" if _has_transparency(picture) else "opaque",
        "format": mime.split("/")[-1],
    }


def _finish(image: GeneratedImage, finish: Finish, remove_background) -> tuple:
    picture = decode_image(image.data, max_pixels=RESULT_MAX_PIXELS)  # upscales go past uploads
    changed = False
    if finish.background == "transparent" and not _has_transparency(picture):
        cut = (remove_background or remove_background_offline)(image.data)
        picture, changed = decode_image(cut), True
    elif finish.background == "opaque" and _has_transparency(picture):
        flat = Image.new("RGB", picture.size, (255, 255, 255))
        flat.paste(picture, mask=picture.convert("RGBA").getchannel("A"))
        picture, changed = flat, True
    if finish.size and picture.size != finish.size:
        picture, changed = fit(picture, finish.size), True
    wanted = FORMATS.get(finish.format) or FORMATS.get(image.mime_type.split("/")[-1])
    fmt, mime = wanted or FORMATS["png"]
    quality = finish.compression if fmt in ("JPEG", "WEBP") else None
    if not changed and mime == image.mime_type and quality is None:
        return image, _facts(picture, mime)
    data = encode_image(picture, format=fmt, quality=max(1, quality) if quality else None)
    if fmt == "JPEG":
        picture = picture.convert("RGB")  # what JPEG keeps
    return GeneratedImage(data=data, mime_type=mime), _facts(picture, mime)


def _has_transparency(picture: Image.Image) -> bool:
    if picture.mode not in ("RGBA", "LA", "PA") and "transparency" not in picture.info:
        return False
    return picture.convert("RGBA").getchannel("A").getextrema()[0] < 255


def remove_background_offline(data: bytes) -> bytes:
    """The subject of ``data`` on a transparent background, by the offline editor."""
    from catalogue.providers.registry import get_image_provider

    with Image.open(io.BytesIO(data)) as opened:
        width, height = opened.size
    mime = "image/png" if data.startswith(b"\x89PNG") else "image/jpeg"
    words = "Remove the background"
    request = ImageRequest(
        prompt=words,
        instruction=words,
        task_type=TaskType.REMOVE_BACKGROUND,
        images=(InputImage(data=data, mime_type=mime, width=width, height=height),),
    )
    try:
        result = get_image_provider("offline").generate(request)
    except ProviderError as error:
        error.message = f"The transparent background could not be made: {error.message}"
        raise
    return result.images[0].data
