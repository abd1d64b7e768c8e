"""AicePS's tasks, records and templates in the shapes the photo editor reads."""

from __future__ import annotations

import posixpath
from collections.abc import Callable
from typing import TYPE_CHECKING

from accounts.selectors import credits_balance
from catalogue import task_types
from generation.selectors_files import task_file_urls, task_generated_files

from .models import ClientTaskRecord
from .template_covers import before_url, template_cover_url
from .template_files import template_image_url

if TYPE_CHECKING:
    from generation.models import PromptTemplate, TaskHistory

Absolute = Callable[[str], str]


def editor_task_type(task: TaskHistory) -> str:
    """The editor's three kinds: 图片生成 (from text) and 图片编辑 (everything else)."""
    return "image_generation" if task.task_type == "text_to_image" else "image_edit"


def image_result(task: TaskHistory, *, absolute: Absolute) -> dict:
    """A finished task as the editor's image result (``imageUrl`` absolute)."""
    urls = task_file_urls(task=task)
    generated = task_generated_files(task=task)
    return {
        "success": True,
        "imageUrl": absolute(urls["generated_image_url"]),
        "filename": posixpath.basename(generated[0]) if generated else "",
        "task_id": str(task.pk),
        "task_type": task.task_type,
        "professional_prompt": task.professional_prompt,
        "credits_deducted": task.credits_deducted,
        "credits_remaining": credits_balance(user=task.user),
    }


def history_task(task: TaskHistory, *, absolute: Absolute) -> dict:
    """One row of the editor's 任务记录 page, from AicePS's own task record."""
    urls = task_file_urls(task=task)
    refunded = task.status in (task.Status.FAILED, task.Status.CANCELLED)
    return {
        "id": str(task.pk),
        "task_type": editor_task_type(task),
        "aiceps_task_type": task.task_type,
        "task_type_label": str(task_types.spec_for(task.task_type).label),
        "prompt": task.prompt,
        "professional_prompt": task.professional_prompt,
        "status": task.status,
        "original_image_url": absolute(urls["original_image_url"]) or None,
        "generated_image_url": absolute(urls["generated_image_url"]) or None,
        "tokens_used": task.tokens_used,
        # What the user paid in the end: a failed or cancelled task was refunded.
        "credits_deducted": 0 if refunded else task.credits_deducted,
        "credits_refunded": task.credits_deducted if refunded else 0,
        "generation_time_ms": task.generation_time_ms,
        # Only a task that ended badly has an error to show (as the v1 API's ``error``).
        "error_message": (task.error_message or None) if refunded else None,
        "aspect_ratio": task.aspect_ratio or None,
        "model_version": task.model_version or None,
        "created_at": _iso(task.created_at),
        "updated_at": _iso(task.updated_at),
        "completed_at": _iso(task.completed_at),
    }


def record_view(record: ClientTaskRecord, *, absolute: Absolute) -> dict:
    """A record the editor made, as it reads it back: AicePS's own task where it was found
    (its status, charge, files and timings), what the editor reported beside it."""
    reported = {
        "status": record.status,
        "tokens_used": record.reported_tokens_used,
        "credits_deducted": record.reported_credits_deducted,
        "generation_time_ms": record.reported_generation_time_ms,
        "error_message": record.reported_error_message or None,
    }
    if record.task is not None and record.task.deleted_at is None:
        body = history_task(record.task, absolute=absolute)
        body.update(id=str(record.pk), aiceps_task_id=str(record.task.pk), verified=True)
    else:
        body = {
            "id": str(record.pk),
            "aiceps_task_id": None,
            "verified": False,
            "task_type": record.task_type,
            "prompt": record.prompt,
            "status": record.status,
            "aspect_ratio": record.aspect_ratio or None,
            "model_version": record.model_version or None,
            "original_image_url": None,
            "generated_image_url": None,
            # AicePS ran no task for it, so it charged nothing, whatever was reported.
            "credits_deducted": 0,
            "tokens_used": 0,
            "generation_time_ms": None,
            "error_message": record.reported_error_message or None,
            "created_at": _iso(record.created_at),
            "completed_at": _iso(record.completed_at),
        }
    body["reported"] = reported
    return body


def template_view(template: PromptTemplate, *, absolute: Absolute) -> dict:
    examples = [
        url
        for url in (
            template_image_url(example.image.name, absolute)
            for example in template.example_images.all()
        )
        if url
    ]
    label = str(task_types.spec_for(template.task_type).label)
    return {
        "id": str(template.pk),
        "slug": template.slug,
        "title": template.name,
        "name": template.name,
        "icon": template.icon,
        "description": template.description,
        "prompt": template.prompt,
        "task_type": template.task_type,
        "aspect_ratio": template.aspect_ratio or None,
        "cover_image_url": template_image_url(template.cover_image.name, absolute)
        or template_cover_url(f"{template.slug}.png", absolute),
        "example_images": examples or [url for url in [before_url(template, absolute)] if url],
        "category": {"id": template.task_type, "name": label, "name_en": template.task_type},
        "tags": [],
        "status": "published",
        "is_featured": False,
        "is_premium": False,
        "download_count": template.use_count,
        "view_count": template.use_count,
        "like_count": 0,
        "created_at": _iso(template.created_at),
        "updated_at": _iso(template.updated_at),
        "published_at": _iso(template.created_at),
    }


def _iso(value) -> str | None:
    return value.isoformat() if value else None
