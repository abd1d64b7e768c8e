"""Reading the OpenAI Images API's answers (no SDK here: the SDK's objects are read by
attribute): a response's images, or a stream's events with its partial images reported as
previews as they arrive."""

from __future__ import annotations

import base64
import binascii
from types import SimpleNamespace

from ..imaging.formats import RESULT_MIME_TYPES, image_mime_type
from ._support import malformed
from .base import GeneratedImage, ImageRequest, ImageResult, ProviderError

NAME = "openai"


def read_stream(events, request: ImageRequest, model: str, wanted: int) -> ImageResult:
    """Consume an upstream stream: partial images become previews, the completed events
    the result."""
    completed, tokens = [], 0
    for event in events:
        kind = getattr(event, "type", "")
        if kind.endswith(".partial_image"):
            request.progress(
                "generating",
                step=int(getattr(event, "partial_image_index", 0)) + 1,
                steps=wanted,
                preview=decode_b64(getattr(event, "b64_json", "")),
            )
        elif kind.endswith(".completed"):
            completed.append(SimpleNamespace(b64_json=event.b64_json, revised_prompt=None))
            tokens = max(tokens, getattr(getattr(event, "usage", None), "total_tokens", 0) or 0)
    usage = SimpleNamespace(total_tokens=tokens)
    return read_images(SimpleNamespace(data=completed, usage=usage), model)


def read_images(response, model: str) -> ImageResult:
    data = getattr(response, "data", None)
    if not isinstance(data, list):
        raise malformed(f"OpenAI answered without an image list: {str(response)[:200]}", NAME)
    images, urls, texts = [], 0, []
    for item in data:
        b64 = getattr(item, "b64_json", None)
        urls += bool(getattr(item, "url", None))
        if getattr(item, "revised_prompt", None):
            texts.append(item.revised_prompt)
        if not b64:
            continue
        try:
            raw = base64.b64decode(b64, validate=True)
        except (binascii.Error, ValueError, TypeError) as exc:
            raise malformed(f"OpenAI returned invalid base64: {exc}", NAME) from exc
        mime = image_mime_type(raw)
        if mime not in RESULT_MIME_TYPES:
            raise malformed("OpenAI returned data that is not an image", NAME)
        images.append(GeneratedImage(data=raw, mime_type=mime))
    if not images:
        detail = " (only URLs, base64 was asked for)" if urls else ""
        raise ProviderError(
            f"{model} answered without an image{detail}.",
            permanent=True,
            code="no_image",
            provider=NAME,
        )
    usage = getattr(response, "usage", None)
    tokens = getattr(usage, "total_tokens", 0) or 0
    return ImageResult(
        images=tuple(images), model=model, tokens_used=int(tokens), text="\n".join(texts)
    )


def decode_b64(b64: str) -> bytes | None:
    try:
        return base64.b64decode(b64, validate=True) if b64 else None
    except (binascii.Error, ValueError):
        return None
