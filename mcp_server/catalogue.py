"""The tools' JSON schemas, generated from the task-type definitions on every ``tools/list``.

Nothing here names a task type's rules: which types exist (``task_type``'s enum), what each
takes (photos, a mask, a point, scales, an expansion) and the words describing them come from
``catalogue.task_types.SPECS``; the providers from the registry. A task type added to the
catalogue is offered by ``edit_image`` or ``generate_image`` (by what it ``needs``) at once;
the primitives (``upscale``, ``expand``, ``inpaint``, ``remove_background``) are listed when
their task type exists. What a request may really do is still decided by ``task_create``.
"""

from __future__ import annotations

from catalogue.providers.registry import IMAGE_PROVIDERS
from catalogue.task_types import ASPECT_RATIOS, MAX_IMAGES, SPECS, TaskTypeSpec

MAX_PROMPT = 4000
MAX_KEY = 200
# Tool name -> the task type it is a shortcut for.
PRIMITIVES = {
    "upscale": "upscale",
    "expand": "expand",
    "inpaint": "inpaint",
    "remove_background": "remove_background",
}
PADDING_SIDES = ("left", "top", "right", "bottom")
IMAGE_REF = (
    "A photo: an http(s) URL, a data: URL (base64), or the id of one of your earlier tasks "
    "(its first result; `<task id>#2` for its second)."
)


def specs(*, needs: str | None = None) -> list[TaskTypeSpec]:
    return [spec for spec in SPECS.values() if needs is None or spec.needs == needs]


def spec_of(value: str) -> TaskTypeSpec | None:
    return next((spec for spec in SPECS.values() if str(spec.value) == value), None)


def _describe(spec: TaskTypeSpec) -> str:
    photos = (
        "no photo"
        if spec.max_images == 0
        else f"{spec.min_images}-{spec.max_images} photos"
        if spec.max_images != spec.min_images
        else f"{spec.min_images} photo"
    )
    parts = [photos, "instruction required" if spec.prompt_required else "instruction optional"]
    if spec.mask_required:
        parts.append("mask required")
    elif spec.mask:
        parts.append("mask optional")
    if spec.hotspot != "none":
        parts.append(f"point {spec.hotspot}")
    if spec.scales:
        parts.append("scale " + " or ".join(str(s) for s in spec.scales))
    if spec.padding:
        parts.append("aspect_ratio or left/top/right/bottom pixels")
    return f"- `{spec.value}`: {spec.help.en} ({'; '.join(parts)})"


def _provider() -> dict:
    return {
        "type": "string",
        "enum": ["auto", *IMAGE_PROVIDERS],
        "default": "auto",
        "description": "The image provider (see list_capabilities for those set up now).",
    }


def _common() -> dict:
    return {
        "provider": _provider(),
        "idempotency_key": {
            "type": "string",
            "maxLength": MAX_KEY,
            "description": "Retrying with the same key returns the same task, charged once "
            "(default: derived from this MCP session, request id and arguments).",
        },
    }


def _image() -> dict:
    return {"type": "string", "minLength": 1, "description": IMAGE_REF}


def _point() -> dict:
    return {
        "type": "object",
        "properties": {
            "x": {"type": "number", "minimum": 0},
            "y": {"type": "number", "minimum": 0},
        },
        "required": ["x", "y"],
        "additionalProperties": False,
        "description": "Where to edit: pixels of the photo, or fractions of its width and "
        "height (0-1).",
    }


def _shape_options(chosen: list[TaskTypeSpec]) -> dict:
    """``scale`` and the padding sides, offered when a chosen task type takes them."""
    props: dict = {}
    scales = sorted({scale for spec in chosen for scale in spec.scales})
    if scales:
        props["scale"] = {
            "type": "integer",
            "enum": scales,
            "description": "How many times larger.",
        }
    if any(spec.padding for spec in chosen):
        for side in PADDING_SIDES:
            props[side] = {"type": "integer", "minimum": 0, "description": f"Pixels added {side}."}
    return props


def _schema(properties: dict, required: list[str]) -> dict:
    return {
        "type": "object",
        "properties": properties,
        "required": required,
        "additionalProperties": False,
    }


