"""The editor's generation calls: ``edit-image``, ``generate-image``,
``generate-batch-images`` and ``creative-suggestions``.

Each becomes a ``TaskInput`` for ``task_create`` (which validates, prices and charges it), or
for the suggestions a text task (``text_task_create``), under a waiting slot taken first, and
the answer waits for the task on the event loop.
"""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import get_language
from drf_spectacular.utils import OpenApiRequest, extend_schema
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from accounts.access import SubmitRateThrottle, UserRateThrottle, acting_user
from catalogue.task_types import TaskType
from catalogue.text_tasks import TextTaskType
from core.api.problems import problem_for
from core.errors import DomainError, ValidationError
from core.json_bodies import BoundedJSONParser, loads_bounded
from generation.api.inputs import build_task_input, read_files, webhook_from
from generation.api.waiting import Waiting, WaitingApiView, reserved
from generation.services import TaskInput, task_create, template_record_use, text_task_create

from ..access import EditorApiMixin
from ..errors import editor_body
from ..inputs import (
    MAX_PROMPT,
    EditorBatchImagesSerializer,
    EditorEditImageSerializer,
    EditorGenerateImageSerializer,
    EditorSuggestionsInputSerializer,
)
from ..kinds import parse_hotspot, task_type_for
from ..schema import (
    EditorBatchAnswerSerializer,
    EditorImageResultSerializer,
    EditorSuggestionsSerializer,
)
from ..waiting import WaitingForAll, image_answer, wait_for_text

FORMS = [MultiPartParser, FormParser]
JSON_PART = {"contentType": "application/json"}  # a form field whose value is JSON text
WAITED = (
    "Waits for the task (up to `AICEPS_SYNC_WAIT_SECONDS`): a failed task answers its error "
    "(refunded), one still running 504 with `status_url`."
)


def checked(serializer_class, request) -> dict:
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def wait_for(request, ticket, task) -> Waiting:
    return Waiting(
        ticket=ticket,
        task_id=task.pk,
        timeout=settings.AICEPS_SYNC_WAIT_SECONDS,
        then=lambda final: image_answer(request, final),
    )


class EditImageApi(EditorApiMixin, WaitingApiView):
    """``POST /api/edit-image``: multipart ``image`` (``images`` for fusion, the main photo
    first), ``prompt``, ``type``, optional ``hotspot``."""

    throttle_classes = [UserRateThrottle, SubmitRateThrottle]
    parser_classes = FORMS

    @extend_schema(
        request={
            "multipart/form-data": OpenApiRequest(
                EditorEditImageSerializer, encoding={"hotspot": JSON_PART}
            )
        },
        responses=EditorImageResultSerializer,
        description=WAITED,
    )
    def post(self, request):
        data = checked(EditorEditImageSerializer, request)
        hotspot = parse_hotspot(data.get("hotspot"))
        task_type = task_type_for(data["type"], hotspot=bool(hotspot))
        files = [*data.get("image", []), *data.get("images", [])]
        prompt = data["prompt"]
        user = acting_user(request)
        sides = {name: data.get(name) for name in ("scale", "left", "top", "right", "bottom")}
        with reserved(user.pk) as ticket:
            webhook, progress = webhook_from(request, data)
            data = build_task_input(
                prompt=prompt,
                task_type=task_type,
                image_files=files,
                mask_file=data.get("mask"),
                aspect_ratio=data.get("aspectRatio", "") if task_type == TaskType.EXPAND else "",
                parameters={**hotspot, **sides},
                webhook_url=webhook,
                webhook_progress=progress,
            )
            task = task_create(user=user, data=data, source="editor").task
            template_record_use(prompt=data.prompt)
            return wait_for(request, ticket, task)


class GenerateImageApi(EditorApiMixin, WaitingApiView):
    """``POST /api/generate-image``: JSON ``{prompt, aspectRatio}``."""

    throttle_classes = [UserRateThrottle, SubmitRateThrottle]
    parser_classes = [BoundedJSONParser]

    @extend_schema(
        request=EditorGenerateImageSerializer,
        responses=EditorImageResultSerializer,
        description=WAITED,
    )
    def post(self, request):
        validated = checked(EditorGenerateImageSerializer, request)
        prompt = validated["prompt"]
        user = acting_user(request)
        with reserved(user.pk) as ticket:
            webhook, progress = webhook_from(request, validated)
            data = build_task_input(
                prompt=prompt,
                task_type=TaskType.TEXT_TO_IMAGE,
                image_files=[],
                aspect_ratio=validated.get("aspectRatio") or "1:1",
                webhook_url=webhook,
                webhook_progress=progress,
            )
            task = task_create(user=user, data=data, source="editor").task
            template_record_use(prompt=data.prompt)
            return wait_for(request, ticket, task)


