"""The seed endpoint the existing photo editor calls: upload, wait, answer the seed's JSON.

A thin adapter: the request becomes a ``TaskInput`` for ``task_create`` (which validates and
charges it), the wait is asynchronous (``WaitingApiView``), and the task becomes the seed's
JSON. A failed task answers with the status its error carries (422 for what the user can
change, 502 or 503 for the model or the server).
"""

from __future__ import annotations

from django.conf import settings
from django.db import connection
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.access import SubmitRateThrottle, UserRateThrottle, acting_api_key, acting_user
from accounts.selectors import credits_balance
from catalogue import task_types
from generation.live.slots import reserved
from generation.models import TaskHistory
from generation.presenters import task_seed_payload
from generation.services import task_create

from .inputs import (
    IDEMPOTENCY_PARAMETER,
    PrimitiveFields,
    WebhookFields,
    build_task_input,
    idempotency_key_of,
    primitive_parameters,
    webhook_from,
)
from .serializers import HealthSerializer, SeedAnswerSerializer, absolute, absolute_for
from .waiting import Waiting, WaitingApiView


class SeedGenerationApi(WaitingApiView):
    error_shape = "seed"
    throttle_classes = [UserRateThrottle, SubmitRateThrottle]

    class SeedInputSerializer(PrimitiveFields, WebhookFields):
        image = serializers.FileField()
        prompt = serializers.CharField(  # may be empty where the task type has a default
            max_length=4000, allow_blank=True, default=""
        )
        task_type = serializers.ChoiceField(choices=task_types.choices(), default="edit")
        aspect_ratio = serializers.CharField(required=False, allow_blank=True, max_length=8)
        x = serializers.FloatField(required=False, help_text="Hotspot: pixels or a fraction.")
        y = serializers.FloatField(required=False, help_text="Hotspot: pixels or a fraction.")
        mask = serializers.FileField(required=False, help_text="inpaint: white where it changes.")

    @extend_schema(
        request={"multipart/form-data": SeedInputSerializer},
        parameters=[IDEMPOTENCY_PARAMETER],
        responses={200: SeedAnswerSerializer, 202: SeedAnswerSerializer},
    )
    def post(self, request):
        serializer = self.SeedInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        user = acting_user(request)
        with reserved(user.pk) as ticket:  # before anything is charged: a 429 costs nothing
            webhook, progress = webhook_from(request, data)
            task_input = build_task_input(
                prompt=data["prompt"],
                task_type=data["task_type"],
                image_files=[data["image"]],
                mask_file=data.get("mask"),
                aspect_ratio=data.get("aspect_ratio", ""),
                parameters={"x": data.get("x"), "y": data.get("y"), **primitive_parameters(data)},
                webhook_url=webhook,
                webhook_progress=progress,
            )
            task = task_create(
                user=user,
                data=task_input,
                idempotency_key=idempotency_key_of(request),
                source="seed",
                api_key=acting_api_key(request),
            ).task
            return Waiting(
                ticket=ticket,
                task_id=task.pk,
                timeout=settings.AICEPS_SYNC_WAIT_SECONDS,
                then=lambda final: self.answer(request, final),
            )

    def answer(self, request, task: TaskHistory) -> Response:
        body = task_seed_payload(task, absolute=absolute_for(request))
        body["custom_image_url"] = body["generated_image_url"]  # the editor's chat reads this
        body["credits_remaining"] = credits_balance(user=task.user)
        if not task.is_final:
            body["status_url"] = absolute(request, f"/api/v1/tasks/{task.pk}")
            return Response(body, status=status.HTTP_202_ACCEPTED)
        if task.status == TaskHistory.Status.COMPLETED:
            return Response(body)
        body["error"] = {"code": body.pop("error_code"), "message": body["error"]}
        if task.status == TaskHistory.Status.CANCELLED:
            return Response(body, status=status.HTTP_409_CONFLICT)
        return Response(body, status=task.error_status or status.HTTP_502_BAD_GATEWAY)


class SeedHealthApi(APIView):
    permission_classes = [AllowAny]
    authentication_classes = []

    @extend_schema(responses={200: HealthSerializer, 503: HealthSerializer})
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
