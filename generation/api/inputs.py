"""Turning uploaded files and form fields into a validated ``TaskInput``."""

from __future__ import annotations

from django.conf import settings

from generation.imaging import UploadedImage, read_upload
from generation.services import TaskInput

from .errors import ApiError

MAX_IMAGES = 4


def read_files(files, *, field: str) -> tuple[UploadedImage, ...]:
    images = []
    for upload in files:
        if upload.size > settings.AICEPS_MAX_UPLOAD_BYTES:
            mb = settings.AICEPS_MAX_UPLOAD_BYTES / (1024 * 1024)
            raise ApiError("file_too_large", f"{field} is larger than the {mb:g} MB limit.", 413)
        images.append(read_upload(upload.read()))
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
) -> TaskInput:
    if len(image_files) > MAX_IMAGES:
        raise ApiError("too_many_images", f"Send at most {MAX_IMAGES} images.")
    if task_type != "text_to_image" and not image_files:
        raise ApiError("missing_image", "Send an image to edit (field 'image').")
    images = read_files(image_files, field="image")
    mask = read_files([mask_file], field="mask")[0] if mask_file else None
    return TaskInput(
        prompt=prompt.strip(),
        task_type=task_type,
        images=images,
        mask=mask,
        aspect_ratio=aspect_ratio or "",
        parameters={key: value for key, value in (parameters or {}).items() if value is not None},
        prompt_writer=prompt_writer or None,
        image_provider=image_provider or None,
    )