def edit_image_tool() -> tuple[str, dict]:
    chosen = specs(needs="edit")
    values = [str(spec.value) for spec in chosen]
    properties = {
        "images": {
            "type": "array",
            "items": _image(),
            "minItems": 1,
            "maxItems": MAX_IMAGES,
            "description": "The photos, the one to edit first. " + IMAGE_REF,
        },
        "instruction": {
            "type": "string",
            "maxLength": MAX_PROMPT,
            "description": "What to change, in any language.",
        },
        "task_type": {"type": "string", "enum": values, "default": "edit"},
        "mask": {**_image(), "description": "Where to edit: white = change. " + IMAGE_REF},
        "point": _point(),
        "aspect_ratio": {"type": "string", "enum": list(ASPECT_RATIOS)},
        **_shape_options(chosen),
        **_common(),
    }
    description = (
        "Edit photos with an instruction: a vision model writes the professional prompt, an "
        "image model makes the result. Answers the image (downscaled) with links to the "
        "full-size files, the prompt, and credits charged and remaining. Task types:\n"
        + "\n".join(_describe(spec) for spec in chosen)
    )
    return description, _schema(properties, ["images"])


def generate_image_tool() -> tuple[str, dict]:
    chosen = specs(needs="text_to_image")
    properties = {
        "instruction": {"type": "string", "minLength": 1, "maxLength": MAX_PROMPT},
        "task_type": {
            "type": "string",
            "enum": [str(spec.value) for spec in chosen],
            "default": str(chosen[0].value) if chosen else "text_to_image",
        },
        "aspect_ratio": {"type": "string", "enum": list(ASPECT_RATIOS)},
        **_common(),
    }
    description = "Make an image from words alone. Task types:\n" + "\n".join(
        _describe(spec) for spec in chosen
    )
    return description, _schema(properties, ["instruction"])


def primitive_tool(spec: TaskTypeSpec) -> tuple[str, dict]:
    properties: dict = {"image": _image()}
    required = ["image"]
    if spec.max_images > 1:
        properties["extra_images"] = {
            "type": "array",
            "items": _image(),
            "maxItems": spec.max_images - 1,
            "description": "Further photos (see the description).",
        }
    if spec.mask:
        properties["mask"] = {**_image(), "description": "White = the part to change."}
        if spec.mask_required:
            required.append("mask")
    properties["instruction"] = {"type": "string", "maxLength": MAX_PROMPT}
    if spec.prompt_required:
        required.append("instruction")
    if spec.padding:
        properties["aspect_ratio"] = {"type": "string", "enum": list(ASPECT_RATIOS)}
    properties.update(_shape_options([spec]))
    properties.update(_common())
    return _describe(spec)[2:], _schema(properties, required)


def task_tools() -> list[tuple[str, str, dict]]:
    """(name, description, input schema) of every tool that creates a task."""
    tools = [("edit_image", *edit_image_tool()), ("generate_image", *generate_image_tool())]
    for name, value in PRIMITIVES.items():
        spec = spec_of(value)
        if spec is not None:
            tools.append((name, *primitive_tool(spec)))
    return tools


def _task_id() -> dict:
    return {"type": "string", "minLength": 1, "description": "The task's id."}


def other_tools() -> list[tuple[str, str, dict]]:
    from generation.selectors import TaskStatus

    return [
        (
            "get_task",
            "A task of yours: status, progress, prompt, result.",
            _schema({"task_id": _task_id()}, ["task_id"]),
        ),
        (
            "list_tasks",
            "Your recent tasks, newest first.",
            _schema(
                {
                    "status": {"type": "string", "enum": list(TaskStatus.values)},
                    "task_type": {"type": "string", "enum": [str(s.value) for s in specs()]},
                    "limit": {"type": "integer", "minimum": 1, "maximum": 50, "default": 10},
                },
                [],
            ),
        ),
        (
            "cancel_task",
            "Cancel a task that has not started yet (refunded).",
            _schema({"task_id": _task_id()}, ["task_id"]),
        ),
        ("get_credits", "Your credit balance and, with an API key, its budget.", _schema({}, [])),
        (
            "list_capabilities",
            "Task types, image providers (set up here or not), prices and what each can do now.",
            _schema({}, []),
        ),
    ]
