"""The notify hook of midjourney-proxy: ``POST /api/providers/midjourney/notify/{task}/{token}``.

The proxy posts its task object (JSON) whenever a Midjourney job's status or progress
changes. The URL's token is an HMAC of the AicePS task id (``notify_token``), so only the
proxy that was given the URL can post for that task; anything else answers 404. The
notice is kept on the task (``generation.services.provider_state``), where the running
provider reads it; polling the proxy stays the fallback.
"""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from catalogue.providers.midjourney import NAME, notify_token_valid
from core.api.problems import ApiError
from generation.services.provider_state import task_provider_notice_record

KEPT = ("id", "action", "status", "progress", "imageUrl", "failReason", "finishTime")


class MidjourneyNotifyApi(APIView):
    permission_classes = [AllowAny]
    authentication_classes = []  # the URL's token is the credential
    throttle_classes = []

    @extend_schema(exclude=True)
    def post(self, request, task_id, token: str):
        if not notify_token_valid(task_id, token):
            raise ApiError("not_found", "Not found.", 404)
        data = request.data
        if not isinstance(data, dict) or not isinstance(data.get("id"), str | int):
            raise ApiError("invalid_request", "Expected midjourney-proxy's task object.")
        notice = {key: data.get(key) for key in KEPT if data.get(key) is not None}
        recorded = task_provider_notice_record(
            task_id=task_id, provider=NAME, key=str(data["id"]), notice=notice
        )
        return Response({"ok": True, "recorded": recorded})
