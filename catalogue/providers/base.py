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

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import ClassVar

from core.errors import DomainError

from ..imaging.values import InputImage
from ..task_types import ASPECT_RATIOS, TaskType

__all__ = [
    "ASPECT_RATIOS",
    "Capabilities",
    "GeneratedImage",
    "ImageProvider",
    "ImageRequest",
    "ImageResult",
    "InputImage",
    "Progress",
    "PromptPlan",
    "PromptRequest",
    "PromptResult",
    "PromptWriter",
    "ProviderError",
    "TaskMemory",
    "TaskType",
]


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
class Progress:
    """How far stage 2 has come, for live task pages and event streams.

    ``phase`` names the step in words ("uploading", "generating", "denoising"); ``step`` of
    ``steps`` where the provider counts; ``preview`` an encoded image of the result so far
    (PNG or JPEG), where the provider has one."""

    phase: str
    step: int | None = None
    steps: int | None = None
    preview: bytes | None = None


@dataclass
class TaskMemory:
    """What a provider keeps on its task between attempts, and what the task's callbacks
    received (the runner wires it to the task's row; providers never touch the database).

    ``state`` holds what earlier attempts of this task remembered with this provider (a
    remote job's id, say): a retried or re-run task resumes that job instead of submitting
    another. ``save`` keeps ``state`` on the task at once; ``read_notices`` returns the
    notifications a remote service posted to the task's callback URL, by its job id."""

    state: dict = field(default_factory=dict)
    save: Callable[[dict], None] | None = field(default=None, repr=False)
    read_notices: Callable[[], dict] | None = field(default=None, repr=False)


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
    # Called with a Progress now and then, where the provider can tell (may be None).
    report: Callable[[Progress], None] | None = field(default=None, compare=False, repr=False)
    # A model of this provider the client named (None: the configured one).
    model: str | None = None
    # Rendering options of the request: "quality", "background", "moderation",
    # "input_fidelity", "style", "complexity", "output_format", "output_compression",
    # "user". Requests with an option the provider did not declare (``Capabilities.options``
    # and ``qualities``) are refused before they reach it; it may ignore the rest (AicePS
    # makes the output format itself).
    options: Mapping[str, object] = field(default_factory=dict, compare=False)
    # How many preview images the client wants while the stage runs (0: the provider's
    # own rhythm, for progress pages). Providers that make previews space them out.
    partial_images: int = 0
    # The AicePS task (for callback URLs) and what the provider keeps on it (TaskMemory).
    task_id: str | None = None
    memory: TaskMemory = field(default_factory=TaskMemory, compare=False, repr=False)
    # ``upscale``: the factor (2 or 4). ``expand``: the pixels to add (left, top, right,
    # bottom), in pixels of ``images[0]``, always resolved before the provider is called
    # (from an aspect ratio or pixels per side). ``inpaint``: ``mask`` is always set.
    scale: int | None = None
    padding: tuple[int, int, int, int] | None = None

    def remember(self, **values) -> None:
        """Keep ``values`` on the task now: a later attempt finds them in ``memory.state``."""
        self.memory.state.update(values)
        if self.memory.save is not None:
            self.memory.save(dict(self.memory.state))

    def notices(self) -> dict:
        """What the task's callback URL received, by remote job id (empty without one)."""
        return self.memory.read_notices() if self.memory.read_notices is not None else {}

    def progress(self, phase: str, **fields) -> None:
        if self.report is not None:
            self.report(Progress(phase, **fields))

    def option(self, name: str, default=None):
        value = self.options.get(name)
        return default if value in (None, "", "auto") else value


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
    # The prompt as the image model's text encoders read it, where the provider rewrote it
    # for them (local models: {"prompt: CLIP (77 tokens)": text, ...}); recorded on the task.
    model_prompt: Mapping[str, str] = field(default_factory=dict, compare=False)


@dataclass(frozen=True)
class Capabilities:
    """What an image provider can do, as class data (read without building the provider).

    ``task_types`` limits the task types (None: every type its ``edit``/``text_to_image``
    flags allow); ``max_count`` is the most images per task; ``sizes`` the exact output
    sizes it makes (None: any size up to ``max_side`` pixels a side). ``qualities`` the
    ``quality`` values it honours besides ``auto``; ``options`` the other rendering options
    it honours itself (``background`` natively, ``moderation``, ``input_fidelity``,
    ``style``, ``complexity``). AicePS does output formats, sizes and transparent
    backgrounds around any provider; an option nobody can honour is refused."""

    edit: bool = True
    text_to_image: bool = False
    mask: bool = False
    max_input_images: int = 1
    max_count: int = 4
    sizes: tuple[str, ...] | None = None
    max_side: int = 4096
    task_types: frozenset[str] | None = None
    qualities: tuple[str, ...] = ()
    options: frozenset[str] = frozenset()


