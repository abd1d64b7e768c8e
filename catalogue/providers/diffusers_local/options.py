"""How a request's options change a diffusers run (pure Python, no torch): what the provider
can do per family, and the steps, strength and image guidance a request asks for."""

from __future__ import annotations

from ..base import Capabilities, ImageRequest
from .families import Family, Mode
from .previews import StepReporter

QUALITY_STEPS = {"low": 0.5, "medium": 1.0, "high": 2.0}  # times the configured steps
HIGH_FIDELITY_STRENGTH = 0.6  # times the configured img2img strength
HIGH_FIDELITY_IMAGE_GUIDANCE = 1.5  # times the configured InstructPix2Pix image guidance


def capabilities_for(family: Family) -> Capabilities:
    """The task types the family runs; ``input_fidelity`` only where there is a knob for it
    (img2img, InstructPix2Pix)."""
    fidelity = family.mode in (Mode.STRENGTH, Mode.INSTRUCT)
    return Capabilities(
        edit=True,
        text_to_image=family.text_to_image is not None,
        mask=family.mode != Mode.UPSCALE,
        task_types=family.task_types(),
        max_input_images=family.max_input_images,
        qualities=tuple(QUALITY_STEPS),
        options=frozenset({"input_fidelity"}) if fidelity else frozenset(),
    )


def steps(configured: int, request: ImageRequest | None) -> int:
    quality = request.option("quality") if request is not None else None
    return max(1, round(configured * QUALITY_STEPS.get(str(quality), 1.0)))


def strength(configured: float, request: ImageRequest) -> float:
    high = request.option("input_fidelity") == "high"
    return configured * HIGH_FIDELITY_STRENGTH if high else configured


def image_guidance(configured: float, request: ImageRequest) -> float:
    high = request.option("input_fidelity") == "high"
    return configured * HIGH_FIDELITY_IMAGE_GUIDANCE if high else configured


def step_callback(request: ImageRequest, family: Family, size, total: int) -> dict:
    """The pipeline keywords that report each step (and a few previews); none when nobody
    listens (previews cost a decode and a PNG each)."""
    if request.report is None:
        return {}
    reporter = StepReporter(request, family_key=family.key, size=size, steps=total)
    return {
        "callback_on_step_end": reporter,
        "callback_on_step_end_tensor_inputs": ["latents"],
    }
