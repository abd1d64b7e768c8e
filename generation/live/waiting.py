"""Waiting for a task without holding a thread: the async side of task notifications.

:func:`wait_for_task` (the seed endpoint, ``/v1/images``, the editor's routes) returns when the
task is final or the time is up; :func:`task_updates` (event streams) yields the task at each
change. Both wake on the process's :class:`~.hub.Hub`; the short reads of the task run on the
web process's sync pool and give their thread back at once.

A wait outlives a database outage: a pool thread's connection that the server closed
(a restart, a failover) is replaced once (:func:`fresh_read`), and while the database cannot
be reached the wait keeps trying every ``RETRY_SECONDS`` until its own time is up; only then
does the error reach the view (a JSON 503 naming the task).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Callable
from typing import TypeVar

from asgiref.sync import sync_to_async
from django.db import InterfaceError, OperationalError, connection

from ..models import TaskHistory
from .hub import get_hub

logger = logging.getLogger(__name__)
CONNECTION_ERRORS = (OperationalError, InterfaceError)
RETRY_SECONDS = 1.0
T = TypeVar("T")


def fresh_read(read: Callable[[], T]) -> T:
    """``read()`` on this thread's connection; if the server closed that connection since
    it was last used, once more on a new one (a read is safe to repeat)."""
    try:
        return read()
    except CONNECTION_ERRORS:
        if connection.in_atomic_block:
            raise
        connection.close()
        return read()


def _load(task_id) -> TaskHistory | None:
    return fresh_read(lambda: TaskHistory.objects.select_related("user").filter(pk=task_id).first())


async def _read(task_id, deadline: float) -> TaskHistory | None:
    """The task, retried while the database cannot be reached and the wait has time left."""
    while True:
        try:
            return await sync_to_async(_load)(task_id)
        except CONNECTION_ERRORS as exc:
            left = deadline - time.monotonic()
            if left <= 0:
                raise
            logger.warning(
                "task read failed; the wait goes on",
                extra={"task_id": str(task_id), "error": type(exc).__name__},
            )
            await asyncio.sleep(min(RETRY_SECONDS, left))


async def wait_for_task(task_id, *, timeout: float) -> TaskHistory | None:
    """The task once it is final, or as it is after ``timeout`` seconds (None if gone)."""
    deadline = time.monotonic() + timeout
    with get_hub().watch(task_id) as watch:
        while True:
            task = await watch.read(lambda: _read(task_id, deadline))
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
            task = await watch.read(lambda: _read(task_id, deadline))
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
