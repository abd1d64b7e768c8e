"""Progress inside stage 2, from the provider to the task's row and its waiting clients.

Providers report as often as they like (every denoising step, say); a row is written and a
notification sent at most every ``min_interval`` seconds, always for the last step and for a
new preview, so a 50-step model costs a handful of writes.

Each preview image is stored as a file of its own (``preview-{n}``), in the task's output
format when it asked for one, and listed in the progress (``preview``: the latest,
``partials``: all of them in order): an event stream that wants partial images reads them
from there, however many arrived between two of its reads. :attr:`ProgressRecorder.partials`
keeps the list for the task's record once it completes.
"""

from __future__ import annotations

import logging
import time

from catalogue.imaging import decode_image, encode_image
from catalogue.providers.base import Progress

from ..files import TaskFiles
from ..models import TaskHistory
from ..storage import store_bytes
from .lifecycle import task_record_progress

logger = logging.getLogger(__name__)
PREVIEW_EXTENSIONS = {b"\x89PNG": "png", b"\xff\xd8\xff": "jpg", b"RIFF": "webp"}
ENCODINGS = {"png": ("PNG", "png"), "jpeg": ("JPEG", "jpg"), "webp": ("WEBP", "webp")}


class ProgressRecorder:
    def __init__(self, task: TaskHistory, *, min_interval: float = 0.5) -> None:
        self.task, self.min_interval = task, min_interval
        self._last = 0.0
        self.partials: list[str] = []
        params = task.parameters or {}
        self._encoding = ENCODINGS.get(str(params.get("output_format") or "").lower())
        self._quality = params.get("output_compression")

    def __call__(self, progress: Progress) -> None:
        try:
            self._record(progress)
        except Exception:  # progress is a courtesy: it must never fail the task
            logger.warning("progress not recorded", exc_info=True)

    def _record(self, progress: Progress) -> None:
        now = time.monotonic()
        last_step = progress.step is not None and progress.step == progress.steps
        if not (progress.preview or last_step) and now - self._last < self.min_interval:
            return
        self._last = now
        state = {"phase": progress.phase, "step": progress.step, "steps": progress.steps}
        if progress.preview:
            name = self._store_preview(progress.preview)
            if name:
                self.partials.append(name)
        if self.partials:
            state["preview"] = self.partials[-1]
            state["previews"] = len(self.partials)
            state["partials"] = list(self.partials)
        task_record_progress(task=self.task, progress=state)

    def _store_preview(self, data: bytes) -> str | None:
        extension = next(
            (ext for magic, ext in PREVIEW_EXTENSIONS.items() if data.startswith(magic)), None
        )
        if extension is None:
            return None
        if self._encoding and self._encoding[1] != extension:
            fmt, extension = self._encoding
            quality = self._quality if fmt != "PNG" and self._quality is not None else None
            data = encode_image(
                decode_image(data), format=fmt, quality=max(1, int(quality)) if quality else None
            )
        key = TaskFiles(self.task).partial_key(len(self.partials) + 1, extension)
        return store_bytes(key, data).name
