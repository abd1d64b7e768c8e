"""A story split into picture-book scenes (慢光绘本): the ``scenes`` text task.

Scenes are the story's sentences, grouped into at most six scenes of about equal length (a
story of up to six sentences gets a scene per sentence). Each scene gets a visual
description, written by the configured prompt writer when it is a model (a text task, run
by a worker); with the offline template writer the scene's own words are its description
(:func:`scenes_without_model`: nothing to wait for), since its stage-1 prompt is written
again when the panel is drawn anyway.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from core.errors import ValidationError

from ..providers.base import PromptRequest, ProviderError, TaskType
from ..providers.registry import get_prompt_writer, resolve_name
from . import TextRequest

MAX_SCENES = 6
MAX_STORY_CHARS = 20_000
ENDINGS = "。！？!?…;；\n"
CLOSERS = "”’\"')）」』"


def sentences(text: str) -> list[str]:
    """The sentences of ``text``: after 。！？!?…;； and line breaks, and after a full stop
    that is followed by a space or the end (so "2.5" and "e.g" stay whole); closing quotes
    stay with their sentence."""
    found, start, i = [], 0, 0
    text = text or ""
    while i < len(text):
        char = text[i]
        ends = char in ENDINGS or (char == "." and (i + 1 == len(text) or text[i + 1].isspace()))
        if ends:
            while i + 1 < len(text) and (text[i + 1] in ENDINGS.strip("\n") + "." + CLOSERS):
                i += 1
            found.append(text[start : i + 1])
            start = i + 1
        i += 1
    found.append(text[start:])
    return [part.strip() for part in found if part.strip(" \n\t。！？!?….;；")]


def split_scenes(text: str, *, most: int = MAX_SCENES) -> list[str]:
    text = (text or "").strip()
    if not text:
        raise ValidationError("Write or paste a story first.", code="missing_text", param="text")
    if len(text) > MAX_STORY_CHARS:
        raise ValidationError(
            f"The story is longer than {MAX_STORY_CHARS} characters; split it up.",
            code="text_too_long",
            param="text",
        )
    parts = sentences(text) or [text]
    if len(parts) <= most:
        return parts
    total = sum(len(part) for part in parts)
    scenes: list[str] = []
    current: list[str] = []
    size = 0
    for index, part in enumerate(parts):
        current.append(part)
        size += len(part)
        left_parts, left_scenes = len(parts) - index - 1, most - len(scenes) - 1
        if left_scenes and (size >= total / most or left_parts == left_scenes):
            scenes.append(_join(current))
            current, size = [], 0
    if current:
        scenes.append(_join(current))
    return scenes


def _join(parts: list[str]) -> str:
    joiner = "" if any("\u4e00" <= ch <= "\u9fff" for ch in "".join(parts)) else " "
    return joiner.join(parts)


def title_of(text: str, scenes: list[str]) -> str:
    first_line = (text or "").strip().splitlines()[0].strip() if text.strip() else ""
    if first_line and len(first_line) <= 30 and first_line not in scenes[:1]:
        return first_line  # a heading line
    head = scenes[0] if scenes else ""
    return head if len(head) <= 20 else head[:20].rstrip() + "…"


def scenes_payload(text: str, descriptions: list[str] | None = None, *, style: str) -> dict:
    scenes = split_scenes(text)
    descriptions = descriptions or scenes
    return {
        "success": True,
        "title": title_of(text, scenes),
        "style": style,
        "scenes": [
            {"text": scene, "description": description}
            for scene, description in zip(scenes, descriptions, strict=True)
        ],
    }


def describe_scenes(request: TextRequest) -> dict:
    """The handler: each scene described by the configured (model) prompt writer."""
    text, style = request.text, request.parameters.get("style") or "cartoon"
    scenes = split_scenes(text)
    writer = get_prompt_writer(request.prompt_writer or None)

    def describe(scene: str) -> str:
        instruction = f"A {style} style picture-book illustration of this scene: {scene}"
        try:
            return writer.write(
                PromptRequest(instruction=instruction, task_type=TaskType.TEXT_TO_IMAGE)
            ).prompt
        except ProviderError:  # the scene's words still draw a panel
            return scene

    with ThreadPoolExecutor(max_workers=min(len(scenes), 4)) as pool:
        descriptions = list(pool.map(describe, scenes))
    return scenes_payload(text, descriptions, style=style)


def scenes_without_model(text: str, *, style: str) -> dict | None:
    """The answer at once when the configured prompt writer is not a model (the offline
    template writer): the sentences are the scenes and their descriptions. None otherwise:
    a model describes them, in a ``scenes`` task."""
    if resolve_name(None, kind="prompt_writer") != "template":
        return None
    return scenes_payload(text, style=style)
