"""Waiting for a task without holding a thread: the async side of task notifications.

:func:`wait_for_task` (the seed endpoint, ``/v1/images``, the editor's routes) returns when the
task is final or the time is up; :func:`task_updates` (event streams) yields the task at each
change. Both wake on the process's :class:`~.hub.Hub`; the short reads of the task run on the
web process's sync pool and give their thread back at once.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator

from asgiref.sync import sync_to_async

from ..models import TaskHistory
from .hub import get_hub


def _load(task_id) -> TaskHistory | None:
    return TaskHistory.objects.select_related("user").filter(pk=task_id).first()


async def _read(task_id) -> TaskHistory | None:
    return await sync_to_async(_load)(task_id)


async def wait_for_task(task_id, *, timeout: float) -> TaskHistory | None:
    """The task once it is final, or as it is after ``timeout`` seconds (None if gone)."""
    deadline = time.monotonic() + timeout
    with get_hub().watch(task_id) as watch:
        while True:
            task = await watch.read(lambda: _read(task_id))
            if task is None or task.is_final:
                return task
            left = deadline - time.monotonic()
            if left <= 0 or not await watch.changed(left):
                return task


async def task_updates(
    task_id, *, max_seconds: float, heartbeat: float
) -> AsyncIterator[TaskHistory | None]:
    """The task now and after every change until it is final (then it ends); ``None``
    between changes every ``heartbeat`` seconds, so a stream can send a keep-alive. Ends
    after ``max_seconds`` in any case."""
    deadline = time.monotonic() + max_seconds
    last = None
    with get_hub().watch(task_id) as watch:
        while True:
            task = await watch.read(lambda: _read(task_id))
            if task is None:
                return
            version = watch.seen
            if version != last:
                last = version
                yield task
            if task.is_final:
                return
            left = deadline - time.monotonic()
            if left <= 0:
                return
            while not await watch.changed(min(heartbeat, left)):
                left = deadline - time.monotonic()
                if left <= 0:
                    return
                yield None
