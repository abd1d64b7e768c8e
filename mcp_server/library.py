"""Resources (a user's recent results, full size) and prompts (the template library).

A result is ``aiceps://tasks/{task_id}/results/{n}``; reading one checks that the task is the
caller's (another user's is not found, like everywhere). Each active ``PromptTemplate`` is a
prompt: its text, in English or Chinese (``language``), and how to use it with the tools.
"""

from __future__ import annotations

import base64
import re

import mcp_types as types

from core.errors import NotFoundError
from generation.selectors import TaskStatus, task_get, task_list
from generation.selectors_files import stored_file_bytes, task_generated_files
from generation.selectors_templates import template_get_by_slug, template_list

from .answers import RESULT_URI, mime_of
from .principal import Principal

RECENT = 20
_RESULT = re.compile(r"^aiceps://tasks/(?P<task>[0-9a-fA-F-]{32,36})/results/(?P<n>\d+)$")


def recent_results(principal: Principal) -> types.ListResourcesResult:
    tasks = task_list(user=principal.user, status=TaskStatus.COMPLETED)[:RECENT]
    resources = []
    for task in tasks:
        if task.files_expired_at:
            continue
        for position, name in enumerate(task_generated_files(task=task), start=1):
            resources.append(
                types.Resource(
                    uri=RESULT_URI.format(task_id=task.pk, position=position),
                    name=f"task-{task.pk}-result-{position}",
                    title=f"{task.task_type}: {task.prompt[:60]}".strip(),
                    description=task.professional_prompt[:300] or None,
                    mime_type=mime_of(name),
                )
            )
    return types.ListResourcesResult(resources=resources)


def result_templates() -> types.ListResourceTemplatesResult:
    return types.ListResourceTemplatesResult(
        resource_templates=[
            types.ResourceTemplate(
                uri_template="aiceps://tasks/{task_id}/results/{n}",
                name="task-result",
                title="A result of one of your tasks, full size",
            )
        ]
    )


def read_result(principal: Principal, uri: str) -> types.ReadResourceResult:
    match = _RESULT.match(uri)
    task = task_get(user=principal.user, task_id=match["task"]) if match else None
    expired = task is None or task.files_expired_at
    names = task_generated_files(task=task) if not expired else []
    position = int(match["n"]) if match else 0
    if not 1 <= position <= len(names):
        raise NotFoundError(f"No such resource: {uri}")
    name = names[position - 1]
    return types.ReadResourceResult(
        contents=[
            types.BlobResourceContents(
                uri=uri,
                mime_type=mime_of(name),
                blob=base64.b64encode(stored_file_bytes(name=name)).decode(),
            )
        ]
    )


def prompt_list() -> types.ListPromptsResult:
    return types.ListPromptsResult(
        prompts=[
            types.Prompt(
                name=template.slug,
                title=template.name_en,
                description=(template.description_en or template.name_en)
                + f" (task type {template.task_type})",
                arguments=[
                    types.PromptArgument(
                        name="language", description="en (default) or zh", required=False
                    )
                ],
            )
            for template in template_list()
        ]
    )


def prompt_get(name: str, arguments: dict) -> types.GetPromptResult:
    template = template_get_by_slug(slug=name)
    if template is None:
        raise NotFoundError(f"No prompt named {name!r}.")
    chinese = (arguments.get("language") or "").lower().startswith("zh")
    text = (template.prompt_zh if chinese and template.prompt_zh else template.prompt_en).strip()
    tool = "generate_image" if template.task_type == "text_to_image" else "edit_image"
    ratio = f', "aspect_ratio": "{template.aspect_ratio}"' if template.aspect_ratio else ""
    guide = (
        f"Use the {tool} tool with "
        f'{{"task_type": "{template.task_type}", "instruction": {text!r}{ratio}}}'
        + ("" if tool == "generate_image" else " and the photo to edit in images")
        + "."
    )
    return types.GetPromptResult(
        description=template.description_en or template.name_en,
        messages=[
            types.PromptMessage(role="user", content=types.TextContent(text=guide)),
        ],
    )
