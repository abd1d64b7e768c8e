"""Which prompt writer and image provider a task uses, and what each can do.

Settings name them (``AICEPS_PROMPT_WRITER``, ``AICEPS_IMAGE_PROVIDER``) by a short name from
the tables below or by a dotted path to a class. ``auto`` takes the first provider of its
table that :meth:`is_configured` (keys present), in table order, and whose queue group has a
live worker (``generation.liveness``) when one has. A setting may also be an
ordered chain, ``gemini,openai,offline`` (:func:`resolve_chain`): a task may be run by any of
them, the first that can (see ``generation.pipeline``).

The tables are derived from the provider modules' declarations (``PROVIDER``, see
``catalogue.providers.declaring``) in the order of :data:`MODULES`. To add a provider, add its
module (or folder) and one line to :data:`MODULES`; nothing else names providers.

Provider classes are imported, never built, to read what they declare (``capabilities``,
``title``, ``setup``, ``queue_group``): their modules import no SDK at import time, so a web
process without torch still knows what the diffusers provider can do. Instances are built
once per process, on first use (a worker's), and reused, so SDK clients and loaded models are
never created per request.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from importlib import import_module
from typing import overload

from django.conf import settings
from django.utils.module_loading import import_string

from core.errors import ValidationError

from ..task_types import EXPLICIT_TYPES, TaskType, provider_can
from .base import Capabilities, ImageProvider, PromptWriter, ProviderError
from .declaring import Provider, ProviderSetting

# The provider modules (or folders) of ``catalogue.providers``, in the order ``auto`` tries
# them in. Adding a provider: its module and one line here.
MODULES = (
    "gemini",
    "openai",
    "stability",
    "offline",
    "diffusers_local",
    "midjourney",
)


def declarations() -> tuple[Provider, ...]:
    """Each provider module's ``PROVIDER``, in :data:`MODULES` order (imports no SDK)."""
    return tuple(import_module(f"{__package__}.{module}").PROVIDER for module in MODULES)


def declared_settings() -> tuple[ProviderSetting, ...]:
    """Every setting a provider declares, in :data:`MODULES` order, each once."""
    found: dict[str, ProviderSetting] = {}
    for declaration in declarations():
        for setting in declaration.settings:
            found.setdefault(setting.name, setting)
    return tuple(found.values())


PROMPT_WRITERS = {name: path for d in declarations() for name, path in d.prompt_writers.items()}
IMAGE_PROVIDERS = {name: path for d in declarations() for name, path in d.image_providers.items()}
TABLES = {"prompt_writer": PROMPT_WRITERS, "image_provider": IMAGE_PROVIDERS}

_instances: dict[str, object] = {}


# Whether a live worker takes a queue group's tasks now. The task layer knows (its worker
# heartbeats) and installs its check at start (``set_group_check``), so the catalogue never
# imports the layer above it; until then every group counts as served.
def _every_group_served(group: str) -> bool:
    return True


_group_served: Callable[[str], bool] = _every_group_served


def set_group_check(check: Callable[[str], bool]) -> None:
    global _group_served
    _group_served = check


_lock = threading.Lock()


def _configured_default(kind: str) -> str:
    return {
        "prompt_writer": settings.AICEPS_PROMPT_WRITER,
        "image_provider": settings.AICEPS_IMAGE_PROVIDER,
    }[kind]


@overload
def provider_class(name: str) -> type[ImageProvider]: ...
@overload
def provider_class(name: str, *, kind: str) -> type[ImageProvider] | type[PromptWriter]: ...
def provider_class(
    name: str, *, kind: str = "image_provider"
) -> type[ImageProvider] | type[PromptWriter]:
    """The class behind a concrete short name or dotted path (imported, not built)."""
    dotted = TABLES[kind].get(name, name)
    try:
        return import_string(dotted)
    except ImportError as exc:
        raise ProviderError(
            f"The {kind.replace('_', ' ')} {name!r} is not available on this server.",
            permanent=True,
            code="provider_unavailable",
            provider=name,
            detail=f"Cannot import {dotted}: {exc}. Is its extra installed?",
        ) from exc


def resolve_name(name: str | None, *, kind: str, allow_dotted: bool = True) -> str:
    """Turn a configured or requested name (``auto`` included) into a concrete short name
    or dotted path. ``kind`` is ``"prompt_writer"`` or ``"image_provider"``.

    A name a client sent must pass ``allow_dotted=False``: only the operator (settings, the
    CLI) may name an arbitrary class to import and build."""
    return resolve_chain(name, kind=kind, allow_dotted=allow_dotted)[0]


def resolve_chain(name: str | None, *, kind: str, allow_dotted: bool = True) -> tuple[str, ...]:
    """A configured or requested name, or a chain of them (``gemini,openai,offline``), as
    concrete names in order, without repeats. Each part follows :func:`resolve_name`."""
    requested = bool(name)
    raw = name or _configured_default(kind) or "auto"
    parts = [part.strip() for part in raw.split(",") if part.strip()] or ["auto"]
    names: list[str] = []
    for part in parts:
        concrete = _resolve_one(part, kind=kind, allow_dotted=allow_dotted, requested=requested)
        if concrete not in names:
            names.append(concrete)
    return tuple(names)


