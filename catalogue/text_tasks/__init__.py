"""Text tasks: short pieces of work whose answer is text (JSON), not an image.

The photo editor asks for two: creative suggestions for a photo (``suggestions``) and a story
split into picture-book scenes (``scenes``). They are tasks like any other: created, queued,
leased, run, reaped and announced by ``generation.services`` (``text_task_create``,
``task_run``), and kept in the same table with their answer in ``result``.

They are not :data:`catalogue.task_types.SPECS`: those are what a user asks an image provider
for, and everything generated from them (the v1 API's and forms' choices, the compose page,
the MCP tool list, ``/v1/models``, prices) offers only them. A text task is internal to the
route that asks for it: its id is never given out, it is not listed, counted in the
statistics or sent to webhooks, and it is forgotten once its answer is read. That is the
switch: :func:`is_text_task`.

Pure Python below the task layer: a handler gets the request (the words, the parameters and
the photo's bytes) and returns its answer; it may call prompt writers, never storage or the
database.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum

from ..task_types import Label


class TextTaskType(StrEnum):
    SUGGESTIONS = "suggestions"
    SCENES = "scenes"


@dataclass(frozen=True)
class TextRequest:
    """What a text task's handler is given: ``text`` (the task's prompt), its
    ``parameters``, the photo it was sent (bytes, or None) and the prompt writer chosen when
    it was created (a registry name; empty: the configured one)."""

    text: str = ""
    parameters: dict = field(default_factory=dict)
    photo: bytes | None = None
    prompt_writer: str = ""


@dataclass(frozen=True)
class TextTaskSpec:
    """One text task type: its name, whether it takes a photo, its price in credits (charged
    and refunded like any task's), and its handler (a dotted path, imported when run)."""

    value: TextTaskType
    label: Label
    handler: str
    photo: bool = False
    price: int = 0


TEXT_SPECS: dict[TextTaskType, TextTaskSpec] = {
    spec.value: spec
    for spec in (
        TextTaskSpec(
            TextTaskType.SUGGESTIONS,
            Label("Creative suggestions", "创意建议"),
            "catalogue.text_tasks.suggestions.suggest",
            photo=True,
        ),
        TextTaskSpec(
            TextTaskType.SCENES,
            Label("Story scenes", "故事分镜"),
            "catalogue.text_tasks.scenes.describe_scenes",
        ),
    )
}
TEXT_TASK_TYPES = frozenset(t.value for t in TextTaskType)


def is_text_task(task_type: str) -> bool:
    """Whether ``task_type`` names a text task (internal: not listed, counted or offered)."""
    return task_type in TEXT_TASK_TYPES


def text_spec(task_type: str) -> TextTaskSpec:
    return TEXT_SPECS[TextTaskType(task_type)]


def text_handler(task_type: str) -> Callable[[TextRequest], dict]:
    from importlib import import_module

    module, _, name = text_spec(task_type).handler.rpartition(".")
    return getattr(import_module(module), name)
