"""``stream=true``: the Images API's server-sent events, over the async serving tier.

One async iterator on the event loop follows the task (``generation.live.waiting.
task_updates``: woken by the process's task notifications, no thread parked on it) and sends:

* ``image_edit.partial_image`` / ``image_generation.partial_image`` for each preview the
  worker stored (diffusers step previews, upstream OpenAI partials passed through, the stage
  boundary of providers that answer at once), up to ``partial_images``, numbered from 0;
* ``image_edit.completed`` / ``image_generation.completed`` for each image, with ``usage``;
* or ``error`` with OpenAI's envelope (the official client raises ``APIError`` on it).

Previews that arrived faster than the stream read them are still sent, in order, before the
images: the worker lists every preview it stored.

Every event has an ``id`` (preview ``i``: ``i + 1``; ``error``: 100; image ``j``: ``101 + j``)
and ``retry``. A client whose stream broke sends the same request again with its
``Idempotency-Key`` (the same task, charged once) and ``Last-Event-ID``: it gets the events
after that id, the previews and images being stored.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator

from asgiref.sync import sync_to_async
from django.conf import settings
from django.http import StreamingHttpResponse

from catalogue.imaging import inspect_upload
from core.api.problems import openai_body, problem_for
from generation.files import TaskFiles
from generation.live.slots import Ticket
from generation.live.waiting import task_updates
from generation.models import TaskHistory
from generation.storage import read_bytes

from ..waiting import sse
from .answers import b64, described, failure, usage
from .params import ImagesCall

ERROR_EVENT_ID = 100
FIRST_IMAGE_EVENT_ID = 101


def _partial_events(call: ImagesCall, task: TaskHistory, prefix: str, sent: int) -> list[str]:
    events = []
    names = TaskFiles(task).partials[: call.partial_images]
    for index in range(sent, len(names)):
        data = read_bytes(names[index])
        header = inspect_upload(data, max_bytes=None)  # the header: no pixels decoded here
        event = {
            "type": f"{prefix}.partial_image",
            "b64_json": b64(data),
            "partial_image_index": index,
            "created_at": int(time.time()),
            **described(call, task),
            "size": f"{header.width}x{header.height}",
        }
        events.append(sse(event["type"], event, event_id=index + 1))
    return events


def _final_events(call: ImagesCall, task: TaskHistory, prefix: str, seen: int) -> list[str]:
    if task.status != TaskHistory.Status.COMPLETED:
        problem = problem_for(failure(task))
        body = {"type": "error", **openai_body(problem)}
        return [sse("error", body, event_id=ERROR_EVENT_ID)]
    created = int(task.completed_at.timestamp()) if task.completed_at else int(time.time())
    events = []
    for number, name in enumerate(TaskFiles(task).generated):
        if FIRST_IMAGE_EVENT_ID + number <= seen:
            continue  # sent before the client reconnected
        event = {
            "type": f"{prefix}.completed",
            "b64_json": b64(read_bytes(name)),
            "created_at": created,
            **described(call, task),
            "usage": usage(task),
        }
        if call.safety_identifier:
            event["safety_identifier"] = call.safety_identifier
        events.append(sse(event["type"], event, event_id=FIRST_IMAGE_EVENT_ID + number))
    return events


def image_stream(
    call: ImagesCall, task_id, *, ticket: Ticket, prefix: str, headers: dict, seen: int | None
) -> StreamingHttpResponse:
    """``prefix``: ``image_edit`` or ``image_generation``; ``seen``: the client's
    ``Last-Event-ID`` (events up to it are not sent again)."""
    seen = seen or 0

    async def events() -> AsyncIterator[str]:
        sent, last = min(seen, ERROR_EVENT_ID - 1), None
        try:
            async for task in task_updates(
                task_id,
                max_seconds=settings.AICEPS_SYNC_WAIT_SECONDS,
                heartbeat=settings.AICEPS_STREAM_HEARTBEAT_SECONDS,
            ):
                if task is None:
                    yield ": keep-alive\n\n"
                    continue
                last = task
                if call.partial_images:
                    for event in await sync_to_async(_partial_events)(call, task, prefix, sent):
                        sent += 1
                        yield event
            if last is not None:
                for event in await sync_to_async(_final_events)(call, last, prefix, seen):
                    yield event
        finally:
            ticket.release()

    response = StreamingHttpResponse(events(), content_type="text/event-stream")
    response["Cache-Control"] = "no-cache"
    response["X-Accel-Buffering"] = "no"
    for name, value in headers.items():
        response[name] = value
    return response
