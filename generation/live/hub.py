"""Waking the waiters of one web process when their tasks change.

Each event loop (a web worker process has one) keeps one :class:`Hub`. A waiter registers a
:class:`Watch` on a task id and awaits it; the hub's single background job learns of changes
and sets the watches of the tasks that changed:

* from Redis pub/sub or PostgreSQL ``LISTEN`` (one connection per process, see
  :mod:`.publish`), plus a rare safety poll;
* on SQLite, from one poll per tick for every watched task at once.

However many clients wait, the process holds one listening connection and runs at most one
query per tick; no thread and no query belong to a single waiter. A watch remembers the
version (status, stage, ``updated_at``) its waiter last saw, so a change between the
waiter's own read and its wait still wakes it.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import json
import logging
import weakref
from collections.abc import Iterable

from asgiref.sync import ThreadSensitiveContext, sync_to_async
from django.conf import settings

from core.threads import sync_pool

from . import listeners
from .publish import backend

logger = logging.getLogger(__name__)
LINGER_SECONDS = 10.0  # keep the listener this long after the last waiter left


class Watch:
    def __init__(self, hub: Hub, task_id: str) -> None:
        self.hub, self.task_id = hub, task_id
        self.seen: tuple | None = None
        self.event = asyncio.Event()

    async def read(self, load):
        """``await load()`` as the new baseline: a change announced while it runs still
        wakes the next :meth:`changed`."""
        self.event.clear()
        task = await load()
        if task is not None:
            self.seen = (task.status, task.stage, task.updated_at)
        return task

    async def changed(self, timeout: float) -> bool:
        """Wait until the task may have changed; False after ``timeout`` seconds."""
        try:
            await asyncio.wait_for(self.event.wait(), timeout=max(timeout, 0))
        except TimeoutError:
            return False
        return True

    def __enter__(self) -> Watch:
        self.hub.add(self)
        return self

    def __exit__(self, *exc) -> None:
        self.hub.remove(self)


class Hub:
    def __init__(self) -> None:
        self.watches: dict[str, set[Watch]] = {}
        self._job: asyncio.Task | None = None
        self._busy = asyncio.Event()  # set while someone waits
        self._listening = False
        self._listener_lost = asyncio.Event()  # cuts a slow tick short

    # --- watches -----------------------------------------------------------------------

    def watch(self, task_id) -> Watch:
        return Watch(self, str(task_id))

    def add(self, watch: Watch) -> None:
        self.watches.setdefault(watch.task_id, set()).add(watch)
        self._busy.set()
        if self._job is None:
            # A context of its own: the job outlives the request that started it.
            self._job = asyncio.get_running_loop().create_task(
                self._run(), context=contextvars.Context()
            )

    def remove(self, watch: Watch) -> None:
        waiting = self.watches.get(watch.task_id)
        if waiting is not None:
            waiting.discard(watch)
            if not waiting:
                del self.watches[watch.task_id]
        if not self.watches:
            self._busy.clear()

    def wake(self, task_ids: Iterable[str]) -> None:
        for task_id in task_ids:
            for watch in self.watches.get(task_id, ()):
                watch.event.set()

    def on_message(self, payload: str | bytes) -> None:
        try:
            task_id = json.loads(payload)["id"]
        except (ValueError, KeyError, TypeError):
            return
        self.wake([task_id])

    # --- the background job ------------------------------------------------------------

    async def _run(self) -> None:
        pool = sync_pool()
        if pool is None:
            await self._serve()
            return
        async with ThreadSensitiveContext(executor=pool):
            await self._serve()

    async def _serve(self) -> None:
        kind = backend()
        listen = {"redis": listeners.redis, "postgres": listeners.postgres}.get(kind)
        listener = asyncio.create_task(listen(self)) if listen else None
        try:
            while await self._still_needed(self._tick()):
                await self.poll()
        finally:
            self._job = None  # no await since the last check: a new waiter starts a new job
            self.listening = False
            if listener is not None:
                listener.cancel()
                await asyncio.gather(listener, return_exceptions=True)

    @property
    def listening(self) -> bool:
        """Whether the listener is connected: then the slow safety poll suffices."""
        return self._listening

    @listening.setter
    def listening(self, value: bool) -> None:
        if self._listening and not value:
            self._listener_lost.set()  # poll now, and fast from now on
        self._listening = value

    def _tick(self) -> float:
        """The fast poll unless a listener is connected (none, or Redis/PostgreSQL away)."""
        if self.listening:
            return settings.AICEPS_NOTIFY_SAFETY_POLL_SECONDS
        return settings.AICEPS_NOTIFY_POLL_SECONDS

    async def _still_needed(self, tick: float) -> bool:
        """Sleep one tick; False once no one has waited for ``LINGER_SECONDS``."""
        if self.watches:
            self._listener_lost.clear()
            tick = min(tick, self._tick())  # lost between the caller's _tick() and the clear
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._listener_lost.wait(), timeout=tick)
            return True
        try:
            await asyncio.wait_for(self._busy.wait(), timeout=LINGER_SECONDS)
        except TimeoutError:
            return bool(self.watches)
        return True

    async def poll(self) -> None:
        """One query for every watched task; wake those whose version moved."""
        watched = {task_id: list(watches) for task_id, watches in self.watches.items()}
        if not watched:
            return
        try:
            versions = await sync_to_async(task_versions)(list(watched))
        except Exception as exc:  # the database is away: try again next tick
            logger.warning("task poll failed", extra={"error": type(exc).__name__})
            return
        for task_id, watches in watched.items():
            version = versions.get(task_id)
            for watch in watches:
                if watch.seen is not None and version != watch.seen:
                    watch.event.set()


def task_versions(task_ids: list[str]) -> dict[str, tuple]:
    from ..models import TaskHistory

    rows = TaskHistory.objects.filter(pk__in=task_ids).values_list(
        "pk", "status", "stage", "updated_at"
    )
    return {str(pk): (status, stage, updated) for pk, status, stage, updated in rows}


_hubs: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, Hub] = weakref.WeakKeyDictionary()


def get_hub() -> Hub:
    loop = asyncio.get_running_loop()
    hub = _hubs.get(loop)
    if hub is None:
        hub = _hubs[loop] = Hub()
    return hub
