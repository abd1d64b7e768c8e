"""The local provider's options: checked when it is built, read from Django settings."""

from __future__ import annotations

from typing import Any

from ..base import ProviderError
from . import runtime


def setting(name: str, default: Any = None) -> Any:
    from django.conf import settings

    value = getattr(settings, name, default)
    return default if value in (None, "") else value


def invalid_configuration(message: str) -> ProviderError:
    return ProviderError(
        message, permanent=True, code="invalid_configuration", provider=runtime.PROVIDER
    )


def check_options(
    model: str, device: str, dtype: str, strength: float, steps: int | None
) -> tuple[str, str, str]:
    """``model``, ``device`` and ``dtype`` normalised; a permanent error for any option that
    cannot work, so a misconfiguration is reported when the provider is built, not mid-task."""
    model = (model or "").strip()
    if not model:
        raise invalid_configuration(
            "No local model configured: set AICEPS_DIFFUSERS_MODEL to a diffusers pipeline "
            "directory or a Hugging Face hub id already downloaded (hf download ID)."
        )
    device, dtype = (device or "auto").strip().lower(), (dtype or "auto").strip().lower()
    if device not in runtime.DEVICES and not device.startswith("cuda:"):
        raise invalid_configuration(
            f"Unknown device {device!r}; use one of {', '.join(runtime.DEVICES)}."
        )
    if dtype not in runtime.DTYPES:
        raise invalid_configuration(
            f"Unknown dtype {dtype!r}; use one of {', '.join(runtime.DTYPES)}."
        )
    if not 0.0 < strength <= 1.0:
        raise invalid_configuration(f"strength must be in (0, 1], not {strength}.")
    if steps is not None and steps < 1:
        raise invalid_configuration(f"steps must be at least 1, not {steps}.")
    return model, device, dtype


def options_from_settings() -> dict[str, Any]:
    """The provider's keyword arguments from the ``AICEPS_DIFFUSERS_*`` settings."""
    return {
        "model": setting("AICEPS_DIFFUSERS_MODEL", ""),
        "device": setting("AICEPS_DIFFUSERS_DEVICE", "auto"),
        "dtype": setting("AICEPS_DIFFUSERS_DTYPE", "auto"),
        "steps": setting("AICEPS_DIFFUSERS_STEPS"),
        "guidance": setting("AICEPS_DIFFUSERS_GUIDANCE"),
        "strength": setting("AICEPS_DIFFUSERS_STRENGTH", 0.6),
        "seed": setting("AICEPS_DIFFUSERS_SEED", -1),
        "image_guidance": setting("AICEPS_DIFFUSERS_IMAGE_GUIDANCE", 1.5),
        "max_side": setting("AICEPS_DIFFUSERS_MAX_SIDE"),
        "text_to_image_side": setting("AICEPS_DIFFUSERS_SIZE"),
        "negative_prompt": setting("AICEPS_DIFFUSERS_NEGATIVE_PROMPT", ""),
        "hotspot_radius": setting("AICEPS_DIFFUSERS_HOTSPOT_RADIUS", 0.25),
        "allow_download": bool(setting("AICEPS_DIFFUSERS_ALLOW_DOWNLOAD", False)),
        "cpu_offload": bool(setting("AICEPS_DIFFUSERS_CPU_OFFLOAD", False)),
    }
