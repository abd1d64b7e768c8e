"""``/api/task-history/*``: the editor's 任务记录 over AicePS's own task records.

The list, details and statistics are AicePS's tasks and statistics in the editor's shapes.
``create``, ``original-image`` and ``complete`` record what the editor reports
(``editor.services.records``) and link it to the real task; they never change a task, its
charge (``credits_deducted`` is AicePS's, whatever the editor reports) or its files (the
editor's ``generated_image_data`` is not stored: the task's own result is). ``DELETE``
removes the user's own task and its files.
"""

from __future__ import annotations

import math

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.access import acting_user
from core.errors import NotFoundError, ValidationError
from core.json_bodies import BoundedJSONParser
from generation.api.inputs import read_files
from generation.api.serializers import StatisticsSerializer, absolute_for
from generation.selectors import task_get
from generation.services import task_delete

from ..access import EditorApiMixin
from ..inputs import (
    EditorOriginalImageSerializer,
    EditorRecordCompleteSerializer,
    EditorRecordCreateSerializer,
)
from ..presenters import history_task, record_view
from ..schema import (
    END_DATE,
    LIMIT,
    PAGE,
    START_DATE,
    TEXT,
)
from ..schema_library import (
    EditorDeletedSerializer,
    EditorHistoryPageSerializer,
    EditorRecordAnswerSerializer,
    EditorStatisticsSerializer,
    EditorTaskDetailAnswerSerializer,
)
from ..selectors import PERIODS, history_tasks, record_get, statistics_rows
from ..services.records import (
    record_attach_original,
    record_complete,
    record_create,
    record_delete,
)

MAX_LIMIT = 100


def _positive(value, default: int, *, most: int | None = None, param: str) -> int:
    if value is None:
        return default
    try:
        number = int(value)
    except (TypeError, ValueError):
        number = 0
    if number < 1:
        raise ValidationError(f"{param} must be a whole number from 1.", param=param)
    return min(number, most) if most else number


class TasksApi(EditorApiMixin, APIView):
    parser_classes = [BoundedJSONParser]

    @extend_schema(
        operation_id="api_task_history_tasks_list",
        parameters=[
            PAGE,
            LIMIT,
            OpenApiParameter("status", TEXT, description="Only tasks in this status."),
            OpenApiParameter(
                "task_type",
                TEXT,
                description="`image_generation`, `image_edit`, `template_generation` (none) "
                "or one of AicePS's task types.",
            ),
            START_DATE,
            END_DATE,
        ],
        responses=EditorHistoryPageSerializer,
    )
    def get(self, request):
        params = request.query_params
        page = _positive(params.get("page"), 1, param="page")
        limit = _positive(params.get("limit"), 50, most=MAX_LIMIT, param="limit")
        tasks = history_tasks(
            user=acting_user(request),
            status=params.get("status"),
            task_type=params.get("task_type"),
            start=params.get("start_date"),
            end=params.get("end_date"),
        )
        total = tasks.count()
        pages = math.ceil(total / limit) if total else 0
        # Past the last page, nothing is asked of the database (an offset beyond a 64-bit
        # integer would be refused by it).
        rows = tasks[(page - 1) * limit : page * limit] if page <= pages else []
        absolute = absolute_for(request)
        return Response(
            {
                "success": True,
                "data": {
                    "tasks": [history_task(task, absolute=absolute) for task in rows],
                    "pagination": {
                        "current_page": page,
                        "per_page": limit,
                        "total_items": total,
                        "total_pages": pages,
                        "has_more": page < pages,
                    },
                },
            }
        )

    @extend_schema(
        operation_id="api_task_history_tasks_create",
        request=EditorRecordCreateSerializer,
        responses={201: EditorRecordAnswerSerializer},
    )
    def post(self, request):
        serializer = EditorRecordCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        record = record_create(
            user=acting_user(request),
            task_type=data.get("task_type", ""),
            prompt=data.get("prompt", ""),
            model_version=data.get("model_version", ""),
            aspect_ratio=data.get("aspect_ratio") or "",
            status=data.get("status") or "pending",
        )
        body = record_view(record, absolute=absolute_for(request))
        return Response({"success": True, "data": body}, status=201)


