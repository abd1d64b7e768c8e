"""The seed endpoint the existing photo editor calls: upload, wait, answer the seed's JSON."""

from __future__ import annotations

from django.conf import settings
from django.db import connection
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.selectors import credits_balance
from generation.models import TaskHistory
from generation.selectors import task_seed_payload, task_wait
from generation.services import task_create

from .access import ApiViewMixin, SubmitRateThrottle, UserRateThrottle, acting_user
from .inputs import build_task_input
from .serializers import absolute

# Errors a user can fix by changing the request (422) rather than upstream failures (502).
REQUEST_FAILURES = {
    "unsupported_instruction",
    "unsupported_task",
    "no_change",
    "missing_image",
    "too_many_images",
    "content_blocked",
    "invalid_request",
}


class SeedGenerationApi(ApiViewMixin, APIView):
    seed_format = True
    throttle_classes = [UserRateThrottle, SubmitRateThrottle]

    class InputSerializer(serializers.Serializer):
        image = serializers.FileField()
        prompt = serializers.CharField(max_length=4000)
        task_type = serializers.ChoiceField(
            choices=TaskHistory.TaskType.values, default=TaskHistory.TaskType.EDIT
        )

    @extend_schema(request={"multipart/form-data": InputSerializer})
    def post(self, request):
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        user = acting_user(request)
        task_input = build_task_input(
            prompt=data["prompt"], task_type=data["task_type"], image_files=[data["image"]]
        )
        task = task_create(user=user, data=task_input, source="seed").task
        task = task_wait(task=task, timeout=settings.AICEPS_SYNC_WAIT_SECONDS)
        body = task_seed_payload(task, absolute=lambda url: absolute(request, url) or "")
        body["credits_remaining"] = credits_balance(user=user)
        if not task.is_final:
            body["status_url"] = absolute(request, f"/api/v1/tasks/{task.pk}")
            return Response(body, status=status.HTTP_202_ACCEPTED)
        if task.status == TaskHistory.Status.COMPLETED:
            return Response(body)
        body["error"] = {"code": body.pop("error_code"), "message": body["error"]}
        code = 422 if task.error_code in REQUEST_FAILURES else 502
        return Response(body, status=code)


class SeedHealthApi(APIView):
    permission_classes = [AllowAny]
    authentication_classes = []

    def get(self, request):
        try:
            connection.ensure_connection()
            database = "ok"
        except Exception:
            database = "unavailable"
        healthy = database == "ok"
        return Response(
            {
                "success": healthy,
                "status": "healthy" if healthy else "degraded",
                "service": "aiceps",
                "database": database,
            },
            status=200 if healthy else 503,
        )
