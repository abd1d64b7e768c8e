"""A tool call's arguments, checked against the tool's schema, turned into a ``TaskInput``.

Only the translation lives here; what a task type takes is checked by ``task_create``, as
for every entry point. Photos come as URLs (fetched under the SSRF policy, :mod:`.fetching`),
data URLs, or earlier tasks of the same user (another user's task is "not found").
Every photo is checked from its header (``inspect_upload``: bytes and pixel limits).
"""

from __future__ import annotations

import base64
import binascii
import re

from django.conf import settings
from jsonschema import Draft202012Validator

from catalogue.imaging import ImageError, UploadedImage, inspect_upload
from core.errors import NotFoundError, ValidationError
from generation.selectors import task_get
from generation.selectors_files import stored_file_bytes, task_generated_files
from generation.services import TaskInput

from .catalogue import PADDING_SIDES, PRIMITIVES
from .fetching import fetch_url

_DATA_URL = re.compile(
    r"^data:(?P<mime>[\w.+-]+/[\w.+-]+)?(?P<params>(;[^;,]*)*?),(?P<data>.*)$", re.S
)
_TASK_REF = re.compile(r"^(?:task:)?(?P<id>[0-9a-fA-F-]{32,36})(?:#(?P<n>\d+))?$")


def check_arguments(arguments: dict, schema: dict) -> None:
    """A ValidationError naming the first argument that breaks ``schema``."""
    errors = sorted(
        Draft202012Validator(schema).iter_errors(arguments), key=lambda e: list(e.absolute_path)
    )
    if not errors:
        return
    error = errors[0]
    path = [str(part) for part in error.absolute_path]
    if error.validator == "required" and isinstance(error.instance, dict):
        missing = next(name for name in error.validator_value if name not in error.instance)
        param = ".".join([*path, missing])
        message = f"{param} is required."
    elif error.validator == "additionalProperties" and isinstance(error.instance, dict):
        known = error.schema.get("properties", {})
        extra = next(name for name in error.instance if name not in known)
        param = ".".join([*path, extra])
        message = f"Unknown argument {param!r}; expected: {', '.join(known) or 'none'}."
    else:
        param = ".".join(path) or "arguments"
        message = f"{param}: {error.message}"
    raise ValidationError(message, code="invalid_argument", param=param)


def read_image(ref: str, *, user, param: str) -> UploadedImage:
    ref = ref.strip()
    try:
        if ref.startswith("data:"):
            return inspect_upload(_data_url(ref, param=param))
        if ref.lower().startswith(("http://", "https://")):
            return inspect_upload(fetch_url(ref, param=param))
        match = _TASK_REF.match(ref)
        if match:
            return inspect_upload(_task_result(user, match["id"], int(match["n"] or 1), param))
    except ImageError as error:
        raise ImageError(error.code, error.message, status=error.status, param=param) from None
    raise ValidationError(
        f"{param} must be an http(s) URL, a data: URL or the id of one of your tasks.",
        code="invalid_image_reference",
        param=param,
    )


def _data_url(ref: str, *, param: str) -> bytes:
    match = _DATA_URL.match(ref)
    if not match or ";base64" not in (match["params"] or ""):
        raise ValidationError(
            f"{param}: a data URL must be base64 (data:image/png;base64,…).",
            code="invalid_image_reference",
            param=param,
        )
    encoded = match["data"]
    limit = settings.AICEPS_MAX_UPLOAD_BYTES
    if len(encoded) * 3 // 4 > limit + 3:
        raise ValidationError(
            f"{param} is larger than the {limit / (1024 * 1024):g} MB limit.",
            code="file_too_large",
            status=413,
            param=param,
        )
    try:
        return base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError):
        raise ValidationError(
            f"{param}: the data URL is not valid base64.",
            code="invalid_image_reference",
            param=param,
        ) from None


def _task_result(user, task_id: str, position: int, param: str) -> bytes:
    task = task_get(user=user, task_id=task_id)
    if task is None:
        raise NotFoundError(f"{param}: no such task {task_id}.", code="task_not_found", param=param)
    generated = task_generated_files(task=task)
    if not generated or task.files_expired_at:
        raise ValidationError(
            f"{param}: task {task_id} has no result to use.", code="no_result", param=param
        )
    if not 1 <= position <= len(generated):
        raise ValidationError(
            f"{param}: task {task_id} has {len(generated)} result(s).",
            code="no_result",
            param=param,
        )
    return stored_file_bytes(name=generated[position - 1])


def task_input(tool: str, arguments: dict, *, user) -> TaskInput:
    """The ``TaskInput`` a task tool's (schema-checked) arguments ask for."""
    if tool == "generate_image":
        task_type = arguments.get("task_type") or "text_to_image"
        images: list[UploadedImage] = []
    elif tool == "edit_image":
        task_type = arguments.get("task_type") or "edit"
        images = [
            read_image(ref, user=user, param=f"images.{position}")
            for position, ref in enumerate(arguments.get("images", []))
        ]
    else:
        task_type = PRIMITIVES[tool]
        images = [read_image(arguments["image"], user=user, param="image")]
        images += [
            read_image(ref, user=user, param=f"extra_images.{position}")
            for position, ref in enumerate(arguments.get("extra_images", []))
        ]
    mask = arguments.get("mask")
    parameters: dict = {}
    point = arguments.get("point")
    if point:
        parameters.update(x=point["x"], y=point["y"])
    # ``scale`` and the padding sides go into the task's parameters as /api/v1/tasks sends
    # them; what they may be is checked by task_create (catalogue.task_rules).
    if "scale" in arguments:
        parameters["scale"] = arguments["scale"]
    for side in PADDING_SIDES:
        if side in arguments:
            parameters[side] = arguments[side]
    provider = arguments.get("provider") or None
    return TaskInput(
        prompt=(arguments.get("instruction") or "").strip(),
        task_type=task_type,
        images=tuple(images),
        mask=read_image(mask, user=user, param="mask") if mask else None,
        aspect_ratio=arguments.get("aspect_ratio") or "",
        parameters=parameters,
        image_provider=None if provider == "auto" else provider,
    )
