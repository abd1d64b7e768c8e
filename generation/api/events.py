"""Server-sent events of a task's changes, until the task ends: a socket, never a thread."""

from __future__ import annotations

from django.conf import settings
from drf_spectacular.utils import OpenApiResponse, extend_schema

from accounts.access import acting_user
from core.api.problems import ApiError
from generation.live.slots import reserved
from generation.presenters import task_payload
from generation.selectors import task_get

from .serializers import absolute_for
from .waiting import IgnoreAcceptNegotiation, WaitingApiView, event_stream


class TaskEventsApi(WaitingApiView):
    content_negotiation_class = IgnoreAcceptNegotiation

    @extend_schema(
        responses={
            (200, "text/event-stream"): OpenApiResponse(
                description="`status` events (the task, as GET /api/v1/tasks/{id} answers it) "
                "at every change, then `end` (or `timeout`); `: keep-alive` comments between."
            )
        }
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
            )
