"""Step progress and cheap previews of a running diffusers pipeline.

:class:`StepReporter` is passed as ``callback_on_step_end``: after each denoising step it
reports "denoising, step i of N" through ``request.progress``, and at a few steps a preview
of the image so far. Previews never run the full VAE at full size:

* 4-channel latents (Stable Diffusion 1.x/2.x, SDXL, InstructPix2Pix) go through a fixed
  linear map from latent channels to RGB (the well-known approximation used by sampler
  previews), upscaled to the output size;
* other spatial latents (SD3's 16 channels) are decoded by the pipeline's VAE at half the
  latent resolution;
* packed or video latents (Flux, Qwen-Image) get step progress only.

Which steps: with ``request.partial_images`` P > 0, P steps spread evenly over the run (the
client asked for that many partial images); otherwise three (a quarter, half and three
quarters of the way), for the live task page.
"""

from __future__ import annotations

import io
import logging
from typing import Any

from PIL import Image

from ..base import ImageRequest
from . import runtime

logger = logging.getLogger(__name__)

# Latent channel -> (R, G, B) contributions.
SD_FACTORS = (
    (0.3512, 0.2297, 0.3227),
    (0.3250, 0.4974, 0.2350),
    (-0.2829, 0.1762, 0.2721),
    (-0.2120, -0.2616, -0.7177),
)
SDXL_FACTORS = (
    (0.3651, 0.4232, 0.4341),
    (-0.2533, -0.0042, 0.1068),
    (0.1076, 0.1111, -0.0362),
    (-0.3165, -0.2492, -0.2188),
)
SDXL_BIAS = (0.1084, -0.0175, -0.0011)
DEFAULT_PREVIEWS = 3


def preview_steps(total: int, wanted: int) -> set[int]:
    """The steps (1 to ``total``) after which a preview is made."""
    count = wanted if wanted > 0 else DEFAULT_PREVIEWS
    if total <= 0:
        return set()
    return {max(1, min(total, round(k * total / (count + 1)))) for k in range(1, count + 1)}


class StepReporter:
    """``callback_on_step_end`` of one pipeline call."""

    def __init__(
        self, request: ImageRequest, *, family_key: str, size: tuple[int, int], steps: int
    ) -> None:
        self.request, self.family_key, self.size = request, family_key, size
        self.steps_hint = steps
        self._planned: set[int] | None = None
        self._total = 0

    def __call__(self, pipe: Any, step_index: int, timestep: Any, callback_kwargs: dict) -> dict:
        total = int(getattr(pipe, "num_timesteps", 0) or self.steps_hint)
        if self._planned is None or total != self._total:
            self._total, self._planned = total, preview_steps(total, self.request.partial_images)
        step = step_index + 1
        preview = None
        if step in self._planned and step < total:  # the last step's picture is the result
            try:
                preview = latent_preview(pipe, callback_kwargs.get("latents"), self)
            except Exception:  # a preview is a courtesy: never fail the run for it
                logger.warning("diffusers preview failed", exc_info=True)
        self.request.progress("denoising", step=step, steps=total, preview=preview)
        return callback_kwargs


def latent_preview(pipe: Any, latents: Any, reporter: StepReporter) -> bytes | None:
    """A PNG of ``latents`` (the first image of the batch) at the output size, or None."""
    torch, _ = runtime.import_backend()
    if latents is None or getattr(latents, "ndim", 0) != 4:
        return None
    with torch.no_grad():
        first = latents[:1].float()
        if first.shape[1] == 4:
            rgb = _linear_rgb(torch, first[0], reporter.family_key)
        else:
            rgb = _vae_rgb(torch, pipe, latents[:1])
        if rgb is None:
            return None
        pixels = (rgb.clamp(0, 1) * 255).round().to(torch.uint8).permute(1, 2, 0).cpu().numpy()
    picture = Image.fromarray(pixels, "RGB").resize(reporter.size, Image.Resampling.BILINEAR)
    buffer = io.BytesIO()
    picture.save(buffer, format="PNG", compress_level=1)
    return buffer.getvalue()


def _linear_rgb(torch: Any, latent: Any, family_key: str) -> Any:
    xl = "xl" in family_key
    factors = torch.tensor(SDXL_FACTORS if xl else SD_FACTORS, dtype=latent.dtype)
    rgb = torch.einsum("chw,cr->rhw", latent.cpu(), factors)
    if xl:
        rgb = rgb + torch.tensor(SDXL_BIAS, dtype=latent.dtype)[:, None, None]
    return (rgb + 1) / 2


def _vae_rgb(torch: Any, pipe: Any, latents: Any) -> Any:
    vae = getattr(pipe, "vae", None)
    config = getattr(vae, "config", None)
    if (
        vae is None
        or config is None
        or getattr(config, "latent_channels", None) != latents.shape[1]
    ):
        return None
    if min(latents.shape[-2:]) >= 16:
        latents = torch.nn.functional.interpolate(latents, scale_factor=0.5, mode="bilinear")
    scaled = latents / (config.scaling_factor or 1.0) + (getattr(config, "shift_factor", 0) or 0)
    decoded = vae.decode(scaled.to(dtype=vae.dtype, device=vae.device)).sample[0].float()
    return ((decoded + 1) / 2).cpu()