def _resolve_one(name: str, *, kind: str, allow_dotted: bool, requested: bool) -> str:
    table = TABLES[kind]
    if name == "auto":
        first = None
        for short in table:
            try:
                cls = provider_class(short, kind=kind)
            except ProviderError:
                continue
            if not cls.is_configured():
                continue
            # An image provider that a live worker runs, when one is (else task_create says)
            if kind != "image_provider" or _group_served(cls.queue_group):
                return short
            first = first or short
        if first:
            return first
        raise ProviderError(  # unreachable with the shipped tables: the offline ones always are
            f"No {kind.replace('_', ' ')} is configured.", permanent=True, code="not_configured"
        )
    if name in table or ("." in name and (allow_dotted or not requested)):
        return name
    raise ValidationError(
        f"Unknown {kind.replace('_', ' ')} {name!r}; choose one of: auto, {', '.join(table)}.",
        code="unknown_provider",
        param=kind,
    )


def capabilities_of(name: str) -> Capabilities:
    """What the image provider ``name`` (concrete) can do with this server's settings."""
    return provider_class(name).configured_capabilities()


def instruction_refusal(name: str, *, task_type: str, instruction: str) -> str | None:
    """What the image provider ``name`` would refuse, from ``instruction``'s words alone."""
    return provider_class(name).instruction_refusal(task_type=task_type, instruction=instruction)


def input_refusal(
    name: str, *, task_type: str, image: bytes, padding: tuple[int, int, int, int] | None
) -> str | None:
    """What the image provider ``name`` would refuse from the main photo itself."""
    return provider_class(name).input_refusal(task_type=task_type, image=image, padding=padding)


def chain_capabilities(names: tuple[str, ...] | list[str]) -> Capabilities:
    """What at least one provider of a chain can do: the options, qualities and limits of
    all of them together (each task is then run by one that can do it all)."""
    able = []
    for name in names:
        try:
            able.append(capabilities_of(name))
        except ProviderError:
            continue
    if not able:
        return capabilities_of(names[0])
    if len(able) == 1:
        return able[0]
    listed = [caps.sizes for caps in able if caps.sizes is not None]  # None: any size
    return Capabilities(
        edit=any(caps.edit for caps in able),
        text_to_image=any(caps.text_to_image for caps in able),
        mask=any(caps.mask for caps in able),
        max_input_images=max(caps.max_input_images for caps in able),
        max_count=max(caps.max_count for caps in able),
        sizes=None
        if len(listed) < len(able)
        else tuple(sorted({s for got in listed for s in got})),
        max_side=max(caps.max_side for caps in able),
        task_types=frozenset().union(*(_task_types(caps) for caps in able)),
        qualities=tuple(dict.fromkeys(q for caps in able for q in caps.qualities)),
        options=frozenset().union(*(caps.options for caps in able)),
    )


def _task_types(capabilities: Capabilities) -> frozenset[str]:
    """The task types a provider lists, its ``None`` ("every type") made explicit: every type
    but the editing primitives, which a provider must name (``task_types.EXPLICIT_TYPES``)."""
    if capabilities.task_types is not None:
        return frozenset(capabilities.task_types)
    return frozenset(TaskType) - EXPLICIT_TYPES


def display_name(name: str, *, kind: str = "image_provider") -> str:
    """The provider's own ``name`` (as stage records and metrics use), or ``name``."""
    try:
        return provider_class(name, kind=kind).name or name
    except ProviderError:
        return name


def queue_group(name: str) -> str:
    return provider_class(name).queue_group


def providers_able(task_type: str, *, exclude: tuple[str, ...] = ()) -> list[type[ImageProvider]]:
    """Image provider classes that can do ``task_type``, in table order (configured or not)."""
    able = []
    for short in IMAGE_PROVIDERS:
        if short in exclude:
            continue
        try:
            cls = provider_class(short)
        except ProviderError:
            continue
        if provider_can(cls.capabilities, task_type):
            able.append(cls)
    return able


def alternatives(task_type: str, *, exclude: tuple[str, ...] = ()) -> tuple[str, str]:
    """(for the end user, for the operator): which providers can do ``task_type``, e.g.
    ("Gemini, OpenAI or a local diffusers model", "gemini (set GEMINI_API_KEY), …")."""
    able = providers_able(task_type, exclude=exclude)
    return (
        _join([cls.title or cls.name for cls in able]),
        _join([f"{cls.name} ({cls.setup})" if cls.setup else cls.name for cls in able]),
    )


def _join(names: list[str]) -> str:
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " or " + names[-1]


def _get(name: str, kind: str):
    dotted = TABLES[kind].get(name, name)
    instance = _instances.get(dotted)
    if instance is None:
        with _lock:
            instance = _instances.get(dotted)
            if instance is None:
                instance = provider_class(name, kind=kind).from_settings()
                _instances[dotted] = instance
    return instance


def get_prompt_writer(name: str | None = None) -> PromptWriter:
    return _get(resolve_name(name, kind="prompt_writer"), "prompt_writer")


def get_image_provider(name: str | None = None) -> ImageProvider:
    return _get(resolve_name(name, kind="image_provider"), "image_provider")


def reset() -> None:
    """Forget built instances (tests change settings between cases)."""
    with _lock:
        _instances.clear()