# Codes of failures the user can fix by changing the request (422), and of a provider that
# is not set up on this server (503); everything else a provider raises is upstream (502).
REQUEST_FAILURES = frozenset(
    {
        "unsupported_instruction",
        "unsupported_task",
        "no_change",
        "missing_image",
        "too_many_images",
        "content_blocked",
        "invalid_request",
        "invalid_image",
        "mask_required",
        "mask_not_supported",
        "no_face_found",
    }
)
SETUP_FAILURES = frozenset(
    {"not_configured", "provider_unavailable", "invalid_configuration", "model_not_found"}
)


class ProviderError(DomainError):
    """A provider could not do its work.

    ``permanent`` errors (bad key, refused content, an instruction the provider cannot carry
    out) are not retried. Transient ones (429, 5xx, timeouts) are, after ``retry_after``
    seconds when the server said so. ``code`` is a short machine-readable reason; the HTTP
    status follows from it (422 for what the user can change, 503 for a provider that is not
    set up here, 502 otherwise) unless ``status`` is given. ``message`` is for the end user,
    ``detail`` for the operator (a setting to change, the upstream's own words).
    """

    code = "provider_error"
    status = 502

    def __init__(
        self,
        message: str,
        *,
        permanent: bool = False,
        retry_after: float | None = None,
        code: str = "provider_error",
        provider: str = "",
        status: int | None = None,
        detail: str = "",
    ) -> None:
        if status is None:
            status = 422 if code in REQUEST_FAILURES else 503 if code in SETUP_FAILURES else 502
        super().__init__(
            message,
            code=code,
            status=status,
            retryable=not permanent,
            detail=detail,
            retry_after=retry_after,
        )
        self.provider = provider

    @property
    def permanent(self) -> bool:
        return not self.retryable


class _Described:
    """What every provider class declares about itself, readable without building it.

    ``name``: the short name in the registry and in task records. ``title``: for end users.
    ``setup``: for the operator, what enables it ("set GEMINI_API_KEY"; empty: nothing).
    ``summary``: what it does, one line of docs/providers.md's table. ``queue_group``: the
    workers that run its tasks (``"default"``, or ``"local"`` for models that need torch and
    a GPU worker). Its settings are declared with its module's ``PROVIDER``
    (``catalogue.providers.declaring``)."""

    name: ClassVar[str] = ""
    title: ClassVar[str] = ""
    setup: ClassVar[str] = ""
    summary: ClassVar[str] = ""
    queue_group: ClassVar[str] = "default"

    @classmethod
    def is_configured(cls) -> bool:
        """Whether this server is set up to use it (keys present); cheap, no network."""
        return True


class PromptWriter(_Described):
    """Stage 1: writes a professional English prompt from the photos and the instruction."""

    @classmethod
    def from_settings(cls) -> PromptWriter:
        """Build the writer from Django settings; called once per process by the registry."""
        return cls()

    def write(self, request: PromptRequest) -> PromptResult:
        raise NotImplementedError


class ImageProvider(_Described):
    """Stage 2: produces images from the photos and the professional prompt.

    Must return at least one image or raise :class:`ProviderError`; returning the input
    unchanged is never a result. Where it can, it reports progress through
    ``request.progress(...)``.
    """

    capabilities: ClassVar[Capabilities] = Capabilities()
    # Upstream model names a client may ask for by name (``/v1`` ``model``), by prefix.
    model_prefixes: ClassVar[tuple[str, ...]] = ()

    @classmethod
    def configured_model(cls) -> str:
        """The upstream model this server's settings name ("" where it has none); listed
        under ``/v1/models`` beside the short name."""
        return ""

    @classmethod
    def configured_capabilities(cls) -> Capabilities:
        """The capabilities with this server's settings (a model name may narrow them);
        never builds the provider, loads a model or imports its SDK."""
        return cls.capabilities

    @classmethod
    def from_settings(cls) -> ImageProvider:
        """Build the provider from Django settings; called once per process by the registry."""
        return cls()

    @classmethod
    def instruction_refusal(cls, *, task_type: str, instruction: str) -> str | None:
        """The refusal this provider would answer from the words alone (so the pages can
        mark a preset it would refuse), or None when the words may work. Cheap and
        pixel-free; never builds the provider."""
        return None

    @classmethod
    def input_refusal(
        cls, *, task_type: str, image: bytes, padding: tuple[int, int, int, int] | None
    ) -> str | None:
        """The refusal this provider would answer from the main photo itself (``image``, the
        upload's bytes; ``padding``: an expansion in its pixels), checked before any charge,
        or None. Providers that override it decode only a small copy."""
        return None

    def generate(self, request: ImageRequest) -> ImageResult:
        raise NotImplementedError
