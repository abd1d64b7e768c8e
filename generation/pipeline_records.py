"""What the pipeline is given and what it records of each stage."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from catalogue.providers.base import ImageResult, InputImage, PromptResult, TaskMemory, TaskType


@dataclass(frozen=True)
class PipelineInput:
    instruction: str
    task_type: TaskType = TaskType.EDIT
    images: tuple[InputImage, ...] = ()
    mask: InputImage | None = None
    aspect_ratio: str | None = None
    hotspot: tuple[int, int] | None = None
    count: int = 1
    size: str | None = None
    model: str | None = None  # a model of the image provider the client named
    options: dict = field(default_factory=dict, compare=False)  # see ImageRequest.options
    partial_images: int = 0
    task_id: str | None = None
    scale: int | None = None  # upscale: 2 or 4
    # expand: pixels added (left, top, right, bottom) in pixels of ``images[0]``
    padding: tuple[int, int, int, int] | None = None
    # The TaskMemory of the image provider with this name (None: nothing is kept).
    memory: Callable[[str], TaskMemory] | None = field(default=None, compare=False)


@dataclass(frozen=True)
class StageRecord:
    provider: str
    model: str
    duration_ms: int
    tokens: int
    attempts: int
    cached: bool = False
    index: int = 0  # which provider of the stage's chain served
    fallbacks: tuple[tuple[str, str], ...] = ()  # (provider, error code) that failed first


@dataclass(frozen=True)
class PipelineResult:
    prompt: PromptResult
    image: ImageResult
    prompt_stage: StageRecord
    image_stage: StageRecord
