"""Helpers of the web pages' tests: photos, form submissions, tasks made in the database."""

from __future__ import annotations

import re

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from generation.models import TaskHistory
from generation.storage import store_bytes
from tests.conftest import make_photo

KEPT = re.compile(r'name="kept" value="([^"]+)"')


def photo(name="photo.jpg", **kwargs) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, make_photo(**kwargs), content_type="image/jpeg")


def submit(client, **fields):
    data = {"task_type": "filter", "prompt": "黑白", **fields}
    return client.post(reverse("web:new"), data)


def make_task(user, **fields) -> TaskHistory:
    task = TaskHistory(user=user, prompt=fields.pop("prompt", "make it pop"), **fields)
    name = store_bytes(f"task-history/{user.pk}/{task.pk}/original.jpg", make_photo()).name
    task.original_image.name = name
    task.save()
    return task


def complete(task: TaskHistory) -> TaskHistory:
    name = f"task-history/{task.user_id}/{task.pk}/generated-1.png"
    store_bytes(name, make_photo(fmt="PNG"))
    TaskHistory.objects.filter(pk=task.pk).update(
        status="completed",
        stage="done",
        generated_image=name,
        extra_files={"generated": [name]},
        professional_prompt="A crisp monochrome photo",
        prompt_time_ms=120,
        image_time_ms=340,
        storage_time_ms=15,
        generation_time_ms=480,
    )
    task.refresh_from_db()
    return task
