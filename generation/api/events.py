"""Server-sent events of a task's changes, until the task ends: a socket, never a thread."""

from __future__ import annotations

from django.conf import settings
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema

from accounts.access import acting_user
from core.api.problems import ApiError
from generation.live.slots import reserved
from generation.presenters import task_payload
from generation.selectors import task_get

from .serializers import absolute_for
from .waiting import IgnoreAcceptNegotiation, WaitingApiView, event_stream, last_event_id


class TaskEventsApi(WaitingApiView):
    content_negotiation_class = IgnoreAcceptNegotiation

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "Last-Event-ID",
                str,
                OpenApiParameter.HEADER,
                description="Sent by a reconnecting EventSource: the `id` of the last event it "
                "read. The stream starts with the current snapshot, or without it when that "
                "is the snapshot the client has; anything else is ignored.",
            )
        ],
        responses={
            (200, "text/event-stream"): OpenApiResponse(
                description="`status` events (the task, as GET /api/v1/tasks/{id} answers it) "
                "at every change, then `end` (or `timeout`); `: keep-alive` comments between. "
                "Every event has an `id` (the snapshot's version, growing with each change; "
                "`end` and `timeout` repeat the last one) and `retry: 2000`: a client that "
                "lost the stream reconnects with `Last-Event-ID` and gets the current "
                "snapshot, which holds whatever the events it missed said."
            )
        },
    )
    def get(self, request, task_id):
        user = acting_user(request)
        task = task_get(user=user, task_id=task_id)
        if task is None:
            raise ApiError("not_found", "No such task.", 404)
        absolute = absolute_for(request)
        with reserved(user.pk) as ticket:
            return event_stream(
                task.pk,
                ticket=ticket,
                render=lambda current: task_payload(current, absolute=absolute),
                max_seconds=settings.AICEPS_STREAM_MAX_SECONDS,
                heartbeat=settings.AICEPS_STREAM_HEARTBEAT_SECONDS,
                seen=last_event_id(request),
            )
