"""Progress inside stage 2, from the provider to the task's row and its waiting clients.

Providers report as often as they like (every denoising step, say); a row is written and a
notification sent at most every ``min_interval`` seconds, always for the last step and for a
new preview, so a 50-step model costs a handful of writes. A preview image is stored as the
task's ``preview`` file, replaced each time.
"""

from __future__ import annotations

import logging
import time

from ..files import TaskFiles
from ..models import TaskHistory
from ..providers.base import Progress
from ..storage import store_bytes
from .lifecycle import task_record_progress

logger = logging.getLogger(__name__)
PREVIEW_EXTENSIONS = {b"\x89PNG": "png", b"\xff\xd8\xff": "jpg"}


class ProgressRecorder:
    def __init__(self, task: TaskHistory, *, min_interval: float = 0.5) -> None:
        self.task, self.min_interval = task, min_interval
        self._last = 0.0
        self._previews = 0

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
        previous = (self.task.progress or {}).get("preview")
        if progress.preview:
            extension = next(
                (
                    ext
                    for magic, ext in PREVIEW_EXTENSIONS.items()
                    if progress.preview.startswith(magic)
                ),
                None,
            )
            if extension:
                self._previews += 1
                state["preview"] = store_bytes(
                    TaskFiles(self.task).preview_key(extension), progress.preview
                ).name
                state["previews"] = self._previews
        elif previous:
            state["preview"] = previous
            state["previews"] = self._previews
        task_record_progress(task=self.task, progress=state)
