"""API views that wait for a task while holding a socket and no thread.

A :class:`WaitingApiView` is a DRF view served by an ``async`` Django view. Its handler runs
as usual (authentication, throttles, parsing, creating the task) on a pooled thread and may
return :class:`Waiting` instead of an answer: the thread is given back, the wait happens on
the event loop (woken by the process's task notifications, ``generation.live``), and then
``then(task)`` builds the answer, again on a pooled thread, with DRF's usual error handling.
Handlers that stream (server-sent events) return a streaming response over an async
iterator, which is consumed on the event loop too.

Each wait or stream holds a slot (``generation.live.slots``): per user and per process,
refused with 429 before anything is created when none is left. An adapter takes one with
:func:`reserved` around creating its task, and waits with :class:`Waiting` (or, for several
tasks at once, with :func:`wait_for_task` in a ``Waiting`` of its own): both are part of this
toolkit, so adapters never reach into ``generation.live``. An adapter that follows a task
its own way (the MCP server reports each step) holds a :class:`Ticket` and watches the task on
this process's hub (:func:`get_hub`), and may listen to :data:`task_event` (sent in the
process that changed the task) too.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable

from asgiref.sync import sync_to_async
from django.http import HttpResponse, StreamingHttpResponse
from django.views.decorators.csrf import csrf_exempt
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.views import APIView

from accounts.access import ApiViewMixin
from core.api.problems import ApiError

from ..events import task_event as task_event  # re-exported for adapters
from ..live.hub import get_hub as get_hub  # re-exported for adapters
from ..live.slots import Ticket as Ticket  # re-exported for adapters
from ..live.slots import reserved as reserved  # re-exported for adapters
from ..live.waiting import CONNECTION_ERRORS, fresh_read, task_updates, wait_for_task
from ..models import TaskHistory


class Waiting(HttpResponse):
    """What a handler returns to wait for ``task_id`` up to ``timeout`` seconds, then answer
    with ``then(task)`` (the task as it is then: final, or still running)."""

    names_tasks = True  # its ids are tasks' (an answer may name them); False for other jobs

    def __init__(self, *, ticket: Ticket, task_id, timeout: float, then: Callable) -> None:
        super().__init__(status=202)
        self.ticket, self.task_id, self.timeout, self.then = ticket, task_id, timeout, then

    async def resolve(self, view: WaitingApiView, request) -> HttpResponse:
        try:
            task = await wait_for_task(self.task_id, timeout=self.timeout)
        finally:
            self.ticket.release()
        return await sync_to_async(view.answer_after_wait)(request, task, self.then)


class WaitingApiView(ApiViewMixin, APIView):
    @classmethod
    def as_view(cls, **initkwargs):
        sync_view = super().as_view(**initkwargs)

        async def view(request, *args, **kwargs):
            response = await sync_to_async(sync_view)(request, *args, **kwargs)
            if isinstance(response, Waiting):
                try:
                    return await response.resolve(response.view, response.drf_request)
                except CONNECTION_ERRORS:
                    # The database stayed away for the whole wait: a JSON answer naming the
                    # task, which exists and is charged, never Django's HTML error page.
                    return await sync_to_async(response.view.answer_unreachable)(
                        response.drf_request, response
                    )
            return response

        view.cls, view.initkwargs = sync_view.cls, sync_view.initkwargs  # for the schema
        return csrf_exempt(view)

    def finalize_response(self, request, response, *args, **kwargs):
        if isinstance(response, Waiting):
            response.view, response.drf_request = self, request
            return response
        return super().finalize_response(request, response, *args, **kwargs)

    def answer_after_wait(self, request, task: TaskHistory | None, then: Callable):
        try:
            response = fresh_read(lambda: then(task))
        except CONNECTION_ERRORS:
            raise  # answered by answer_unreachable, with the task's id
        except Exception as exc:
            response = self.handle_exception(exc)
        return super().finalize_response(request, response)

    def answer_unreachable(self, request, waiting: Waiting):
        ids = getattr(waiting, "task_ids", [waiting.task_id]) if waiting.names_tasks else []
        task_ids = [str(i) for i in ids if i]
        extra = {"task_id": task_ids[0]} if len(task_ids) == 1 else {"task_ids": task_ids or None}
        if len(task_ids) == 1:
            extra["status_url"] = request.build_absolute_uri(f"/api/v1/tasks/{task_ids[0]}")
        error = ApiError(
            "service_unavailable",
            "The database is unavailable; your task was created: ask for it again soon."
            if task_ids
            else "The database is unavailable; try again soon.",
            503,
            retry_after=5,
            **extra,
        )
        return super().finalize_response(request, self.handle_exception(error))


class IgnoreAcceptNegotiation(BaseContentNegotiation):
    """EventSource sends ``Accept: text/event-stream``; errors still answer as JSON."""

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type

    def select_parser(self, request, parsers):
        return parsers[0] if parsers else None


# How long an EventSource waits before it reconnects after a stream broke (a web process
# restarted, a proxy dropped it): long enough not to stampede a restarting server.
RETRY_MILLISECONDS = 2000


def sse(name: str, payload: dict, *, event_id: int | None = None) -> str:
    """One event; with ``event_id``, its ``id:`` (what an EventSource sends back as
    ``Last-Event-ID`` when it reconnects) and the ``retry:`` hint."""
    head = f"id: {event_id}\nretry: {RETRY_MILLISECONDS}\n" if event_id is not None else ""
    return f"{head}event: {name}\ndata: {json.dumps(payload, default=str, ensure_ascii=False)}\n\n"


def last_event_id(request) -> int | None:
    """The ``Last-Event-ID`` a reconnecting client sent (a whole number), else None."""
    value = (request.headers.get("Last-Event-ID") or "").strip()
    return int(value) if value.isdigit() and len(value) <= 20 else None


def task_version(task: TaskHistory) -> int:
    """The task's snapshot as a number that grows with every change: ``updated_at`` in
    microseconds (every change of a task sets it)."""
    return int(task.updated_at.timestamp() * 1_000_000)


def event_stream(
    task_id,
    *,
    ticket: Ticket,
    render: Callable[[TaskHistory], dict],
    max_seconds: float,
    heartbeat: float,
    seen: int | None = None,
) -> StreamingHttpResponse:
    """``status`` events with ``render(task)`` at each change, then ``end`` (or ``timeout``
    after ``max_seconds``); a comment every ``heartbeat`` seconds keeps proxies from
    closing a quiet stream.

    Every event carries ``id:`` (the snapshot's :func:`task_version`; ``end`` and
    ``timeout`` the id of the snapshot they close) and ``retry:``. Each ``status`` is the
    whole task, so a reconnecting client (``seen``: its ``Last-Event-ID``) gets the current
    snapshot, which holds everything the events it missed said; none when it already has
    this very snapshot. A stream that timed out is resumed the same way."""

    async def events() -> AsyncIterator[str]:
        last, version = None, None
        try:
            async for task in task_updates(task_id, max_seconds=max_seconds, heartbeat=heartbeat):
                if task is None:
                    yield ": keep-alive\n\n"
                    continue
                last, version = task, task_version(task)
                if version == seen:
                    continue  # the client has this snapshot
                payload = await sync_to_async(render)(task)
                yield sse("status", payload, event_id=version)
            if last is not None and last.is_final:
                yield sse("end", {"id": str(last.pk), "status": last.status}, event_id=version)
            elif last is not None:
                yield sse("timeout", {"id": str(last.pk), "status": last.status}, event_id=version)
        finally:
            ticket.release()

    response = StreamingHttpResponse(events(), content_type="text/event-stream")
    response["Cache-Control"] = "no-cache"
    response["X-Accel-Buffering"] = "no"  # nginx: pass each event on at once
    return response
