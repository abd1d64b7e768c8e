"""The local diffusers image provider: runs an open model on this machine's GPU or CPU.

The model (``AICEPS_DIFFUSERS_MODEL``) is a diffusers pipeline directory, or a hub id whose files
are already in the Hugging Face cache (nothing is downloaded unless ``allow_download``). The
``_class_name`` in its ``model_index.json`` picks how it is driven (see ``families``):

* Stable Diffusion 1.x/2.x (SD-Turbo too), SDXL, SD3, Flux: img2img at ``strength``; with a mask
  (or a hotspot) the inpainting pipeline built from the same weights;
* InstructPix2Pix (SD and SDXL): the image conditions every step (``image_guidance``);
* Flux Kontext, Qwen-Image-Edit (and Edit Plus, which takes up to three images).

Text-to-image reuses the loaded weights (``from_pipe``), so nothing is loaded twice. The model
is loaded once per process, on first use or :meth:`DiffusersImageProvider.load`, and reused;
pipelines are not thread-safe, so calls are serialised by a lock.

Each denoising step is reported (``request.progress``: "denoising", step i of N) with a few
cheap previews (``previews``). Request options: ``quality`` low / medium / high runs half,
the usual or twice the steps; ``input_fidelity=high`` keeps closer to the photo (a lower
img2img strength, a stronger InstructPix2Pix image guidance).
"""

from __future__ import annotations

import logging
import math
import secrets
import threading
from pathlib import Path
from typing import Any

from ..base import (
    Capabilities,
    ImageProvider,
    ImageRequest,
    ImageResult,
    ProviderError,
    TaskType,
)
from . import images as im
from . import options, runtime
from .configuration import check_options, options_from_settings
from .families import Family, Mode, family_for
from .inference import run_pipeline
from .loading import LoadedModel, derived_pipeline, load_model

logger = logging.getLogger(__name__)

PROVIDER = runtime.PROVIDER
MAX_MODEL_NAME = 100  # TaskHistory.*_model columns


