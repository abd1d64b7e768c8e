"""Server-sent events of a task's status changes, until the task ends."""

from __future__ import annotations

import json
import time

from django.http import StreamingHttpResponse
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.views import APIView

from generation.models import TaskHistory
from generation.selectors import task_get

from .access import ApiViewMixin, acting_user
from .errors import ApiError
from .serializers import TaskSerializer

POLL_SECONDS = 0.25
HEARTBEAT_SECONDS = 15.0
MAX_STREAM_SECONDS = 30 * 60


class IgnoreAcceptNegotiation(BaseContentNegotiation):
    """EventSource sends ``Accept: text/event-stream``; errors still answer as JSON."""

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type

    def select_parser(self, request, parsers):
        return parsers[0] if parsers else None


def _event(name: str, payload: dict) -> str:
    return f"event: {name}\ndata: {json.dumps(payload, default=str, ensure_ascii=False)}\n\n"


class TaskEventsApi(ApiViewMixin, APIView):
    content_negotiation_class = IgnoreAcceptNegotiation

    @extend_schema(responses={200: OpenApiResponse(description="text/event-stream of task states")})
    def get(self, request, task_id):
        task = task_get(user=acting_user(request), task_id=task_id)
        if task is None:
            raise ApiError("not_found", "No such task.", 404)
        context = {"request": request}

        def stream():
            last, last_sent = None, time.monotonic()
            started = last_sent
            while True:
                task.refresh_from_db()
                state = (task.status, task.stage)
                if state != last:
                    last, last_sent = state, time.monotonic()
                    yield _event("status", TaskSerializer(task, context=context).data)
                if task.status in TaskHistory.FINAL_STATUSES:
                    yield _event("end", {"id": str(task.pk), "status": task.status})
                    return
                if time.monotonic() - started > MAX_STREAM_SECONDS:
                    yield _event("timeout", {"id": str(task.pk), "status": task.status})
                    return
                if time.monotonic() - last_sent > HEARTBEAT_SECONDS:
                    last_sent = time.monotonic()
                    yield ": keep-alive\n\n"
                time.sleep(POLL_SECONDS)

        response = StreamingHttpResponse(stream(), content_type="text/event-stream")
        response["Cache-Control"] = "no-cache"
        response["X-Accel-Buffering"] = "no"
        return response
