"""The picture book's calls, at ``/api/api/text-to-comic/...`` (the editor doubles ``/api``)
and ``/api/text-to-comic/...``: split a story into scenes, draw one panel."""

from __future__ import annotations

from django.conf import settings
from drf_spectacular.utils import extend_schema
from rest_framework.response import Response

from accounts.access import SubmitRateThrottle, UserRateThrottle, acting_user
from catalogue.task_types import TaskType
from catalogue.text_tasks import TextTaskType
from catalogue.text_tasks.scenes import scenes_without_model, split_scenes
from core.json_bodies import BoundedJSONParser
from generation.api.inputs import build_task_input, webhook_from
from generation.api.waiting import Waiting, WaitingApiView, reserved
from generation.services import task_create, text_task_create

from ..access import EditorApiMixin
from ..comics import panel_prompt
from ..inputs import EditorComicPanelSerializer, EditorScenesInputSerializer
from ..schema import EditorImageResultSerializer, EditorScenesSerializer
from ..waiting import image_answer, wait_for_text


class ExtractScenesApi(EditorApiMixin, WaitingApiView):
    """``{text}`` → ``{title, style, scenes: [{text, description}]}``."""

    throttle_classes = [UserRateThrottle, SubmitRateThrottle]
    parser_classes = [BoundedJSONParser]

    @extend_schema(request=EditorScenesInputSerializer, responses=EditorScenesSerializer)
    def post(self, request):
        serializer = EditorScenesInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        text = serializer.validated_data["text"]
        style = serializer.validated_data.get("style") or "cartoon"
        split_scenes(text)  # refuse an unusable story before queueing anything
        at_once = scenes_without_model(text, style=style)  # offline: nothing to wait on
        if at_once is not None:
            return Response(at_once)
        user = acting_user(request)
        with reserved(user.pk) as ticket:
            task = text_task_create(
                user=user, task_type=TextTaskType.SCENES, text=text, parameters={"style": style}
            )
            return wait_for_text(ticket=ticket, task=task)


class GenerateComicApi(EditorApiMixin, WaitingApiView):
    """``{description, style, scene: {emotion, colorTone}}`` → ``{imageUrl}`` (a text-to-image
    task, priced and charged as one)."""

    throttle_classes = [UserRateThrottle, SubmitRateThrottle]
    parser_classes = [BoundedJSONParser]

    @extend_schema(
        request=EditorComicPanelSerializer,
        responses=EditorImageResultSerializer,
        description="A text-to-image task; waits for it like `generate-image`.",
    )
    def post(self, request):
        serializer = EditorComicPanelSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        prompt = panel_prompt(
            data["description"], style=data.get("style") or "", scene=data.get("scene")
        )
        webhook, progress = webhook_from(request, data)
        user = acting_user(request)
        with reserved(user.pk) as ticket:
            task_input = build_task_input(
                prompt=prompt,
                task_type=TaskType.TEXT_TO_IMAGE,
                image_files=[],
                aspect_ratio=str(data.get("aspectRatio") or "1:1"),
                webhook_url=webhook,
                webhook_progress=progress,
            )
            task = task_create(user=user, data=task_input, source="editor").task
            return Waiting(
                ticket=ticket,
                task_id=task.pk,
                timeout=settings.AICEPS_SYNC_WAIT_SECONDS,
                then=lambda final: image_answer(request, final),
            )
