"""What a tool answers: a summary an agent can read, the image it can see, links to the rest.

A finished task answers its result as image content, downscaled to at most
``PREVIEW_MAX_SIDE`` pixels on the long side (what a model's context takes), plus a resource
link per stored full-size file (``aiceps://tasks/{id}/results/{n}``, readable through
``resources/read`` by its owner only) and, over HTTP, the file's download URL; the
professional prompt; the credits the ledger charged for it (after any refund) and what is
left (the balance, and an API key's budget).
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from typing import TYPE_CHECKING

import mcp_types as types
from django.db.models import Sum

from accounts.key_services import api_key_summary
from accounts.models import ApiKey
from accounts.selectors import credits_balance, credits_ledger
from catalogue.imaging import decode_image, encode_image
from catalogue.imaging.resizing import resize, target_size
from generation.api.serializers import task_payload
from generation.selectors_files import stored_file_bytes, stored_file_url, task_generated_files

if TYPE_CHECKING:
    from generation.models import TaskHistory

PREVIEW_MAX_SIDE = 1024
RESULT_URI = "aiceps://tasks/{task_id}/results/{position}"
MIME = {"png": "image/png", "jpg": "image/jpeg", "jpeg": "image/jpeg", "webp": "image/webp"}

Absolute = Callable[[str], str]


def mime_of(name: str) -> str:
    return MIME.get(name.rsplit(".", 1)[-1].lower(), "application/octet-stream")


def credits_charged(task: TaskHistory) -> int:
    """What the ledger holds against the task: its charge less any refund."""
    total = credits_ledger(user=task.user).filter(task_id=task.pk).aggregate(total=Sum("amount"))
    return -(total["total"] or 0)


def credits_state(user, api_key: ApiKey | None) -> dict:
    state: dict = {"balance": credits_balance(user=user)}
    if api_key is not None:
        summary = api_key_summary(api_key)
        state["api_key"] = {
            key: summary[key]
            for key in ("name", "prefix", "credit_budget", "credits_spent", "credits_left")
        }
    return state


def preview(data: bytes, *, max_side: int = PREVIEW_MAX_SIDE) -> tuple[str, str]:
    """(base64, mime type) of the image at most ``max_side`` on its long side: JPEG, or WebP
    where it is transparent (a cut-out), a few hundred KB at most, so that an answer stays
    well inside what MCP clients take in one message (the SDK's default: 1 MB)."""
    image = decode_image(data)
    image = resize(image, target_size(image.size, max_side))
    if image.mode in ("RGBA", "LA", "P") and "A" in image.convert("RGBA").getbands():
        encoded = encode_image(image.convert("RGBA"), format="WEBP", quality=85)
        return base64.b64encode(encoded).decode(), "image/webp"
    encoded = encode_image(image.convert("RGB"), format="JPEG", quality=88)
    return base64.b64encode(encoded).decode(), "image/jpeg"


def task_summary(task: TaskHistory, *, absolute: Absolute | None, api_key=None) -> dict:
    payload = task_payload(task, absolute=absolute or (lambda url: url))
    summary = {
        key: payload[key]
        for key in (
            "id",
            "status",
            "stage",
            "progress",
            "task_type",
            "prompt",
            "professional_prompt",
            "image_provider",
            "error",
            "created_at",
            "completed_at",
        )
    }
    names = task_generated_files(task=task)
    summary["results"] = [
        {
            "uri": RESULT_URI.format(task_id=task.pk, position=position),
            "mime_type": mime_of(name),
            **({"url": absolute(stored_file_url(name=name))} if absolute else {}),
        }
        for position, name in enumerate(names, start=1)
    ]
    summary["credits_charged"] = credits_charged(task)
    summary["credits"] = credits_state(task.user, api_key)
    return summary


def task_answer(task: TaskHistory, *, absolute: Absolute | None, api_key=None, images=True):
    """The tool result for ``task``: text and structured summary, image content, links."""
    summary = task_summary(task, absolute=absolute, api_key=api_key)
    content: list = [types.TextContent(text=json.dumps(summary, ensure_ascii=False))]
    names = task_generated_files(task=task) if task.status == task.Status.COMPLETED else []
    side = PREVIEW_MAX_SIDE if len(names) <= 1 else PREVIEW_MAX_SIDE * 3 // 4
    for position, name in enumerate(names, start=1):
        if images:
            data, mime = preview(stored_file_bytes(name=name), max_side=side)
            content.append(types.ImageContent(data=data, mime_type=mime))
        content.append(
            types.ResourceLink(
                uri=RESULT_URI.format(task_id=task.pk, position=position),
                name=f"task-{task.pk}-result-{position}",
                title=f"Result {position} of task {task.pk} (full size)",
                mime_type=mime_of(name),
            )
        )
    failed = task.status in (task.Status.FAILED, task.Status.CANCELLED)
    return types.CallToolResult(content=content, structured_content=summary, is_error=failed)


def error_answer(
    code: str, message: str, *, param: str | None = None, **extra
) -> types.CallToolResult:
    body = {
        "error": {"code": code, "message": message, **({"param": param} if param else {}), **extra}
    }
    text = f"{code}: {message}" + (f" (argument: {param})" if param else "")
    return types.CallToolResult(
        content=[types.TextContent(text=text)], structured_content=body, is_error=True
    )


def json_answer(body: dict) -> types.CallToolResult:
    return types.CallToolResult(
        content=[types.TextContent(text=json.dumps(body, ensure_ascii=False, default=str))],
        structured_content=body,
    )
