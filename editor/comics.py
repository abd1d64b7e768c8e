"""The picture book (慢光绘本): one comic panel per scene.

The story's scenes come from the ``scenes`` text task (``catalogue.text_tasks.scenes``); a
panel is an ordinary text-to-image task from :func:`panel_prompt`.
"""

from __future__ import annotations

from core.errors import ValidationError


def panel_prompt(description: str, *, style: str = "", scene: dict | None = None) -> str:
    description = (description or "").strip()
    if not description:
        raise ValidationError(
            "Describe the scene to draw.", code="missing_prompt", param="description"
        )
    scene = scene if isinstance(scene, dict) else {}
    parts = [f"{style or 'cartoon'} style comic panel: {description}"]
    if isinstance(scene.get("emotion"), str) and scene["emotion"].strip():
        parts.append(f"mood: {scene['emotion'].strip()}")
    if isinstance(scene.get("colorTone"), str) and scene["colorTone"].strip():
        parts.append(f"colour tone: {scene['colorTone'].strip()}")
    parts.append("child-friendly, colourful, expressive characters, clear storytelling")
    return ". ".join(parts)[:4000]
