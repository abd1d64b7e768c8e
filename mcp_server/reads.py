"""The tools that read or cancel: ``get_task``, ``list_tasks``, ``cancel_task``,
``get_credits``, ``list_capabilities``. Synchronous (they run on a pooled thread), through
the selectors and services only; another user's task is "not found", as in the API."""

from __future__ import annotations

from catalogue.providers.base import ProviderError
from catalogue.providers.registry import (
    IMAGE_PROVIDERS,
    PROMPT_WRITERS,
    capabilities_of,
    provider_class,
    resolve_chain,
)
from catalogue.task_types import ASPECT_RATIOS, SPECS, provider_can
from core.errors import NotFoundError
from generation.selectors import task_get, task_list
from generation.selectors_files import task_generated_files
from generation.services import task_cancel, task_price

from .answers import RESULT_URI, credits_state, json_answer, task_answer
from .principal import Principal


def _own_task(principal: Principal, task_id: str):
    task = task_get(user=principal.user, task_id=task_id)
    if task is None:
        raise NotFoundError("No such task.", code="task_not_found", param="task_id")
    return task


def get_task(principal: Principal, arguments: dict, *, absolute):
    task = _own_task(principal, arguments["task_id"])
    return task_answer(task, absolute=absolute, api_key=principal.api_key)


def cancel_task(principal: Principal, arguments: dict, *, absolute):
    task = task_cancel(task=_own_task(principal, arguments["task_id"]))
    return task_answer(task, absolute=absolute, api_key=principal.api_key, images=False)


def list_tasks(principal: Principal, arguments: dict, *, absolute):
    tasks = task_list(
        user=principal.user,
        status=arguments.get("status"),
        task_type=arguments.get("task_type"),
    )[: arguments.get("limit", 10)]
    return json_answer(
        {
            "tasks": [
                {
                    "id": str(task.pk),
                    "status": task.status,
                    "task_type": task.task_type,
                    "prompt": task.prompt,
                    "credits_deducted": task.credits_deducted,
                    "created_at": task.created_at.isoformat(),
                    "results": [
                        RESULT_URI.format(task_id=task.pk, position=n)
                        for n in range(1, len(task_generated_files(task=task)) + 1)
                    ],
                }
                for task in tasks
            ]
        }
    )


def get_credits(principal: Principal, arguments: dict, *, absolute):
    return json_answer(credits_state(principal.user, principal.api_key))


def _provider_about(name: str) -> dict:
    try:
        cls = provider_class(name)
    except ProviderError as error:
        return {"name": name, "configured": False, "why": error.message}
    about = {"name": name, "title": cls.title or name, "configured": cls.is_configured()}
    if not about["configured"]:
        about["setup"] = cls.setup
        return about
    caps = capabilities_of(name)
    about.update(
        edit=caps.edit,
        text_to_image=caps.text_to_image,
        mask=caps.mask,
        max_input_images=caps.max_input_images,
        max_count=caps.max_count,
        max_side=caps.max_side,
        task_types=sorted(caps.task_types) if caps.task_types is not None else "all it can",
    )
    return about


def list_capabilities(principal: Principal, arguments: dict, *, absolute):
    providers = [_provider_about(name) for name in IMAGE_PROVIDERS]
    configured = [about["name"] for about in providers if about["configured"]]
    default_chain = list(resolve_chain(None, kind="image_provider"))
    task_types = []
    for spec in SPECS.values():
        value = str(spec.value)
        able = [name for name in configured if provider_can(capabilities_of(name), value)]
        task_types.append(
            {
                "task_type": value,
                "title": spec.label.en,
                "help": spec.help.en,
                "photos": [spec.min_images, spec.max_images],
                "instruction_required": spec.prompt_required,
                "mask": "required" if spec.mask_required else spec.mask,
                "point": spec.hotspot,
                "scales": list(spec.scales),
                "padding": spec.padding,
                # What a call without ``provider`` gets: the configured chain can run it.
                "available_now": any(name in able for name in default_chain),
                "providers": able,
                "price": {name: task_price(task_type=value, image_provider=name) for name in able},
            }
        )
    return json_answer(
        {
            "task_types": task_types,
            "image_providers": providers,
            "default_image_providers": default_chain,
            "prompt_writers": list(PROMPT_WRITERS),
            "default_prompt_writers": list(resolve_chain(None, kind="prompt_writer")),
            "aspect_ratios": list(ASPECT_RATIOS),
            "credits": credits_state(principal.user, principal.api_key),
        }
    )


READS = {
    "get_task": get_task,
    "list_tasks": list_tasks,
    "cancel_task": cancel_task,
    "get_credits": get_credits,
    "list_capabilities": list_capabilities,
}
