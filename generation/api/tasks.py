"""The async tasks API: submit, list, read, cancel; statistics."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.access import (
    ApiViewMixin,
    SubmitRateThrottle,
    UserRateThrottle,
    acting_api_key,
    acting_user,
)
from accounts.selectors import credits_balance
from catalogue import task_types
from core.api.problems import ApiError
from generation.models import TaskHistory, TaskStatistics
from generation.selectors import statistics_for, task_get, task_list
from generation.services import task_cancel, task_create, task_delete

from .inputs import (
    IDEMPOTENCY_PARAMETER,
    PrimitiveFields,
    WebhookFields,
    build_task_input,
    idempotency_key_of,
    primitive_parameters,
    webhook_from,
)
from .serializers import (
    StatisticsAnswerSerializer,
    StatisticsSerializer,
    TaskAnswerSerializer,
    TaskPageSerializer,
    TaskSerializer,
)


class TaskPagination(PageNumberPagination):
    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 100


class TaskListCreateApi(ApiViewMixin, APIView):
    class TaskInputSerializer(PrimitiveFields, WebhookFields):
        """The fields a task takes; which of them each task type needs is checked by
        ``task_create`` (``catalogue.task_types``), as for every other entry point."""

        image = serializers.ListField(
            child=serializers.FileField(), required=False, help_text="The main photo first."
        )
        mask = serializers.FileField(required=False)
        prompt = serializers.CharField(max_length=4000, allow_blank=True, default="")
        task_type = serializers.ChoiceField(choices=task_types.choices(), default="edit")
        aspect_ratio = serializers.CharField(required=False, allow_blank=True, max_length=8)
        x = serializers.FloatField(
            required=False,
            min_value=0,
            help_text="The point of a hotspot edit: pixels, or a fraction of the width (0-1).",
        )
        y = serializers.FloatField(
            required=False, min_value=0, help_text="Pixels, or a fraction of the height (0-1)."
        )
        n = serializers.IntegerField(required=False, default=1)
        prompt_writer = serializers.CharField(required=False, allow_blank=True, max_length=200)
        image_provider = serializers.CharField(required=False, allow_blank=True, max_length=200)

    def get_throttles(self):
        if self.request.method == "POST":
            return [UserRateThrottle(), SubmitRateThrottle()]
        return super().get_throttles()

    @extend_schema(
        parameters=[
            OpenApiParameter("status", enum=TaskHistory.Status.values),
            OpenApiParameter("task_type", enum=[value for value, _ in task_types.choices()]),
            OpenApiParameter("search", str),
        ],
        responses=TaskPageSerializer,
        operation_id="api_v1_tasks_list",
    )
    def get(self, request):
        # A filter that is sent must be valid, empty included (an empty one is a client bug).
        status_filter = request.query_params.get("status")
        type_filter = request.query_params.get("task_type")
        if status_filter is not None and status_filter not in TaskHistory.Status.values:
            raise ApiError(
                "invalid_filter",
                f"status must be one of {', '.join(TaskHistory.Status.values)}.",
                param="status",
            )
        if type_filter is not None:
            task_types.spec_for(type_filter)  # a ValidationError naming the known types
        tasks = task_list(
            user=acting_user(request),
            status=status_filter,
            task_type=type_filter,
            search=request.query_params.get("search") or None,
        )
        paginator = TaskPagination()
        page = paginator.paginate_queryset(tasks, request, view=self)
        data = TaskSerializer(page, many=True, context={"request": request}).data
        return paginator.get_paginated_response(data)

    @extend_schema(
        request={"multipart/form-data": TaskInputSerializer},
        parameters=[IDEMPOTENCY_PARAMETER],
        responses={202: TaskAnswerSerializer, 200: TaskAnswerSerializer},
    )
    def post(self, request):
        serializer = self.TaskInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        params = {"x": data.get("x"), "y": data.get("y"), "n": data["n"]}
        params.update(primitive_parameters(data))
        webhook, progress = webhook_from(request, data)
        task_input = build_task_input(
            prompt=data["prompt"],
            task_type=data["task_type"],
            image_files=data.get("image", []),
            mask_file=data.get("mask"),
            aspect_ratio=data.get("aspect_ratio", ""),
            parameters=params,
            prompt_writer=data.get("prompt_writer"),
            image_provider=data.get("image_provider"),
            webhook_url=webhook,
            webhook_progress=progress,
        )
        creation = task_create(
            user=acting_user(request),
            data=task_input,
            idempotency_key=idempotency_key_of(request),
            source="api",
            api_key=acting_api_key(request),
        )
        task = creation.task
        body = TaskSerializer(task, context={"request": request}).data
        body["credits_remaining"] = (
            creation.balance if creation.balance is not None else credits_balance(user=task.user)
        )
        code = status.HTTP_202_ACCEPTED if creation.created else status.HTTP_200_OK
        return Response(body, status=code, headers={"Location": body["status_url"]})


class TaskDetailApi(ApiViewMixin, APIView):
    @extend_schema(responses=TaskSerializer)
    def get(self, request, task_id):
        task = task_get(user=acting_user(request), task_id=task_id)
        if task is None:
            raise ApiError("not_found", "No such task.", 404)
        return Response(TaskSerializer(task, context={"request": request}).data)

    @extend_schema(
        summary="Delete the task: its photos, results and words (the ledger keeps its rows)",
        responses={204: None},
    )
    def delete(self, request, task_id):
        task = task_get(user=acting_user(request), task_id=task_id)
        if task is None:
            raise ApiError("not_found", "No such task.", 404)
        task_delete(task=task)  # 409 while it is queued or running: cancel it first
        return Response(status=status.HTTP_204_NO_CONTENT)


class TaskCancelApi(ApiViewMixin, APIView):
    @extend_schema(request=None, responses=TaskAnswerSerializer)
    def post(self, request, task_id):
        task = task_get(user=acting_user(request), task_id=task_id)
        if task is None:
            raise ApiError("not_found", "No such task.", 404)
        task = task_cancel(task=task)
        body = TaskSerializer(task, context={"request": request}).data
        body["credits_remaining"] = credits_balance(user=task.user)
        return Response(body)


class StatisticsApi(ApiViewMixin, APIView):
    PERIODS = {"day": "day", "week": "week", "month": "month", "all": "all"}

    @extend_schema(
        parameters=[OpenApiParameter("period", enum=list(PERIODS), default="day")],
        responses=StatisticsAnswerSerializer,
    )
    def get(self, request):
        period = request.query_params.get("period", "day")
        if period not in self.PERIODS:
            raise ApiError("invalid_period", "period must be one of day, week, month, all.")
        rows = statistics_for(user=acting_user(request), period_type=period)
        return Response(
            {
                "period": period,
                "results": StatisticsSerializer(rows, many=True).data,
                "periods": TaskStatistics.PeriodType.values,
            }
        )
