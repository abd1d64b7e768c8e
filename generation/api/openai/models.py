"""``GET /v1/models`` and what a request's ``model`` names.

The catalogue is read from the provider registry: every image provider configured on this
server that a live worker runs now (a task nobody would take is refused with 503
``no_worker``), under its short name (``offline``, ``diffusers``, ``openai``, ``gemini``) and, for
the remote ones, under the upstream model it runs (``gpt-image-2``,
``gemini-2.5-flash-image``: each class's ``configured_model()``). ``model`` in a request may
be any of those ids, ``auto`` (the configured provider), or another model of a family a
provider declares (its ``model_prefixes``: ``dall-e-3``, ``imagen-4.0-…``), which is then asked
for upstream by name.
"""

from __future__ import annotations

from dataclasses import dataclass

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.access import ApiViewMixin
from catalogue.providers.base import ProviderError
from catalogue.providers.registry import IMAGE_PROVIDERS, provider_class
from core.api.problems import ApiError
from generation.services.workers import provider_served

OWNER = "aiceps"
CREATED = 1767225600  # 2026-01-01: the catalogue has no dates of its own


@dataclass(frozen=True)
class Choice:
    provider: str | None  # None: the configured one
    upstream_model: str | None = None  # a model of that provider named by the client


def _upstream_model(provider: str) -> str:
    """The upstream model the provider's settings name (its class declares which)."""
    try:
        return provider_class(provider).configured_model()
    except ProviderError:
        return ""


def configured_providers(*, served: bool = False) -> list[tuple[str, type]]:
    """The image providers set up here; ``served``: only those a live worker runs now."""
    found = []
    for name in IMAGE_PROVIDERS:
        try:
            cls = provider_class(name)
        except ProviderError:
            continue
        if cls.is_configured() and (not served or provider_served(name)):
            found.append((name, cls))
    return found


def catalogue() -> list[dict]:
    """The image models this server can run now (set up, and a live worker runs them), as
    OpenAI's ``Model`` objects plus what each can do (``aiceps``)."""
    models = []
    for name, cls in configured_providers(served=True):
        capabilities = cls.configured_capabilities()
        about = {
            "provider": name,
            "title": cls.title or name,
            "edit": capabilities.edit,
            "text_to_image": capabilities.text_to_image,
            "mask": capabilities.mask,
            "max_input_images": capabilities.max_input_images,
            "max_n": capabilities.max_count,
            "sizes": list(capabilities.sizes) if capabilities.sizes else "any",
            "max_side": capabilities.max_side,
            "qualities": ["auto", *capabilities.qualities],
            "options": sorted(capabilities.options),
        }
        ids = [name]
        upstream = _upstream_model(name)
        if upstream and upstream != name:
            ids.append(upstream)
        for model_id in ids:
            models.append(
                {
                    "id": model_id,
                    "object": "model",
                    "created": CREATED,
                    "owned_by": f"{OWNER}:{name}",
                    "aiceps": about,
                }
            )
    return models


def _unknown(model: str, why: str) -> ApiError:
    ids = ", ".join(["auto", *(entry["id"] for entry in catalogue())])
    return ApiError("model_not_found", f"{why} Models here: {ids}.", 404, param="model")


def choose(model: str | None) -> Choice:
    """The provider (and upstream model) a request's ``model`` names; 404 otherwise."""
    model = (model or "").strip()
    if model in ("", "auto", "aiceps"):
        return Choice(None)
    configured = dict(configured_providers())
    if model in IMAGE_PROVIDERS:
        if model not in configured:
            raise _unknown(model, f"The model {model!r} is not set up on this server.")
        return Choice(model)
    for name in configured:
        if model == _upstream_model(name):
            return Choice(name)
    for name in IMAGE_PROVIDERS:  # a model of a family a provider declares (model_prefixes)
        try:
            prefixes = provider_class(name).model_prefixes
        except ProviderError:
            continue
        if prefixes and model.startswith(prefixes):
            if name not in configured:
                raise _unknown(model, f"{model!r} needs {name}, which is not set up here.")
            return Choice(name, upstream_model=model)
    raise _unknown(model, f"Unknown model {model!r}.")


class ModelsApi(ApiViewMixin, APIView):
    error_shape = "openai"

    @extend_schema(
        operation_id="v1_models_list",
        summary="The image models this server can run (OpenAI's list)",
        responses={200: OpenApiTypes.OBJECT},
    )
    def get(self, request):
        return Response({"object": "list", "data": catalogue()})


class ModelDetailApi(ApiViewMixin, APIView):
    error_shape = "openai"

    @extend_schema(
        operation_id="v1_models_retrieve",
        summary="One image model (OpenAI's Model)",
        responses={200: OpenApiTypes.OBJECT},
    )
    def get(self, request, model_id: str):
        for entry in catalogue():
            if entry["id"] == model_id:
                return Response(entry)
        raise _unknown(model_id, f"The model {model_id!r} does not exist here.")
