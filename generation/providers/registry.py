"""Which prompt writer and image provider a task uses.

Settings name them (``AICEPS_PROMPT_WRITER``, ``AICEPS_IMAGE_PROVIDER``) by a short name from the
tables below or by a dotted path to a class. ``auto`` picks Gemini when ``GEMINI_API_KEY`` is
set, else OpenAI when ``OPENAI_API_KEY`` is set, else the offline ones. Instances are built once
per process and reused, so SDK clients and loaded models are never created per request.
"""

from __future__ import annotations

import threading

from django.conf import settings
from django.utils.module_loading import import_string

from .base import ImageProvider, PromptWriter, ProviderError

PROMPT_WRITERS = {
    "gemini": "generation.providers.gemini.GeminiPromptWriter",
    "openai": "generation.providers.openai.OpenAIPromptWriter",
    "template": "generation.providers.offline.template_writer.TemplatePromptWriter",
}
IMAGE_PROVIDERS = {
    "gemini": "generation.providers.gemini.GeminiImageProvider",
    "openai": "generation.providers.openai.OpenAIImageProvider",
    "diffusers": "generation.providers.diffusers_local.DiffusersImageProvider",
    "offline": "generation.providers.offline.editor.OfflineImageProvider",
}
OFFLINE_PROMPT_WRITER = "template"
OFFLINE_IMAGE_PROVIDER = "offline"

_instances: dict[str, object] = {}
_lock = threading.Lock()


def resolve_name(name: str | None, *, kind: str, allow_dotted: bool = True) -> str:
    """Turn a configured or requested name (``auto`` included) into a concrete short name
    or dotted path. ``kind`` is ``"prompt_writer"`` or ``"image_provider"``.

    A name a client sent must pass ``allow_dotted=False``: only the operator (settings, the
    CLI) may name an arbitrary class to import and build."""
    table = PROMPT_WRITERS if kind == "prompt_writer" else IMAGE_PROVIDERS
    default = {
        "prompt_writer": settings.AICEPS_PROMPT_WRITER,
        "image_provider": settings.AICEPS_IMAGE_PROVIDER,
    }[kind]
    requested = bool(name)
    name = (name or default or "auto").strip()
    if name == "auto":
        if settings.GEMINI_API_KEY:
            return "gemini"
        if settings.OPENAI_API_KEY:
            return "openai"
        return OFFLINE_PROMPT_WRITER if kind == "prompt_writer" else OFFLINE_IMAGE_PROVIDER
    if name in table or ("." in name and (allow_dotted or not requested)):
        return name
    raise ProviderError(
        f"Unknown {kind.replace('_', ' ')} {name!r}; choose one of: auto, {', '.join(table)}.",
        permanent=True,
        code="unknown_provider",
    )


def _get(name: str, table: dict[str, str]):
    dotted = table.get(name, name)
    instance = _instances.get(dotted)
    if instance is None:
        with _lock:
            instance = _instances.get(dotted)
            if instance is None:
                try:
                    cls = import_string(dotted)
                except ImportError as exc:
                    raise ProviderError(
                        f"Provider {name!r} cannot be loaded: {exc}. Is its extra installed?",
                        permanent=True,
                        code="provider_unavailable",
                        provider=name,
                    ) from exc
                instance = cls.from_settings()
                _instances[dotted] = instance
    return instance


def get_prompt_writer(name: str | None = None) -> PromptWriter:
    return _get(resolve_name(name, kind="prompt_writer"), PROMPT_WRITERS)


def get_image_provider(name: str | None = None) -> ImageProvider:
    return _get(resolve_name(name, kind="image_provider"), IMAGE_PROVIDERS)


def reset() -> None:
    """Forget built instances (tests change settings between cases)."""
    with _lock:
        _instances.clear()