class BatchImagesApi(EditorApiMixin, WaitingApiView):
    """``POST /api/generate-batch-images``: multipart ``image`` and ``prompts`` (a JSON list);
    one style task per prompt, each answered ``done`` or ``error`` on its own (one that
    cannot be paid for is an error, the others still run)."""

    throttle_classes = [UserRateThrottle, SubmitRateThrottle]
    parser_classes = FORMS

    @extend_schema(
        request={
            "multipart/form-data": OpenApiRequest(
                EditorBatchImagesSerializer, encoding={"prompts": JSON_PART}
            )
        },
        responses=EditorBatchAnswerSerializer,
        description="Waits for every task; each entry says `done` or `error` on its own.",
    )
    def post(self, request):
        data = checked(EditorBatchImagesSerializer, request)
        prompts = self.prompts(data["prompts"])
        task_type = task_type_for(data["type"], hotspot=False)
        images = read_files([data["image"]], field="image")
        webhook, progress = webhook_from(request, data)
        user = acting_user(request)
        with reserved(user.pk) as ticket:
            entries: list = []  # a task, or the error of a prompt that made none
            for prompt in prompts:
                data = TaskInput(
                    prompt=prompt.strip(),
                    task_type=task_type,
                    images=images,
                    webhook_url=webhook,
                    webhook_progress=progress,
                )
                try:
                    entries.append(task_create(user=user, data=data, source="editor").task)
                except DomainError as exc:
                    entries.append({"status": "error", **self.failure(exc)})
            created = [entry.pk for entry in entries if not isinstance(entry, dict)]
            if not created:
                ticket.release()
                return Response(self.answer(request, entries, []))
            return WaitingForAll(
                ticket=ticket,
                task_ids=created,
                timeout=settings.AICEPS_SYNC_WAIT_SECONDS,
                then=lambda tasks: Response(self.answer(request, entries, tasks)),
            )

    def prompts(self, raw) -> list[str]:
        try:
            prompts = loads_bounded(raw) if isinstance(raw, str) else raw
        except ValueError:
            prompts = None
        most = settings.AICEPS_EDITOR_MAX_BATCH
        if not isinstance(prompts, list) or not all(isinstance(p, str) for p in prompts):
            raise ValidationError(
                "prompts must be a JSON list of strings.", code="invalid_prompts", param="prompts"
            )
        if not 1 <= len(prompts) <= most:
            raise ValidationError(
                f"Send from 1 to {most} prompts.", code="invalid_prompts", param="prompts"
            )
        if any(len(p) > MAX_PROMPT or "\x00" in p for p in prompts):
            raise ValidationError(
                f"Each prompt is at most {MAX_PROMPT} characters, without NUL characters.",
                code="invalid_prompts",
                param="prompts",
            )
        return prompts

    def failure(self, exc: Exception) -> dict:
        problem = problem_for(exc)
        body = editor_body(problem) if problem else {"error": "failed", "code": "internal_error"}
        return {"error": body["error"], "code": body["code"]}

    def answer(self, request, entries, tasks) -> dict:
        final = {task.pk: task for task in tasks if task is not None}
        images = []
        for index, entry in enumerate(entries):
            if isinstance(entry, dict):
                images.append({"index": index, **entry})
                continue
            task = final.get(entry.pk, entry)
            body = image_answer(request, task).data
            if "imageUrl" in body:  # completed
                images.append(
                    {
                        "index": index,
                        "status": "done",
                        "url": body["imageUrl"],
                        "filename": body["filename"],
                        "task_id": str(task.pk),
                    }
                )
            else:
                images.append(
                    {
                        "index": index,
                        "status": "error",
                        "error": body["error"],
                        "code": body["code"],
                        "task_id": str(task.pk),
                    }
                )
        return {"success": True, "images": images}


class CreativeSuggestionsApi(EditorApiMixin, WaitingApiView):
    """``POST /api/creative-suggestions``: multipart ``image`` and ``type`` (``filter``,
    ``adjustment`` or ``texture``); four ``{name, prompt}``, made on a worker (a text task)."""

    throttle_classes = [UserRateThrottle, SubmitRateThrottle]
    parser_classes = FORMS

    @extend_schema(
        request={"multipart/form-data": EditorSuggestionsInputSerializer},
        responses=EditorSuggestionsSerializer,
    )
    def post(self, request):
        data = checked(EditorSuggestionsInputSerializer, request)
        kind = data["type"]
        images = read_files([data["image"]], field="image")
        user = acting_user(request)
        with reserved(user.pk) as ticket:
            task = text_task_create(
                user=user,
                task_type=TextTaskType.SUGGESTIONS,
                parameters={"type": kind, "language": get_language() or "en"},
                photo=images[0],
            )
            return wait_for_text(ticket=ticket, task=task)
