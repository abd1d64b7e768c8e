"""The local diffusers image provider: runs an open model on this machine's GPU or CPU.

The model (``AICEPS_DIFFUSERS_MODEL``) is a diffusers pipeline directory, or a hub id whose files
are already in the Hugging Face cache (nothing is downloaded unless ``allow_download``). The
``_class_name`` in its ``model_index.json`` picks how it is driven (see ``families``):

* Stable Diffusion 1.x/2.x (SD-Turbo too), SDXL, SD3, Flux: img2img at ``strength``; with a mask
  (an ``inpaint`` task, a hotspot) and for ``expand`` the inpainting pipeline built from the
  same weights;
* inpainting models (SD and SDXL inpainting, FLUX.1 Fill): ``inpaint``, ``expand``, and edits
  under a full mask;
* InstructPix2Pix (SD and SDXL): the image conditions every step (``image_guidance``);
* Flux Kontext, Qwen-Image-Edit (and Edit Plus, which takes up to three images);
* the SD x4 upscaler (``StableDiffusionUpscalePipeline``): ``upscale`` only, 2x or 4x.

What each primitive does is in ``operations``; the prompt each text encoder reads (the edit
first, within its token budget, never raw Chinese into CLIP or T5) in ``prompts``, and the
result records it (``ImageResult.model_prompt``).

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
from . import operations, options, runtime
from .configuration import check_options, options_from_settings
from .families import SD, Family, family_for
from .inference import run_pipeline
from .loading import LoadedModel, load_model, native_side
from .prompts import ModelPrompt, model_prompt, tokenizer_counter

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
    summary = (
        "a local diffusers model: SD / SDXL / SD-Turbo img2img, InstructPix2Pix, FLUX Kontext, "
        "Qwen-Image-Edit; inpaint, expand (SD/SDXL inpainting, FLUX Fill), upscale (SD x4 "
        "upscaler); see docs/local-models.md"
    )
    queue_group = "local"  # torch and a GPU: only workers of the local-model queue run it
    # Before a model folder is known: what a Stable Diffusion model does (no upscaling).
    # ``configured_capabilities`` and a built provider narrow it to the folder's family.
    capabilities = options.capabilities_for(SD)

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
        self.load_lock = threading.Lock()
        self._call_lock = threading.Lock()
        family = family_for(runtime.read_class_name(model))
        if family is not None:
            self.capabilities = self._capabilities(family)  # type: ignore[misc]  # narrowed

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
            with self.load_lock:
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
        self.capabilities = self._capabilities(loaded.family)  # type: ignore[misc]  # narrowed
        return loaded

    def adopt(self, pipe: Any, *, offloaded: bool = False) -> None:
        """Run ``pipe``, a pipeline already built in memory, instead of loading the folder
        (the GPU check's random full-size weights, which are never written to disk). The
        family still comes from the folder's ``model_index.json``; its class must match."""
        family = family_for(runtime.read_class_name(self.model))
        if family is None or type(pipe).__name__ != family.edit:
            raise ProviderError(
                f"{type(pipe).__name__} is not the pipeline {self.label!r} names.",
                permanent=True,
                code="invalid_configuration",
                provider=PROVIDER,
            )
        pipe.set_progress_bar_config(disable=True)
        device = str(getattr(pipe, "_execution_device", None) or pipe.device)
        self._loaded = LoadedModel(
            pipe=pipe,
            family=family,
            class_name=family.edit,
            device=device,
            dtype=pipe.dtype,
            native_side=native_side(pipe),
            hooked=pipe if offloaded else None,
        )
        self.capabilities = self._capabilities(family)  # type: ignore[misc]  # narrowed

    # -- generation ----------------------------------------------------------------------

    def generate(self, request: ImageRequest) -> ImageResult:
        if not self.loaded:
            request.progress("loading the model")
        loaded = self._ensure_loaded()
        task = request.task_type
        if task == TaskType.UPSCALE:
            return operations.upscale(self, loaded, request)
        if task not in loaded.family.task_types() and task not in (
            TaskType.TEXT_TO_IMAGE,
            TaskType.EXPAND,  # these two explain themselves
        ):
            raise operations.unsupported(
                f"The local model {self.label!r} ({loaded.family.edit}) cannot do "
                f"{task.value} tasks; it does: {', '.join(sorted(loaded.family.task_types()))}."
            )
        if task == TaskType.TEXT_TO_IMAGE:
            return operations.draw(self, loaded, request)
        if not request.images:
            raise ProviderError(
                "This task needs an image.",
                permanent=True,
                code="missing_image",
                provider=PROVIDER,
            )
        if task == TaskType.EXPAND:
            return operations.expand(self, loaded, request)
        return operations.edit(self, loaded, request)

    def _count(self, request: ImageRequest) -> int:
        return max(1, min(int(request.count or 1), self.max_count))

    def steps_for(self, family: Family, request: ImageRequest | None = None) -> int:
        return options.steps(int(self.steps or family.steps), request)

    def _guidance(self, family: Family) -> float:
        return float(family.guidance if self.guidance is None else self.guidance)

    def strength_for(self, request: ImageRequest) -> float:
        return options.strength(self.strength, request)

    def image_guidance_for(self, request: ImageRequest) -> float:
        return options.image_guidance(self.image_guidance, request)

    @staticmethod
    def report_steps(request: ImageRequest, family: Family, size, steps: int) -> dict:
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

    def model_prompt(self, loaded: LoadedModel, pipe: Any, request: ImageRequest) -> ModelPrompt:
        """What each text encoder of ``pipe`` reads, counted with its own tokenizers."""
        counters = {
            reader.keyword: tokenizer_counter(getattr(pipe, reader.tokenizer, None))
            for reader in loaded.family.readers
        }
        return model_prompt(
            prompt=request.prompt or "",
            instruction=request.instruction or "",
            family=loaded.family,
            counters=counters,
        )

    def common_kwargs(
        self, loaded: LoadedModel, pipe: Any, request: ImageRequest
    ) -> tuple[dict[str, Any], ModelPrompt]:
        torch, _ = runtime.import_backend()
        family = loaded.family
        seed = self.seed if self.seed is not None and self.seed >= 0 else secrets.randbelow(2**32)
        logger.info("Local model %s: seed %d", self.label, seed)
        read = self.model_prompt(loaded, pipe, request)
        kwargs: dict[str, Any] = {
            **read.texts,
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
        return kwargs, read

    def call(self, loaded: LoadedModel, pipe: Any, kwargs: dict[str, Any], what: str) -> list:
        return run_pipeline(loaded, pipe, kwargs, what, label=self.label, lock=self._call_lock)

    def result(self, pipe: Any, pictures: list, read: ModelPrompt | None = None) -> ImageResult:
        suffix = f" ({type(pipe).__name__})"
        label = self.label
        if len(label) + len(suffix) > MAX_MODEL_NAME:
            label = label[: MAX_MODEL_NAME - len(suffix) - 1] + "…"
        return ImageResult(
            images=tuple(im.to_png(picture) for picture in pictures),
            model=label + suffix,
            model_prompt=read.record() if read is not None else {},
        )
