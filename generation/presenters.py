"""How a task looks from outside: one payload for the v1 API, the pages, the event streams and
the adapters built on them (the seed endpoint, ``/v1/images``, the photo editor's routes).

``absolute`` turns the relative URLs of locally served files into absolute ones; the API
passes its request's, the CLI leaves them as they are.
"""

from __future__ import annotations

from collections.abc import Callable

from django.utils import timezone

from .files import TaskFiles
from .models import TaskHistory
from .storage import file_url

Status = TaskHistory.Status
Absolute = Callable[[str], str]


def _same(url: str) -> str:
    return url


def _iso(value) -> str | None:
    return value.isoformat() if value else None


def elapsed_ms(task: TaskHistory) -> int:
    start = task.started_at or task.created_at
    end = task.completed_at or timezone.now()
    return max(0, round((end - start).total_seconds() * 1000)) if start else 0


def task_error(task: TaskHistory) -> dict | None:
    if task.status not in (Status.FAILED, Status.CANCELLED):
        return None
    return {"code": task.error_code or task.status, "message": task.error_message}


def task_progress(task: TaskHistory, *, absolute: Absolute = _same) -> dict | None:
    """Where stage 2 is: phase, step of steps, and a preview image URL when there is one."""
    progress = task.progress or {}
    if not progress or task.is_final:
        return None
    preview = progress.get("preview")
    return {
        "phase": progress.get("phase", ""),
        "step": progress.get("step"),
        "steps": progress.get("steps"),
        "preview_url": absolute(file_url(preview)) if preview else None,
    }


def task_payload(task: TaskHistory, *, absolute: Absolute = _same) -> dict:
    """The task as ``GET /api/v1/tasks/{id}`` answers it."""
    urls = TaskFiles(task).urls()
    return {
        "id": str(task.pk),
        "status": task.status,
        "stage": task.stage,
        "progress": task_progress(task, absolute=absolute),
        "task_type": task.task_type,
        "prompt": task.prompt,
        "professional_prompt": task.professional_prompt,
        "prompt_cached": task.prompt_cached,
        "aspect_ratio": task.aspect_ratio,
        "parameters": task.parameters or {},
        "prompt_writer": task.prompt_writer,
        "prompt_model": task.prompt_model,
        "image_provider": task.image_provider,
        "model_version": task.model_version,
        "original_image_url": absolute(urls["original_image_url"]) or None,
        "generated_image_url": absolute(urls["generated_image_url"]) or None,
        "generated_image_urls": [absolute(url) for url in urls["generated_image_urls"]],
        "source_image_urls": [absolute(url) for url in urls["source_image_urls"]],
        "credits_deducted": task.credits_deducted,
        "tokens_used": task.tokens_used,
        "attempts": task.attempts,
        "error": task_error(task),
        "timings": {
            "prompt_ms": task.prompt_time_ms,
            "image_ms": task.image_time_ms,
            "storage_ms": task.storage_time_ms,
            "total_ms": task.generation_time_ms,
        },
        "created_at": _iso(task.created_at),
        "started_at": _iso(task.started_at),
        "completed_at": _iso(task.completed_at),
        "files_expired_at": _iso(task.files_expired_at),
        "status_url": absolute(f"/api/v1/tasks/{task.pk}"),
    }


def task_page_payload(task: TaskHistory, *, absolute: Absolute = _same) -> dict:
    """:func:`task_payload` plus what the live task page shows."""
    return {
        **task_payload(task, absolute=absolute),
        "status_label": str(task.get_status_display()),
        "stage_label": str(task.get_stage_display()),
        "is_final": task.is_final,
        "elapsed_ms": elapsed_ms(task),
    }


SEED_MESSAGES = {
    Status.COMPLETED: "Image generated successfully",
    Status.CANCELLED: "The task was cancelled",
    Status.PENDING: "The task is queued",
    Status.PROCESSING: "The task is running",
}


def task_seed_payload(task: TaskHistory, *, absolute: Absolute = _same) -> dict[str, object]:
    """The seed endpoint's and CLI's JSON object (names fixed by the contract)."""
    urls = TaskFiles(task).urls()
    message = SEED_MESSAGES.get(task.status) or f"Image generation failed: {task.error_message}"
    payload: dict[str, object] = {
        "success": task.status == Status.COMPLETED,
        "message": message,
        "task_id": str(task.pk),
        "status": task.status,
        "original_image_url": absolute(urls["original_image_url"]) or None,
        "generated_image_url": absolute(urls["generated_image_url"]) or None,
        "professional_prompt": task.professional_prompt,
        "processing_time": round((task.generation_time_ms or 0) / 1000, 3),
        "user_prompt": task.prompt,
    }
    if task.status in (Status.FAILED, Status.CANCELLED):
        payload["error"] = task.error_message or task.status
        payload["error_code"] = task.error_code or task.status
    return payload


def ledger_task_descriptions(task_ids: list) -> dict:
    """The ledger's view of tasks (``accounts.ledger_tasks``, registered at start-up): each
    task's type, its page while it is not deleted, its staff page. One query."""
    from django.urls import reverse

    from accounts.ledger_tasks import LedgerTask

    rows = TaskHistory.objects.filter(pk__in=task_ids).only("id", "task_type", "deleted_at")
    return {
        task.pk: LedgerTask(
            label=str(task.get_task_type_display()),
            url=None if task.deleted_at else reverse("web:task", args=[task.pk]),
            admin_url=reverse("admin:generation_taskhistory_change", args=[task.pk]),
        )
        for task in rows
    }