class DiffusersImageProvider(ImageProvider):
    """Runs a local diffusers pipeline. See the module docstring for the models it takes.

    ``steps`` and ``guidance`` default to the family's usual values when None. ``seed`` -1
    draws a new seed per request (logged); any other value makes results reproducible.
    ``max_side`` caps the long side of edited images and ``text_to_image_side`` sets the long
    side of drawn ones; both default to the model's native size (512 for SD 1.x, 768 for
    SD 2.x, 1024 for SDXL, Flux and Qwen). ``hotspot_radius`` (a fraction of the short side,
    0 to turn off) limits a hotspot edit without a mask to a soft disc around the point.
    """

    name = PROVIDER
    title = "a local diffusers model"
    setup = "install the [local] extra and set AICEPS_DIFFUSERS_MODEL"
    queue_group = "local"  # torch and a GPU: only workers of the local-model queue run it
    capabilities = Capabilities(
        edit=True,
        text_to_image=True,
        mask=True,
        max_input_images=1,
        qualities=tuple(options.QUALITY_STEPS),
        options=frozenset({"input_fidelity"}),
    )

    @classmethod
    def is_configured(cls) -> bool:
        from django.conf import settings

        return bool(settings.AICEPS_DIFFUSERS_MODEL)

    @classmethod
    def configured_capabilities(cls) -> Capabilities:
        """From the model's ``model_index.json`` alone: neither torch nor the weights load."""
        from django.conf import settings

        model = settings.AICEPS_DIFFUSERS_MODEL
        family = family_for(runtime.read_class_name(model)) if model else None
        return cls._capabilities(family) if family is not None else cls.capabilities

    def __init__(
        self,
        model: str,
        *,
        device: str = "auto",
        dtype: str = "auto",
        steps: int | None = None,
        guidance: float | None = None,
        strength: float = 0.6,
        seed: int = -1,
        image_guidance: float = 1.5,
        max_side: int | None = None,
        text_to_image_side: int | None = None,
        negative_prompt: str = "",
        hotspot_radius: float = 0.25,
        max_count: int = 4,
        allow_download: bool = False,
        cpu_offload: bool = False,
    ) -> None:
        missing = runtime.missing_packages()
        if missing:
            raise runtime.unavailable(f"{', '.join(missing)} not installed")
        model, device, dtype = check_options(model, device, dtype, strength, steps)
        self.model = model
        self.device, self.dtype = device, dtype
        self.steps, self.guidance, self.strength = steps, guidance, strength
        self.seed, self.image_guidance = seed, image_guidance
        self.max_side, self.text_to_image_side = max_side, text_to_image_side
        self.negative_prompt, self.hotspot_radius = negative_prompt, hotspot_radius
        self.max_count = max_count
        self.allow_download, self.cpu_offload = allow_download, cpu_offload
        self.is_local = runtime.is_local_path(model)
        self.label = Path(model).expanduser().resolve().name if self.is_local else model
        self._loaded: LoadedModel | None = None
        self._load_lock = threading.Lock()
        self._call_lock = threading.Lock()
        family = family_for(runtime.read_class_name(model))
        if family is not None:
            self.capabilities = self._capabilities(family)

    @classmethod
    def from_settings(cls) -> DiffusersImageProvider:
        return cls(**options_from_settings())

    @staticmethod
    def _capabilities(family: Family) -> Capabilities:
        return options.capabilities_for(family)

    # -- loading -------------------------------------------------------------------------

    def load(self) -> None:
        """Load the model now (a worker may call this at start) instead of on first use."""
        self._ensure_loaded()

    @property
    def loaded(self) -> bool:
        return self._loaded is not None

    def _ensure_loaded(self) -> LoadedModel:
        loaded = self._loaded
        if loaded is None:
            with self._load_lock:
                loaded = self._loaded
                if loaded is None:
                    loaded = self._loaded = self._load()
        return loaded

    def _load(self) -> LoadedModel:
        loaded = load_model(
            self.model,
            label=self.label,
            is_local=self.is_local,
            allow_download=self.allow_download,
            device=self.device,
            dtype=self.dtype,
            cpu_offload=self.cpu_offload,
        )
        self.capabilities = self._capabilities(loaded.family)
        return loaded

    # -- generation ----------------------------------------------------------------------

    def generate(self, request: ImageRequest) -> ImageResult:
        if not self.loaded:
            request.progress("loading the model")
        loaded = self._ensure_loaded()
        if request.task_type == TaskType.TEXT_TO_IMAGE or not request.images:
            if request.task_type != TaskType.TEXT_TO_IMAGE:
                raise ProviderError(
                    "This task needs an image.",
                    permanent=True,
                    code="missing_image",
                    provider=PROVIDER,
                )
            return self._text_to_image(loaded, request)
        return self._edit(loaded, request)

    def _prompt(self, request: ImageRequest) -> str:
        return (request.prompt or request.instruction or "").strip()

    def _count(self, request: ImageRequest) -> int:
        return max(1, min(int(request.count or 1), self.max_count))

    def _steps(self, family: Family, request: ImageRequest | None = None) -> int:
        return options.steps(int(self.steps or family.steps), request)

    def _guidance(self, family: Family) -> float:
        return float(family.guidance if self.guidance is None else self.guidance)

    def _strength(self, request: ImageRequest) -> float:
        return options.strength(self.strength, request)

    def _image_guidance(self, request: ImageRequest) -> float:
        return options.image_guidance(self.image_guidance, request)

    @staticmethod
    def _report_steps(request: ImageRequest, family: Family, size, steps: int) -> dict:
        return options.step_callback(request, family, size, steps)

    @staticmethod
    def strength_steps(steps: int, strength: float) -> int:
        """Steps to ask for so that img2img runs at least one denoising step.

        img2img skips the first ``1 - strength`` of the schedule and runs
        ``int(steps * strength)`` steps; below one it has nothing to do and diffusers fails
        (SD-Turbo with 2 steps at strength 0.4, say). Raise ``steps`` until one step runs."""
        steps = max(steps, math.ceil(1.0 / strength) if strength > 0 else steps)
        while int(steps * strength) < 1:
            steps += 1
        return steps

    def _text_to_image(self, loaded: LoadedModel, request: ImageRequest) -> ImageResult:
        family = loaded.family
        if family.text_to_image is None:
            raise ProviderError(
                f"The local model {self.label!r} ({family.edit}) edits images only; it cannot "
                "draw from text alone. Configure a Stable Diffusion, SDXL, Flux or Qwen model.",
                permanent=True,
                code="unsupported_task",
                provider=PROVIDER,
            )
        pipe = derived_pipeline(loaded, "text_to_image", label=self.label, lock=self._load_lock)
        long_side = int(self.text_to_image_side or loaded.native_side)
        size = im.parse_size(request.size, multiple=family.multiple, max_side=2048) or (
            im.aspect_size(request.aspect_ratio, long_side=long_side, multiple=family.multiple)
        )
        kwargs = self._common_kwargs(loaded, request)
        steps = self._steps(family, request)
        kwargs.update(width=size[0], height=size[1], num_inference_steps=steps)
        kwargs.update(self._report_steps(request, family, size, steps))
        pictures = self._call(loaded, pipe, kwargs, "drawing an image")
        return self._result(pipe, [im.prepare(p.convert("RGB"), size) for p in pictures])

    def _edit(self, loaded: LoadedModel, request: ImageRequest) -> ImageResult:
        family = loaded.family
        sources = [im.open_rgb(image) for image in request.images[: family.max_input_images]]
        source = sources[0]
        max_side = int(self.max_side or loaded.native_side)
        size = im.fit_size(*source.size, max_side=max_side, multiple=family.multiple)
        image = im.prepare(source, size)
        mask = None
        if request.mask is not None:
            mask = im.open_mask(request.mask, size)
        elif request.task_type == TaskType.HOTSPOT and request.hotspot and self.hotspot_radius:
            mask = im.hotspot_mask(request.hotspot, source.size, size, radius=self.hotspot_radius)
        if mask is not None and im.mask_is_empty(mask):
            raise ProviderError(
                "The mask is empty: it marks nothing that may change.",
                permanent=True,
                code="empty_mask",
                provider=PROVIDER,
            )

        kwargs = self._common_kwargs(loaded, request)
        steps = self._steps(family, request)
        pipe = loaded.pipe
        if family.mode == Mode.STRENGTH:
            strength = self._strength(request)
            steps = self.strength_steps(steps, strength)
            kwargs.update(image=image, strength=strength)
            if mask is not None and family.inpaint:
                pipe = derived_pipeline(loaded, "inpaint", label=self.label, lock=self._load_lock)
                kwargs.update(mask_image=mask, width=size[0], height=size[1])
        elif family.mode == Mode.INSTRUCT:
            kwargs.update(image=image, image_guidance_scale=self._image_guidance(request))
        else:
            references = [image] + [
                im.prepare(s, im.fit_size(*s.size, max_side=max_side, multiple=family.multiple))
                for s in sources[1:]
            ]
            kwargs.update(image=references if len(references) > 1 else image)
        kwargs["num_inference_steps"] = steps
        kwargs.update(self._report_steps(request, family, size, steps))
        pictures = self._call(loaded, pipe, kwargs, "editing an image")
        out = []
        for picture in pictures:
            picture = im.prepare(picture.convert("RGB"), size)
            out.append(im.composite(picture, image, mask) if mask is not None else picture)
        return self._result(pipe, out)

    def _common_kwargs(self, loaded: LoadedModel, request: ImageRequest) -> dict[str, Any]:
        torch, _ = runtime.import_backend()
        family = loaded.family
        seed = self.seed if self.seed is not None and self.seed >= 0 else secrets.randbelow(2**32)
        logger.info("Local model %s: seed %d", self.label, seed)
        kwargs: dict[str, Any] = {
            "prompt": self._prompt(request),
            "num_images_per_prompt": self._count(request),
            "generator": torch.Generator(device="cpu").manual_seed(seed),
        }
        guidance = self._guidance(family)
        if family.key.startswith("qwen"):
            # Qwen-Image uses true classifier-free guidance, which needs a negative prompt.
            kwargs.update(true_cfg_scale=guidance, negative_prompt=self.negative_prompt or " ")
        else:
            kwargs["guidance_scale"] = guidance
            if self.negative_prompt:
                kwargs["negative_prompt"] = self.negative_prompt
        return kwargs

    def _call(self, loaded: LoadedModel, pipe: Any, kwargs: dict[str, Any], what: str) -> list:
        return run_pipeline(loaded, pipe, kwargs, what, label=self.label, lock=self._call_lock)

    def _result(self, pipe: Any, pictures: list) -> ImageResult:
        suffix = f" ({type(pipe).__name__})"
        label = self.label
        if len(label) + len(suffix) > MAX_MODEL_NAME:
            label = label[: MAX_MODEL_NAME - len(suffix) - 1] + "…"
        model = label + suffix
        return ImageResult(images=tuple(im.to_png(p) for p in pictures), model=model)
