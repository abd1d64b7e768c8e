"""The two provider interfaces of the pipeline and the values that cross them.

Stage 1, a :class:`PromptWriter`, reads the photos and the user's instruction (any language)
and writes a professional English prompt. Stage 2, an :class:`ImageProvider`, turns the photos
and that prompt into one or more images.

Providers are small: they translate a request into one SDK call and the answer back into a
result. They never retry (the pipeline does, once) and never touch the database or storage.
Every failure is raised as :class:`ProviderError` so the pipeline can tell a transient error
(retry, honouring ``retry_after``) from a permanent one (fail fast).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import ClassVar


class TaskType(StrEnum):
    EDIT = "edit"
    HOTSPOT = "hotspot"
    FILTER = "filter"
    ADJUSTMENT = "adjustment"
    STYLE = "style"
    REMOVE_BACKGROUND = "remove_background"
    FUSION = "fusion"
    TEXT_TO_IMAGE = "text_to_image"


ASPECT_RATIOS = ("1:1", "16:9", "9:16", "4:3", "3:4")


@dataclass(frozen=True)
class InputImage:
    """An image already decoded, validated and prepared by ``generation.imaging``.

    ``data`` holds encoded bytes (PNG or JPEG) no larger than 2048 px on the long side.
    """

    data: bytes
    mime_type: str
    width: int
    height: int


@dataclass(frozen=True)
class PromptRequest:
    instruction: str
    task_type: TaskType = TaskType.EDIT
    images: tuple[InputImage, ...] = ()
    aspect_ratio: str | None = None
    hotspot: tuple[int, int] | None = None  # x, y in pixels of the first image


@dataclass(frozen=True)
class PromptPlan:
    """What the prompt writer understood, where it can say: may refine the task."""

    task_type: TaskType | None = None
    aspect_ratio: str | None = None


@dataclass(frozen=True)
class PromptResult:
    prompt: str
    model: str
    tokens_used: int = 0
    plan: PromptPlan = field(default_factory=PromptPlan)


@dataclass(frozen=True)
class ImageRequest:
    prompt: str  # the professional English prompt from stage 1
    instruction: str  # the user's own words, for providers that act on them directly
    task_type: TaskType = TaskType.EDIT
    images: tuple[InputImage, ...] = ()  # first is the main image; more for fusion
    mask: InputImage | None = None  # white (or opaque) where the image may change
    aspect_ratio: str | None = None
    hotspot: tuple[int, int] | None = None
    count: int = 1
    size: str | None = None  # "WIDTHxHEIGHT", for providers that take one


@dataclass(frozen=True)
class GeneratedImage:
    data: bytes
    mime_type: str  # "image/png", "image/jpeg" or "image/webp"


@dataclass(frozen=True)
class ImageResult:
    images: tuple[GeneratedImage, ...]
    model: str
    tokens_used: int = 0
    text: str = ""  # any text the model answered alongside the image


@dataclass(frozen=True)
class Capabilities:
    edit: bool = True
    text_to_image: bool = False
    mask: bool = False
    max_input_images: int = 1


class ProviderError(Exception):
    """A provider could not do its work.

    ``permanent`` errors (bad key, refused content, an instruction the provider cannot carry
    out) are not retried. Transient ones (429, 5xx, timeouts) are, after ``retry_after``
    seconds when the server said so. ``code`` is a short machine-readable reason.
    """

    def __init__(
        self,
        message: str,
        *,
        permanent: bool = False,
        retry_after: float | None = None,
        code: str = "provider_error",
        provider: str = "",
    ) -> None:
        super().__init__(message)
        self.message = message
        self.permanent = permanent
        self.retry_after = retry_after
        self.code = code
        self.provider = provider


class PromptWriter:
    """Stage 1: writes a professional English prompt from the photos and the instruction."""

    name: ClassVar[str] = ""

    @classmethod
    def from_settings(cls) -> PromptWriter:
        """Build the writer from Django settings; called once per process by the registry."""
        return cls()

    def write(self, request: PromptRequest) -> PromptResult:
        raise NotImplementedError


class ImageProvider:
    """Stage 2: produces images from the photos and the professional prompt.

    Must return at least one image or raise :class:`ProviderError`; returning the input
    unchanged is never a result.
    """

    name: ClassVar[str] = ""
    capabilities: ClassVar[Capabilities] = Capabilities()

    @classmethod
    def from_settings(cls) -> ImageProvider:
        """Build the provider from Django settings; called once per process by the registry."""
        return cls()

    def generate(self, request: ImageRequest) -> ImageResult:
        raise NotImplementedError
