"""Running a loaded pipeline once: one call at a time, with its failures made ProviderErrors."""

from __future__ import annotations

import inspect
import logging
import threading
import time
from typing import Any

from ..base import ProviderError
from . import runtime
from .loading import LoadedModel

logger = logging.getLogger(__name__)

PROVIDER = runtime.PROVIDER


def run_pipeline(
    loaded: LoadedModel,
    pipe: Any,
    kwargs: dict[str, Any],
    what: str,
    *,
    label: str,
    lock: threading.Lock,
) -> list:
    """The pictures ``pipe`` makes from ``kwargs`` (those it does not accept are dropped),
    less any its safety checker flagged. ``what`` ("editing an image") is for messages;
    pipelines are not thread-safe, so calls are serialised by ``lock``."""
    torch, _ = runtime.import_backend()
    accepted = inspect.signature(pipe.__call__).parameters
    if not any(p.kind == p.VAR_KEYWORD for p in accepted.values()):
        kwargs = {k: v for k, v in kwargs.items() if k in accepted}
    started = time.perf_counter()
    with lock:
        try:
            if loaded.hooked is not None and loaded.hooked is not pipe:
                pipe.enable_model_cpu_offload(device=loaded.device)
                loaded.hooked = pipe
            with torch.inference_mode():
                output = pipe(**kwargs)
        except ProviderError:
            raise
        except Exception as exc:
            if runtime.is_out_of_memory(torch, exc):
                runtime.free_memory(torch, loaded.device)
                raise runtime.out_of_memory(loaded.device, exc, what) from exc
            raise ProviderError(
                f"The local model {label!r} failed while {what}: {exc}",
                permanent=True,
                code="local_model_error",
                provider=PROVIDER,
            ) from exc
    logger.info(
        "Local model %s: %s with %s in %.1f s",
        label,
        what,
        type(pipe).__name__,
        time.perf_counter() - started,
    )
    pictures = list(output.images)
    flagged = getattr(output, "nsfw_content_detected", None) or []
    if any(flagged):
        pictures = [p for p, bad in zip(pictures, flagged, strict=False) if not bad]
        if not pictures:
            raise ProviderError(
                "The local model's safety checker flagged the result as unsafe.",
                permanent=True,
                code="content_refused",
                provider=PROVIDER,
            )
    return pictures
