"""A task's events as MCP progress notifications.

Two sources, both the task's own: the ``task_event`` signal for a task that runs in this
process (the test settings' inline queue, ``manage.py mcp`` with a synchronous queue),
forwarded from the thread that runs it to the tool call's event loop; and the process's task
notifications (the hub) for a task a worker runs, re-read at each change; both through the
adapters' toolkit (``generation.api.waiting``). Either way a step is read from the task's row
(stage, ``progress``) and reported once, with a value that only grows.
"""

from __future__ import annotations

import asyncio
import contextvars
from dataclasses import dataclass
from typing import TYPE_CHECKING

from generation.api.waiting import task_event
from generation.selectors import task_current

if TYPE_CHECKING:
    from generation.models import TaskHistory

_sink: contextvars.ContextVar[Sink | None] = contextvars.ContextVar("mcp_progress", default=None)

# Where each stage starts, as a share of the whole (stage 2 moves on by its steps).
STAGE_SHARE = {
    "queued": 0.05,
    "writing_prompt": 0.15,
    "generating_image": 0.3,
    "storing": 0.92,
    "done": 1.0,
}


@dataclass(frozen=True)
class Step:
    value: float  # 0..1
    message: str


def step_of(task: TaskHistory, event: str = "") -> Step:
    """Where ``task`` is, as a share of the whole and a few words."""
    if task.is_final:
        return Step(1.0, str(task.get_status_display()))
    progress = task.progress or {}
    stage = task.stage or "queued"
    value = STAGE_SHARE.get(stage, 0.1)
    message = str(task.get_stage_display())
    step, steps = progress.get("step"), progress.get("steps")
    if (
        stage == "generating_image"
        and isinstance(step, int)
        and isinstance(steps, int)
        and steps > 0
    ):
        value = 0.3 + 0.6 * min(step, steps) / steps
        message = f"{progress.get('phase') or message} {step}/{steps}"
    elif event == "started" and value < 0.1:
        value, message = 0.1, "Started"
    return Step(round(value, 4), message)


class Sink:
    """Steps from another thread, delivered on the event loop of the tool call."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        self.queue: asyncio.Queue[Step] = asyncio.Queue()

    def push(self, step: Step) -> None:
        self.loop.call_soon_threadsafe(self.queue.put_nowait, step)


def open_sink() -> tuple[Sink, contextvars.Token]:
    sink = Sink(asyncio.get_running_loop())
    return sink, _sink.set(sink)


def close_sink(token: contextvars.Token) -> None:
    _sink.reset(token)


def _forward(sender, *, task_id: str, event: str, **kwargs) -> None:
    """``task_event`` receiver: runs in the thread that changed the task; when that thread
    works for a tool call (its context carries the call's sink), the step goes there."""
    sink = _sink.get()
    if sink is None or event == "deleted":
        return
    task = task_current(task_id=task_id)
    if task is not None:
        sink.push(step_of(task, event))


def connect() -> None:
    task_event.connect(_forward, dispatch_uid="mcp_server.progress", weak=False)


class Reporter:
    """Sends each step once, only forwards (MCP progress values must grow)."""

    def __init__(self, report) -> None:
        self.report = report  # async (progress, total, message)
        self.last = -1.0

    async def __call__(self, step: Step) -> None:
        if step.value <= self.last:
            return
        self.last = step.value
        await self.report(step.value, 1.0, step.message)

    async def drain(self, sink: Sink) -> None:
        while not sink.queue.empty():
            await self(sink.queue.get_nowait())
