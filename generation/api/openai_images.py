"""OpenAI-compatible images API, so the official ``openai`` client works unchanged.

``openai.OpenAI(base_url="http://HOST/v1", api_key=<AicePS token>).images.edit(...)`` runs a
task through the same services as every other endpoint (credits, history, queue) and answers
OpenAI's ``ImagesResponse``; ``revised_prompt`` carries the professional prompt.
"""

from __future__ import annotations

import base64
import time

from django.conf import settings
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response

from generation.files import TaskFiles
from generation.live.slots import reserved
from generation.models import TaskHistory
from generation.providers.registry import IMAGE_PROVIDERS
from generation.services import task_create
from generation.storage import file_url, read_bytes

from .access import SubmitRateThrottle, UserRateThrottle, acting_user
from .errors import ApiError
from .inputs import build_task_input
from .serializers import absolute
from .waiting import Waiting, WaitingApiView

SIZES = {
    "1024x1024": "1:1",
    "1536x1024": "4:3",
    "1024x1536": "3:4",
    "1792x1024": "16:9",
    "1024x1792": "9:16",
    "512x512": "1:1",
    "256x256": "1:1",
    "auto": "",
}


def provider_for_model(model: str | None) -> str | None:
    """Map OpenAI's ``model`` field to an AicePS image provider (None: the configured one)."""
    model = (model or "").strip()
    if model in ("", "auto", "aiceps"):
        return None
    if model in IMAGE_PROVIDERS:
        return model
    if model.startswith(("gpt-image", "dall-e")):
        return "openai"
    if model.startswith(("gemini", "imagen")):
        return "gemini"
    raise ApiError(
        "model_not_found",
        f"Unknown model {model!r}; use one of: auto, {', '.join(IMAGE_PROVIDERS)}, "
        "gpt-image-1, dall-e-2, dall-e-3, or a gemini image model.",
        404,
    )


class ImagesInputSerializer(serializers.Serializer):
    prompt = serializers.CharField(max_length=32000)
    model = serializers.CharField(required=False, allow_blank=True)
    n = serializers.IntegerField(required=False, min_value=1, max_value=4, default=1)
    size = serializers.ChoiceField(choices=list(SIZES), required=False, allow_blank=True)
    response_format = serializers.ChoiceField(
        choices=["b64_json", "url"], required=False, default="b64_json"
    )
    output_format = serializers.ChoiceField(
        choices=["png", "jpeg", "webp"], required=False, default="png"
    )


class _ImagesApi(WaitingApiView):
    error_shape = "openai"
    throttle_classes = [UserRateThrottle, SubmitRateThrottle]
    task_type = TaskHistory.TaskType.EDIT

    def _run(self, request, data: dict, image_files, mask_file=None) -> Waiting:
        size = data.get("size") or ""
        user = acting_user(request)
        with reserved(user.pk) as ticket:
            task_input = build_task_input(
                prompt=data["prompt"],
                task_type=self.task_type,
                image_files=image_files,
                mask_file=mask_file,
                aspect_ratio=SIZES.get(size, ""),
                parameters={
                    "n": data["n"],
                    "size": size if size and size != "auto" else None,
                    "output_format": data["output_format"],
                },
                image_provider=provider_for_model(data.get("model")),
            )
            task = task_create(user=user, data=task_input, source="openai").task
            return Waiting(
                ticket=ticket,
                task_id=task.pk,
                timeout=settings.AICEPS_SYNC_WAIT_SECONDS,
                then=lambda final: self._answer(request, data, final),
            )

    def _answer(self, request, data: dict, task: TaskHistory) -> Response:
        if not task.is_final:
            raise ApiError(
                "timeout",
                f"The image is still being generated; poll /api/v1/tasks/{task.pk}.",
                504,
                task_id=str(task.pk),
            )
        if task.status != TaskHistory.Status.COMPLETED:
            status = task.error_status or 502
            raise ApiError(
                task.error_code or "generation_failed",
                task.error_message or "The image could not be generated.",
                400 if status < 500 else status,
                task_id=str(task.pk),
            )
        names = TaskFiles(task).generated
        if data["response_format"] == "url":
            items = [{"url": absolute(request, file_url(name))} for name in names]
        else:
            items = [
                {"b64_json": base64.b64encode(read_bytes(name)).decode("ascii")} for name in names
            ]
        for item in items:
            item["revised_prompt"] = task.professional_prompt
        return Response(
            {
                "created": int(time.time()),
                "data": items,
                "output_format": data["output_format"],
                "usage": {
                    "total_tokens": task.tokens_used,
                    "input_tokens": task.prompt_tokens,
                    "output_tokens": task.tokens_used - task.prompt_tokens,
                    "input_tokens_details": {"text_tokens": task.prompt_tokens, "image_tokens": 0},
                },
            }
        )


class ImagesEditsApi(_ImagesApi):
    class InputSerializer(ImagesInputSerializer):
        mask = serializers.FileField(required=False)

    @extend_schema(request={"multipart/form-data": InputSerializer})
    def post(self, request):
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        files = request.FILES.getlist("image") + request.FILES.getlist("image[]")
        if not files:
            raise ApiError("missing_image", "Send the image to edit in 'image' (or 'image[]').")
        return self._run(request, serializer.validated_data, files, request.FILES.get("mask"))


class ImagesGenerationsApi(_ImagesApi):
    task_type = TaskHistory.TaskType.TEXT_TO_IMAGE

    @extend_schema(request=ImagesInputSerializer)
    def post(self, request):
        serializer = ImagesInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return self._run(request, serializer.validated_data, [])
