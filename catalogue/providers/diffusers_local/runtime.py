"""Everything of the local provider that touches torch or diffusers, imported lazily.

``import_backend`` is the only place these packages are imported; importing this module (or
the package) does not import them, so the registry can name a missing extra clearly.
"""

from __future__ import annotations

import gc
import importlib.util
import json
import os
from pathlib import Path
from typing import Any

from ..base import ProviderError
from .families import Family

PROVIDER = "diffusers"
INSTALL_HINT = "install the [local] extra: pip install 'aiceps[local]' (torch, diffusers, ...)"
DEVICES = ("auto", "cuda", "mps", "cpu")
DTYPES = ("auto", "float32", "float16", "bfloat16")


def missing_packages() -> list[str]:
    """The backend packages that are not installed; found without importing them."""
    missing = []
    for name in ("torch", "diffusers", "transformers"):
        try:
            if importlib.util.find_spec(name) is None:
                missing.append(name)
        except (ImportError, ValueError):
            missing.append(name)
    return missing


def unavailable(detail: str) -> ProviderError:
    return ProviderError(
        f"The local diffusers provider cannot run: {detail}; {INSTALL_HINT}.",
        permanent=True,
        code="provider_unavailable",
        provider=PROVIDER,
    )


def import_backend() -> tuple[Any, Any]:
    """``(torch, diffusers)``, or a permanent ``provider_unavailable`` error."""
    try:
        import diffusers
        import torch
    except ImportError as exc:
        raise unavailable(f"{exc}") from exc
    return torch, diffusers


def is_local_path(model: str) -> bool:
    """Whether ``model`` names a directory (existing or not) rather than a hub id."""
    path = Path(model).expanduser()
    return (
        path.is_dir()
        or path.is_absolute()
        or model.startswith((".", "~"))
        or model.count("/") != 1
        or (os.sep != "/" and os.sep in model)
    )


def read_class_name(model: str) -> str | None:
    """``_class_name`` from the model's model_index.json, without torch; None when unknown.

    Hub ids are looked up in the Hugging Face cache only (never downloaded here)."""
    try:
        if is_local_path(model):
            index = Path(model).expanduser() / "model_index.json"
        else:
            from huggingface_hub import try_to_load_from_cache

            found = try_to_load_from_cache(model, "model_index.json")
            if not isinstance(found, str):
                return None
            index = Path(found)
        return json.loads(index.read_text("utf-8")).get("_class_name")
    except Exception:  # best effort: loading reports the real problem
        return None


def resolve_device(torch: Any, requested: str) -> str:
    if requested == "auto":
        if torch.cuda.is_available():
            return "cuda"
        mps = getattr(torch.backends, "mps", None)
        if mps is not None and mps.is_available():
            return "mps"
        return "cpu"
    if requested.startswith("cuda") and not torch.cuda.is_available():
        raise ProviderError(
            "The local image model is set up for a GPU this server does not have.",
            permanent=True,
            code="device_unavailable",
            provider=PROVIDER,
            detail=f"AICEPS_DIFFUSERS_DEVICE asks for cuda, but torch {torch.__version__} sees "
            "no CUDA GPU. Use 'auto' or 'cpu', or install a CUDA build of torch.",
        )
    if requested == "mps" and not torch.backends.mps.is_available():
        raise ProviderError(
            "The local image model is set up for a GPU this server does not have.",
            permanent=True,
            code="device_unavailable",
            provider=PROVIDER,
            detail="AICEPS_DIFFUSERS_DEVICE asks for mps, but this machine has no Apple GPU "
            "available to torch. Use 'auto' or 'cpu'.",
        )
    return requested


def resolve_dtype(torch: Any, requested: str, device: str, family: Family) -> Any:
    """``auto``: float16 on cuda (bfloat16 for Flux and Qwen where the GPU has it), float32
    elsewhere (float16 is slow or unsupported on CPU, and fragile on mps)."""
    if requested == "auto":
        if not device.startswith("cuda"):
            return torch.float32
        if family.cuda_dtype == "bfloat16" and torch.cuda.is_bf16_supported():
            return torch.bfloat16
        return torch.float16
    return getattr(torch, requested)


def dtype_keyword() -> str:
    """``dtype`` where diffusers takes it (it deprecates ``torch_dtype``), else ``torch_dtype``."""
    try:
        from diffusers.utils import deprecation_utils
    except ImportError:
        return "torch_dtype"
    new = hasattr(deprecation_utils, "_TORCH_DTYPE_DEPRECATION_MESSAGE")
    return "dtype" if new else "torch_dtype"


def pipeline_class(diffusers: Any, name: str) -> Any:
    cls = getattr(diffusers, name, None)
    if cls is None:
        raise ProviderError(
            f"The installed diffusers {diffusers.__version__} has no {name}; upgrade it "
            "(pip install -U diffusers) to run this model.",
            permanent=True,
            code="unsupported_model",
            provider=PROVIDER,
        )
    return cls


def is_out_of_memory(torch: Any, exc: BaseException) -> bool:
    candidates = (
        getattr(torch, "OutOfMemoryError", None),
        getattr(torch.cuda, "OutOfMemoryError", None),
    )
    oom_types = tuple(t for t in candidates if isinstance(t, type))
    if oom_types and isinstance(exc, oom_types):
        return True
    return isinstance(exc, RuntimeError) and "out of memory" in str(exc).lower()


def free_memory(torch: Any, device: str) -> None:
    gc.collect()
    if device.startswith("cuda") and torch.cuda.is_available():
        torch.cuda.empty_cache()
    elif device == "mps":
        mps = getattr(torch, "mps", None)
        if mps is not None and hasattr(mps, "empty_cache"):
            mps.empty_cache()


def out_of_memory(device: str, exc: BaseException, what: str) -> ProviderError:
    return ProviderError(
        "The local image model ran out of memory. Try again later, or with fewer or smaller "
        "images.",
        retry_after=5.0,
        code="out_of_memory",
        provider=PROVIDER,
        detail=f"The {device} device ran out of memory while {what} ({str(exc)[:200]}): lower "
        "AICEPS_DIFFUSERS_MAX_SIDE or the number of images, or enable CPU offload.",
    )
