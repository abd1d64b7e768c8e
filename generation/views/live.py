"""The live task page's updates: server-sent events over the session, a socket not a thread.

``/history/<id>/events`` streams the same payload as ``status.json`` at each change of the
task, then ``end``, each event with an ``id`` and ``retry``: a reconnecting EventSource sends
``Last-Event-ID`` and gets the current snapshot (none if it has it). The page falls back
to polling ``status.json`` when a stream breaks.
"""

from __future__ import annotations

from asgiref.sync import sync_to_async
from django.conf import settings
from django.http import Http404, JsonResponse
from django.utils.translation import gettext as _

from core.errors import LimitError

from ..api.waiting import event_stream, last_event_id
from ..live.slots import reserved
from ..presenters import task_page_payload
from ..selectors import task_get


async def task_events(request, task_id):
    user = await request.auser()
    if not user.is_authenticated:
        return JsonResponse(
            {"error": {"code": "not_authenticated", "message": _("Please sign in again.")}},
            status=401,
        )
    task = await sync_to_async(task_get)(user=user, task_id=task_id)
    if task is None:
        raise Http404
    try:
        with reserved(user.pk) as ticket:
            return event_stream(
                task.pk,
                ticket=ticket,
                render=task_page_payload,
                max_seconds=settings.AICEPS_STREAM_MAX_SECONDS,
                heartbeat=settings.AICEPS_STREAM_HEARTBEAT_SECONDS,
                seen=last_event_id(request),
            )
    except LimitError as exc:
        response = JsonResponse(
            {"error": {"code": exc.code, "message": exc.message}}, status=exc.status
        )
        response["Retry-After"] = str(round(exc.retry_after or 5))
        return response
