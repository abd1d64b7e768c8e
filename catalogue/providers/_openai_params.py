"""What the OpenAI provider sends besides images (no SDK here): sizes as each model takes
them, and the request options passed upstream."""

from __future__ import annotations

import re
from typing import cast

from .base import ImageRequest

# Nearest size each model family offers for our aspect ratios.
GPT_SIZES = {"1:1": "1024x1024", "16:9": "1536x1024", "4:3": "1536x1024"}
GPT_SIZES |= {"9:16": "1024x1536", "3:4": "1024x1536"}
DALLE3_SIZES = {"1:1": "1024x1024", "16:9": "1792x1024", "4:3": "1792x1024"}
DALLE3_SIZES |= {"9:16": "1024x1792", "3:4": "1024x1792"}
_STANDARD_SIZES = ("1024x1024", "1536x1024", "1024x1536")
GPT_QUALITIES = ("low", "medium", "high", "xhigh", "max")
GPT_OPTIONS = frozenset({"background", "moderation", "input_fidelity", "complexity"})
# Options passed to images.edit / images.generate as they came, where the model takes them.
_EDIT_OPTIONS = ("quality", "background", "input_fidelity", "complexity", "output_format")
_GENERATE_OPTIONS = ("quality", "background", "moderation", "style", "complexity", "output_format")


def fallback_size(model: str, aspect_ratio: str | None) -> str | None:
    """The size for an aspect ratio, when no size was asked."""
    if model.startswith("dall-e-3"):
        return DALLE3_SIZES.get(aspect_ratio or "1:1")
    if model.startswith("dall-e"):
        return "1024x1024"  # dall-e-2 makes squares only
    return GPT_SIZES.get(aspect_ratio) if aspect_ratio else None


def upstream_size(model: str, size: str | None) -> str | None:
    """``size`` as ``model`` takes it: rounded to multiples of 16 (at most 3840 a side) for
    gpt-image-2 and later, the nearest standard size by shape for the other GPT image
    models; None for DALL·E (its sizes follow the aspect ratio)."""
    if not size or size == "auto" or model.startswith("dall-e"):
        return None
    try:
        width, height = (int(part) for part in size.lower().split("x"))
    except ValueError:
        return None
    generation = re.match(r"^(?:gpt|chatgpt)-image-(\d+)", model)
    if generation and int(generation[1]) >= 2:
        scale = min(1.0, 3840 / max(width, height))
        return "x".join(str(max(16, round(side * scale / 16) * 16)) for side in (width, height))
    if size in _STANDARD_SIZES:
        return size
    ratio = width / height
    return "1024x1024" if 0.8 <= ratio <= 1.25 else "1536x1024" if ratio > 1 else "1024x1536"


def request_options(request: ImageRequest, legacy: bool, *, edit: bool) -> dict:
    names: tuple[str, ...] = _EDIT_OPTIONS if edit else _GENERATE_OPTIONS
    if legacy:
        names = ("quality", "style")  # DALL·E takes no other
    sent = {name: request.options[name] for name in names if request.options.get(name)}
    if not legacy:
        if request.options.get("output_compression") is not None:
            sent["output_compression"] = int(
                cast("int | str", request.options["output_compression"])
            )
        if request.options.get("user"):
            sent["user"] = str(request.options["user"])
    if sent.get("output_format") == "png" and "output_compression" not in sent:
        sent.pop("output_format")  # the default; older compatible servers reject the field
    return sent
