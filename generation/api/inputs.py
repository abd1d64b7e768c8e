"""Turning uploaded files and form fields into a ``TaskInput``.

Only the translation lives here: what a task type takes is checked by ``task_create``
(``catalogue.task_rules.validate``) for every entry point alike. Uploads are checked from
their headers (``inspect_upload``): a web process never decodes an image's pixels.
"""

from __future__ import annotations

from django.conf import settings
from drf_spectacular.utils import OpenApiParameter
from rest_framework import serializers

from catalogue.imaging import UploadedImage, inspect_upload
from core.api.problems import ApiError
from core.fields import Boolean, WebUrl
from generation.services import TaskInput


def read_files(files, *, field: str) -> tuple[UploadedImage, ...]:
    images = []
    for upload in files:
        if upload.size > settings.AICEPS_MAX_UPLOAD_BYTES:
            mb = settings.AICEPS_MAX_UPLOAD_BYTES / (1024 * 1024)
            raise ApiError(
                "file_too_large", f"{field} is larger than the {mb:g} MB limit.", 413, param=field
            )
        images.append(inspect_upload(upload.read()))
    return tuple(images)


def build_task_input(
    *,
    prompt: str,
    task_type: str,
    image_files,
    mask_file=None,
    aspect_ratio: str = "",
    parameters: dict | None = None,
    prompt_writer: str | None = None,
    image_provider: str | None = None,
    webhook_url: str = "",
    webhook_progress: bool = False,
) -> TaskInput:
    return TaskInput(
        prompt=(prompt or "").strip(),
        task_type=task_type,
        images=read_files(image_files, field="image"),
        mask=read_files([mask_file], field="mask")[0] if mask_file else None,
        aspect_ratio=aspect_ratio or "",
        parameters={key: value for key, value in (parameters or {}).items() if value is not None},
        prompt_writer=prompt_writer or None,
        image_provider=image_provider or None,
        webhook_url=(webhook_url or "").strip(),
        webhook_progress=bool(webhook_progress),
    )


IDEMPOTENCY_HEADER = "Idempotency-Key"


def idempotency_key_of(request) -> str | None:
    """The ``Idempotency-Key`` header, the same on every entry point that creates a task
    (``/api/v1/tasks``, the seed endpoint, ``/v1/images/*``): a retry with the same key and
    the same request gets the task the first call created, charged once; with another
    request, 409 ``idempotency_key_reused``."""
    key = request.headers.get(IDEMPOTENCY_HEADER, "").strip() or None
    if key and len(key) > 255:
        raise ApiError(
            "invalid_idempotency_key",
            "Idempotency-Key is at most 255 characters.",
            param=IDEMPOTENCY_HEADER,
        )
    return key


IDEMPOTENCY_PARAMETER = OpenApiParameter(
    IDEMPOTENCY_HEADER,
    {"type": "string", "maxLength": 255},
    OpenApiParameter.HEADER,
    description=(
        "Any string of yours, unique per request: a retry with the same key and the same "
        "request answers the task the first call created, charged once (409 "
        "`idempotency_key_reused` for another request with it)."
    ),
)


WEBHOOK_HEADER = "X-AicePS-Webhook"
WEBHOOK_PROGRESS_HEADER = "X-AicePS-Webhook-Progress"
TRUE = ("1", "true", "yes", "on")


def webhook_of(request, *, url: str = "", progress: bool = False) -> tuple[str, bool]:
    """The task's own webhook: the ``webhook`` field where an endpoint has one, else the
    ``X-AicePS-Webhook`` header (every entry point, ``/v1`` included); progress events when
    ``webhook_progress`` or ``X-AicePS-Webhook-Progress`` is true. Checked by task_create."""
    url = (url or request.headers.get(WEBHOOK_HEADER, "")).strip()
    header = request.headers.get(WEBHOOK_PROGRESS_HEADER, "").strip().lower()
    return url, bool(url) and (bool(progress) or header in TRUE)


PRIMITIVE_FIELDS = ("scale", "left", "top", "right", "bottom")
_SIDE = "expand: pixels to add on the {} side of the main photo (0-2048)."


class PrimitiveFields(serializers.Serializer):
    """The fields of the editing primitives, for a view's input serializer to inherit
    (what each task type takes is checked by ``task_create``)."""

    scale = serializers.IntegerField(required=False, help_text="upscale: 2 or 4 (default 2).")
    left = serializers.IntegerField(required=False, help_text=_SIDE.format("left"))
    top = serializers.IntegerField(required=False, help_text=_SIDE.format("top"))
    right = serializers.IntegerField(required=False, help_text=_SIDE.format("right"))
    bottom = serializers.IntegerField(required=False, help_text=_SIDE.format("bottom"))


def primitive_parameters(data: dict) -> dict:
    """``scale`` and the pixels per side, as sent (None: not sent)."""
    return {name: data.get(name) for name in PRIMITIVE_FIELDS}


class WebhookFields(serializers.Serializer):
    """The per-task webhook as form or JSON fields, on every entry point that creates tasks
    (the ``X-AicePS-Webhook`` header does the same); read with :func:`webhook_from`."""

    webhook = WebUrl(
        required=False,
        allow_blank=True,
        help_text="A URL that receives this task's events, signed (or X-AicePS-Webhook).",
    )
    webhook_progress = Boolean(
        required=False, default=False, help_text="Progress events too, at most every 0.5 s."
    )


def webhook_from(request, data: dict) -> tuple[str, bool]:
    """:func:`webhook_of` for a view whose serializer has :class:`WebhookFields`."""
    return webhook_of(
        request, url=data.get("webhook", ""), progress=data.get("webhook_progress", False)
    )
