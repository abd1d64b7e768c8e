"""OpenAI's answers built from a finished task: ``ImagesResponse``, the stream's events, and
the headers that tie an answer to the ledger.

The size, background and format reported are those of the stored images (recorded by the
worker when it made them), not merely those asked for. ``X-AicePS-Credits-Charged`` is what
the task cost after any refund of images not delivered, as the ledger has it.
"""

from __future__ import annotations

import base64
import time

from accounts.selectors import credits_balance
from core.api.problems import ApiError
from generation.files import TaskFiles
from generation.models import TaskHistory
from generation.storage import file_url, read_bytes

from .params import ImagesCall


def usage(task: TaskHistory) -> dict:
    total = task.tokens_used or 0
    prompt = min(task.prompt_tokens or 0, total)
    return {
        "input_tokens": prompt,
        "input_tokens_details": {"text_tokens": prompt, "image_tokens": 0},
        "output_tokens": total - prompt,
        "output_tokens_details": {"text_tokens": 0, "image_tokens": total - prompt},
        "total_tokens": total,
    }


def outputs(task: TaskHistory) -> list[dict]:
    """What the worker recorded of each stored image: size, background, format."""
    return list((task.extra_files or {}).get("outputs") or [])


def described(call: ImagesCall, task: TaskHistory) -> dict:
    made = outputs(task)
    first = made[0] if made else {}
    return {
        "background": first.get("background")
        or ("transparent" if call.background == "transparent" else "opaque"),
        "output_format": first.get("format") or call.output_format,
        "quality": call.quality if call.quality != "auto" else "auto",
        "size": first.get("size") or call.size,
    }


def failure(task: TaskHistory | None) -> ApiError:
    """The error for a task that did not complete (``None``: it vanished)."""
    if task is None:
        return ApiError("not_found", "The task disappeared.", 404)
    if not task.is_final:
        return ApiError(
            "timeout",
            f"The image is still being generated; poll /api/v1/tasks/{task.pk}.",
            504,
            task_id=str(task.pk),
        )
    status = task.error_status or 502
    return ApiError(
        task.error_code or task.status,
        task.error_message or "The image could not be generated.",
        400 if status < 500 else status,
        task_id=str(task.pk),
    )


def image_items(call: ImagesCall, task: TaskHistory, absolute) -> list[dict]:
    names = TaskFiles(task).generated
    if call.response_format == "url":
        items = [{"url": absolute(file_url(name))} for name in names]
    else:
        items = [{"b64_json": b64(read_bytes(name))} for name in names]
    for item in items:
        item["revised_prompt"] = task.professional_prompt
    return items


def images_response(call: ImagesCall, task: TaskHistory, absolute) -> dict:
    body = {
        "created": int(task.completed_at.timestamp()) if task.completed_at else int(time.time()),
        "data": image_items(call, task, absolute),
        **described(call, task),
        "usage": usage(task),
    }
    if call.safety_identifier:
        body["safety_identifier"] = call.safety_identifier
    return body


def ledger_headers(task: TaskHistory) -> dict[str, str]:
    return {
        "X-AicePS-Task-Id": str(task.pk),
        "X-AicePS-Credits-Charged": str(task.credits_deducted or 0),
        "X-AicePS-Credits-Remaining": str(credits_balance(user=task.user)),
    }


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")
