"""The editor's names for what it asks: its edit ``type`` values and its ``hotspot``."""

from __future__ import annotations

from catalogue.task_types import TaskType
from core.errors import ValidationError
from core.json_bodies import loads_bounded

# The editor's `type` values and AicePS's task types ("edit" with a point is a hotspot edit).
EDIT_TYPES = {
    "edit": TaskType.EDIT,
    "adjustment": TaskType.ADJUSTMENT,
    "filter": TaskType.FILTER,
    "texture": TaskType.TEXTURE,
    "remove-background": TaskType.REMOVE_BACKGROUND,
    "remove_background": TaskType.REMOVE_BACKGROUND,
    "style": TaskType.STYLE,
    "fusion": TaskType.FUSION,
    "decade": TaskType.DECADE,
    # The editing primitives (the editor has no button for them yet): `mask`, `scale`,
    # `aspectRatio` or `left`/`top`/`right`/`bottom` go along.
    "inpaint": TaskType.INPAINT,
    "expand": TaskType.EXPAND,
    "upscale": TaskType.UPSCALE,
}


def task_type_for(kind: str, *, hotspot: bool) -> str:
    task_type = EDIT_TYPES.get((kind or "edit").strip().lower())
    if task_type is None:
        raise ValidationError(
            f"Unsupported edit type {kind!r}; use one of: {', '.join(EDIT_TYPES)}.",
            code="unsupported_type",
            param="type",
        )
    if task_type == TaskType.EDIT and hotspot:
        return TaskType.HOTSPOT.value
    return task_type.value


def parse_hotspot(raw) -> dict:
    if raw in (None, ""):
        return {}
    try:
        point = loads_bounded(raw) if isinstance(raw, str) else raw
        return {"x": float(point["x"]), "y": float(point["y"])}
    except (ValueError, TypeError, KeyError) as exc:
        raise ValidationError(
            'hotspot must be JSON like {"x": 120, "y": 80} (pixels of the photo).',
            code="invalid_hotspot",
            param="hotspot",
        ) from exc
