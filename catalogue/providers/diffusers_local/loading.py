"""Loading a diffusers pipeline, and the pipelines derived from the same weights.

Everything here reaches torch and diffusers only through ``runtime.import_backend``, at call
time, so importing the package still imports neither.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..base import ProviderError
from . import runtime
from .families import FAMILIES, Family, family_for

logger = logging.getLogger(__name__)

PROVIDER = runtime.PROVIDER


@dataclass
class LoadedModel:
    pipe: Any
    family: Family
    class_name: str  # model_index _class_name
    device: str
    dtype: Any
    native_side: int  # the side the model was trained at (512 for SD 1.x, 1024 for SDXL)
    derived: dict[str, Any] = field(default_factory=dict)  # "text_to_image", "inpaint"
    hooked: Any = None  # the pipeline holding the CPU-offload hooks


def model_not_found(model: str, *, is_local: bool, detail: str = "") -> ProviderError:
    if is_local:
        message = (
            f"Local model directory {model!r} does not exist or is not a diffusers "
            "pipeline (it needs a model_index.json). Point AICEPS_DIFFUSERS_MODEL at a "
            "directory saved with save_pretrained, or download one first with: "
            f"hf download ORG/NAME --local-dir {model}"
        )
    else:
        message = (
            f"Model {model!r} not found locally; download it first with: "
            f"hf download {model} (or set AICEPS_DIFFUSERS_MODEL to a local directory)"
        )
    return ProviderError(
        message + (f". {detail}" if detail else "."),
        permanent=True,
        code="model_not_found",
        provider=PROVIDER,
    )


def load_model(
    model: str,
    *,
    label: str,
    is_local: bool,
    allow_download: bool,
    device: str,
    dtype: str,
    cpu_offload: bool,
) -> LoadedModel:
    """Load ``model`` onto ``device`` ("auto" and such resolved here) as its family's edit
    pipeline. Raises a permanent ProviderError for a model that cannot run, a transient one
    when memory runs out."""
    torch, diffusers = runtime.import_backend()
    if is_local and not (Path(model).expanduser() / "model_index.json").is_file():
        raise model_not_found(model, is_local=is_local)
    location = str(Path(model).expanduser()) if is_local else model
    local_only = is_local or not allow_download
    try:
        config = diffusers.DiffusionPipeline.load_config(location, local_files_only=local_only)
    except (OSError, ValueError) as exc:
        detail = str(exc).splitlines()[0][:300]
        raise model_not_found(model, is_local=is_local, detail=detail) from exc
    class_name = config.get("_class_name", "")
    family = family_for(class_name)
    if family is None:
        raise ProviderError(
            f"Model {label!r} is a {class_name or 'pipeline of unknown class'}, which "
            "the local provider cannot run. Supported model_index classes: "
            f"{', '.join(sorted(FAMILIES))}.",
            permanent=True,
            code="unsupported_model",
            provider=PROVIDER,
        )
    cls = runtime.pipeline_class(diffusers, family.edit)
    resolved_device = runtime.resolve_device(torch, device)
    resolved_dtype = runtime.resolve_dtype(torch, dtype, resolved_device, family)
    offloaded = cpu_offload and resolved_device != "cpu"
    started = time.perf_counter()
    try:
        pipe = cls.from_pretrained(
            location, **{runtime.dtype_keyword(): resolved_dtype}, local_files_only=local_only
        )
        if offloaded:
            pipe.enable_model_cpu_offload(device=resolved_device)
        else:
            pipe.to(resolved_device)
    except ProviderError:
        raise
    except Exception as exc:
        if runtime.is_out_of_memory(torch, exc):
            runtime.free_memory(torch, resolved_device)
            raise runtime.out_of_memory(resolved_device, exc, f"loading {label}") from exc
        if isinstance(exc, OSError):
            detail = str(exc).splitlines()[0][:300]
            raise model_not_found(model, is_local=is_local, detail=detail) from exc
        raise ProviderError(
            f"Could not load {label!r} as {family.edit}: {exc}",
            permanent=True,
            code="model_load_failed",
            provider=PROVIDER,
        ) from exc
    pipe.set_progress_bar_config(disable=True)
    loaded = LoadedModel(
        pipe=pipe,
        family=family,
        class_name=class_name,
        device=resolved_device,
        dtype=resolved_dtype,
        native_side=native_side(pipe),
        hooked=pipe if offloaded else None,
    )
    logger.info(
        "Loaded local model %s as %s on %s (%s) in %.1f s",
        label,
        family.edit,
        resolved_device,
        str(resolved_dtype).removeprefix("torch."),
        time.perf_counter() - started,
    )
    return loaded


def native_side(pipe: Any) -> int:
    """The side the pipeline was trained at: its sample size times the VAE's factor."""
    scale = int(getattr(pipe, "vae_scale_factor", 8) or 8)
    unet = getattr(pipe, "unet", None)
    sample = getattr(getattr(unet, "config", None), "sample_size", None)
    if sample is None:
        sample = getattr(pipe, "default_sample_size", None) or 128
    if isinstance(sample, (list, tuple)):
        sample = max(sample)
    return int(sample) * scale


def derived_pipeline(loaded: LoadedModel, role: str, *, label: str, lock: threading.Lock) -> Any:
    """The text-to-image or inpainting pipeline over the loaded weights (``from_pipe``),
    built once under ``lock`` and kept in ``loaded.derived``."""
    class_name = getattr(loaded.family, role)
    if role == "text_to_image" and loaded.family.text_to_image_same_class:
        return loaded.pipe
    pipe = loaded.derived.get(role)
    if pipe is None:
        with lock:
            pipe = loaded.derived.get(role)
            if pipe is None:
                _, diffusers = runtime.import_backend()
                cls = runtime.pipeline_class(diffusers, class_name)
                try:
                    pipe = cls.from_pipe(loaded.pipe)
                except Exception as exc:
                    raise ProviderError(
                        f"Model {label!r} cannot be used as {class_name}: {exc}",
                        permanent=True,
                        code="unsupported_task",
                        provider=PROVIDER,
                    ) from exc
                pipe.set_progress_bar_config(disable=True)
                loaded.derived[role] = pipe
    return pipe