class TaskApi(EditorApiMixin, APIView):
    @extend_schema(
        operation_id="api_task_history_task_retrieve",
        responses=EditorTaskDetailAnswerSerializer,
    )
    def get(self, request, task_id: str):
        user = acting_user(request)
        absolute = absolute_for(request)
        task = task_get(user=user, task_id=task_id)
        if task is not None:
            return Response({"success": True, "data": history_task(task, absolute=absolute)})
        record = record_get(user=user, record_id=task_id)
        if record is None:
            raise NotFoundError("No such task.")
        return Response({"success": True, "data": record_view(record, absolute=absolute)})

    @extend_schema(
        operation_id="api_task_history_task_destroy", responses={200: EditorDeletedSerializer}
    )
    def delete(self, request, task_id: str):
        user = acting_user(request)
        task = task_get(user=user, task_id=task_id)
        record = None
        if task is None:
            record = record_get(user=user, record_id=task_id)
            if record is None:
                raise NotFoundError("No such task.")
            task = record.task if record.task and record.task.deleted_at is None else None
        if task is not None:
            task_delete(task=task)
        if record is not None:
            record_delete(record=record)
        return Response({"success": True, "message": "The task was deleted."})


class OriginalImageApi(EditorApiMixin, APIView):
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        request={"multipart/form-data": EditorOriginalImageSerializer},
        responses=EditorRecordAnswerSerializer,
    )
    def put(self, request, task_id: str):
        record = self.record(request, task_id)
        data = EditorOriginalImageSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        images = read_files([data.validated_data["image"]], field="image")
        record = record_attach_original(record=record, image=images[0])
        return Response(
            {"success": True, "data": record_view(record, absolute=absolute_for(request))}
        )

    def record(self, request, task_id: str):
        record = record_get(user=acting_user(request), record_id=task_id)
        if record is None:
            raise NotFoundError("No such task record.")
        return record


class CompleteApi(OriginalImageApi):
    parser_classes = [BoundedJSONParser]

    @extend_schema(request=EditorRecordCompleteSerializer, responses=EditorRecordAnswerSerializer)
    def put(self, request, task_id: str):
        record = self.record(request, task_id)
        serializer = EditorRecordCompleteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        image = data.get("generated_image_data")
        error = data.get("error_message")
        record = record_complete(
            record=record,
            tokens_used=data.get("tokens_used"),
            credits_deducted=data.get("credits_deducted"),
            generation_time_ms=data.get("generation_time_ms"),
            error_message=error if isinstance(error, str) else "",
            image_bytes=_data_url_bytes(image) if isinstance(image, str) else None,
        )
        return Response(
            {"success": True, "data": record_view(record, absolute=absolute_for(request))}
        )


def _data_url_bytes(value: str) -> int | None:
    """The size of a data URL's payload, without decoding or keeping it."""
    _, _, payload = value.partition(",")
    return (len(payload) * 3) // 4 if payload else None


class StatisticsApi(EditorApiMixin, APIView):
    @extend_schema(
        parameters=[
            OpenApiParameter("period", enum=list(PERIODS), default="daily"),
            START_DATE,
            END_DATE,
        ],
        responses=EditorStatisticsSerializer,
    )
    def get(self, request):
        params = request.query_params
        rows = list(
            statistics_rows(
                user=acting_user(request),
                period=params.get("period", "daily"),
                start=params.get("start_date"),
                end=params.get("end_date"),
            )
        )
        totals = {
            name: sum(getattr(row, name) for row in rows)
            for name in (
                "total_tasks",
                "successful_tasks",
                "failed_tasks",
                "total_tokens_used",
                "total_credits_deducted",
                "total_generation_time_ms",
            )
        }
        done = totals["successful_tasks"]
        totals["success_rate"] = (
            round(done / totals["total_tasks"] * 100, 2) if totals["total_tasks"] else 0
        )
        totals["avg_generation_time_ms"] = (
            round(totals["total_generation_time_ms"] / done) if done else 0
        )
        return Response(
            {
                "success": True,
                "data": {
                    "statistics": StatisticsSerializer(rows, many=True).data,
                    "totals": totals,
                },
            }
        )
