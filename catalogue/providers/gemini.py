"""Google Gemini prompt writer and image provider (the only module that imports google.genai).

Both talk to ``POST {base}/{api_version}/models/{model}:generateContent`` (google-genai 3.x
uses ``v1`` by default; the key travels in the ``x-goog-api-key`` header). The SDK's own
retries are switched off: retries live in the pipeline.

The SDK is imported when a client is first built, not when this module is: the registry
reads these classes' capabilities in processes that never call Gemini.
"""

from __future__ import annotations

import functools
import json
import logging
from types import SimpleNamespace
from typing import TYPE_CHECKING, ClassVar

from ._gemini_answers import (
    NAME,
    Answer,
    api_error,
    failure,
    read_answer,
    to_generated,
)
from ._support import (
    WRITER_SYSTEM_INSTRUCTION,
    malformed,
    parse_writer_answer,
    transport_error,
    writer_user_text,
)
from .base import (
    ASPECT_RATIOS,
    Capabilities,
    GeneratedImage,
    ImageProvider,
    ImageRequest,
    ImageResult,
    PromptRequest,
    PromptResult,
    PromptWriter,
    ProviderError,
    TaskType,
)
from .declaring import Provider, ProviderSetting

if TYPE_CHECKING:
    from google.genai import types

PROVIDER = Provider(
    prompt_writers={NAME: f"{__name__}.GeminiPromptWriter"},
    image_providers={NAME: f"{__name__}.GeminiImageProvider"},
    settings=(
        ProviderSetting("GEMINI_API_KEY", doc="enables the Gemini providers", secret=True),
        ProviderSetting(
            "GEMINI_BASE_URL",
            doc="another endpoint speaking Gemini's REST protocol (a proxy)",
            shown="Google's",
        ),
        ProviderSetting("AICEPS_GEMINI_TEXT_MODEL", "gemini-2.5-flash", doc="prompt writer model"),
        ProviderSetting(
            "AICEPS_GEMINI_IMAGE_MODEL",
            "gemini-2.5-flash-image",
            doc="image model (e.g. `gemini-3-pro-image-preview`)",
        ),
        ProviderSetting(
            "AICEPS_GEMINI_IMAGEN_MODEL", "imagen-4.0-generate-001", doc="text-to-image on Vertex"
        ),
    ),
)
logger = logging.getLogger(__name__)
_HARM_CATEGORIES = (
    "HARM_CATEGORY_HARASSMENT",
    "HARM_CATEGORY_HATE_SPEECH",
    "HARM_CATEGORY_SEXUALLY_EXPLICIT",
    "HARM_CATEGORY_DANGEROUS_CONTENT",
)


@functools.cache
def _sdk() -> SimpleNamespace:
    import pydantic
    from google import genai
    from google.genai import errors, types

    return SimpleNamespace(genai=genai, errors=errors, types=types, pydantic=pydantic)


@functools.cache
def _plan_schema() -> types.Schema:
    types = _sdk().types
    return types.Schema(
        type=types.Type.OBJECT,
        properties={
            "prompt": types.Schema(type=types.Type.STRING),
            "task_type": types.Schema(type=types.Type.STRING, enum=[t.value for t in TaskType]),
            "aspect_ratio": types.Schema(
                type=types.Type.STRING, enum=list(ASPECT_RATIOS), nullable=True
            ),
        },
        required=["prompt", "task_type"],
        property_ordering=["prompt", "task_type", "aspect_ratio"],
    )


class _GeminiClient:
    """One google-genai client per instance (so per process), with the per-call timeout and
    no SDK retries; turns every SDK failure into a ProviderError."""

    default_model: ClassVar[str] = ""
    title = "Gemini"
    setup = "set GEMINI_API_KEY"

    @classmethod
    def is_configured(cls) -> bool:
        from django.conf import settings

        return bool(settings.GEMINI_API_KEY)

    def __init__(
        self,
        *,
        api_key: str | None = None,
        model: str | None = None,
        base_url: str | None = None,
        timeout: float = 120.0,
        vertexai: bool | None = None,
        api_version: str | None = None,
    ) -> None:
        self.model = model or self.default_model
        sdk = _sdk()
        types = sdk.types
        http_options = types.HttpOptions(
            base_url=base_url or None,
            api_version=api_version or None,
            timeout=max(int(timeout * 1000), 1),  # HttpOptions.timeout is in milliseconds
            retry_options=types.HttpRetryOptions(attempts=1),
        )
        kwargs = {"http_options": http_options}
        if vertexai is not None:  # None lets the SDK read GOOGLE_GENAI_USE_VERTEXAI
            kwargs["vertexai"] = vertexai
        try:
            self.client = sdk.genai.Client(api_key=api_key or None, **kwargs)
        except ValueError as exc:  # missing key, project or location
            raise ProviderError(
                f"Gemini is not configured: {exc}",
                permanent=True,
                code="not_configured",
                provider=NAME,
            ) from exc

    @staticmethod
    def _settings_kwargs() -> dict:
        from django.conf import settings

        return {
            "api_key": settings.GEMINI_API_KEY,
            "base_url": settings.GEMINI_BASE_URL,
            "timeout": settings.AICEPS_PROVIDER_CALLS.timeout_seconds,
        }

    def _call(self, method, **kwargs):
        sdk = _sdk()
        try:
            return method(**kwargs)
        except sdk.errors.APIError as exc:
            raise api_error(exc) from exc
        except (json.JSONDecodeError, sdk.pydantic.ValidationError) as exc:
            raise malformed(f"Gemini answered with an unreadable body: {exc}", NAME) from exc
        except ValueError as exc:  # the SDK refusing a request before sending it
            raise ProviderError(
                f"Gemini request refused by the SDK: {exc}",
                permanent=True,
                code="invalid_request",
                provider=NAME,
            ) from exc
        except Exception as exc:
            # Network errors come through raw from httpx(2); anything else unexpected is
            # still reported as a ProviderError, as the contract requires, and not retried.
            error = transport_error(exc, NAME) or ProviderError(
                f"Gemini call failed: {exc!r}", permanent=True, provider=NAME
            )
            raise error from exc


class GeminiPromptWriter(_GeminiClient, PromptWriter):
    """Stage 1 on Gemini: sends the photos inline with the instruction and asks, in JSON mode
    with a response schema, for ``{"prompt", "task_type", "aspect_ratio"}``; returns the
    prompt, that plan and ``usage_metadata.total_token_count``."""

    name = NAME
    summary = (
        "Gemini (default `gemini-2.5-flash`) reads the photos and writes the prompt and a plan"
    )
    default_model = "gemini-2.5-flash"

    @classmethod
    def from_settings(cls) -> GeminiPromptWriter:
        from django.conf import settings

        return cls(model=settings.AICEPS_GEMINI_TEXT_MODEL, **cls._settings_kwargs())

    def write(self, request: PromptRequest) -> PromptResult:
        contents = [_image_part(img) for img in request.images]
        contents.append(_sdk().types.Part.from_text(text=writer_user_text(request)))
        response = self._call(
            self.client.models.generate_content,
            model=self.model,
            contents=contents,
            config=_config(
                system_instruction=WRITER_SYSTEM_INSTRUCTION,
                response_mime_type="application/json",
                response_schema=_plan_schema(),
            ),
        )
        answer = read_answer(response)
        if not answer.text and answer.blocked:
            raise failure(answer, self.model)
        prompt, plan = parse_writer_answer(answer.text, provider=NAME)
        return PromptResult(prompt=prompt, model=self.model, tokens_used=answer.tokens, plan=plan)


class GeminiImageProvider(_GeminiClient, ImageProvider):
    """Stage 2 on Gemini image models (``gemini-2.5-flash-image``, ``gemini-3-pro-image-preview``):
    the photos go inline before the prompt, with ``response_modalities`` TEXT and IMAGE, and
    the inline image parts of the answer are returned.

    A conversational image model sometimes answers with text only (a question, a refusal):
    that is a permanent ``no_image`` error (``content_blocked`` when a safety filter said
    so) carrying the model's text, after which the pipeline asks once more with the user's
    bare instruction, as the contract asks.

    Text-to-image uses the same call with ``image_config.aspect_ratio``. Imagen
    (``imagen_model``) is used for text-to-image only on Vertex AI: google-genai refuses
    ``generate_images`` with a Gemini Developer API key (ValueError), so with an API key all
    generation goes through the image model.

    Progress: "generating image i of n" before each call; with ``request.partial_images``
    each image is reported as a preview as soon as it arrives (the boundary between calls).
    ``moderation=low`` asks Gemini to block only content of high probability of harm
    (``safety_settings`` ``BLOCK_ONLY_HIGH``); ``request.model`` replaces the configured model.

    ``mask`` is False: generateContent has no mask input (mask editing exists only in the
    Vertex Imagen edit API), so a mask, if passed anyway, is ignored; the region to change
    must be described in the prompt. ``inpaint`` shows the area tinted on a second copy of
    the photo and ``expand`` sends the photo on a grey canvas, each with words saying so
    (:func:`catalogue.primitives.for_unmasked_model`); the pipeline then keeps every pixel
    outside the mask (or the photo in place). No ``upscale``.
    """

    name = NAME
    summary = "Gemini image models (edit, fusion, text-to-image with aspect ratios)"
    model_prefixes = ("gemini", "imagen")
    capabilities = Capabilities(
        edit=True,
        text_to_image=True,
        mask=False,
        max_input_images=4,
        task_types=frozenset(TaskType) - {TaskType.UPSCALE},
        options=frozenset({"moderation"}),
    )

    default_model = "gemini-2.5-flash-image"

    def __init__(self, *, imagen_model: str | None = None, **kwargs) -> None:
        """Takes the writer's keyword arguments plus ``imagen_model`` (Vertex AI only)."""
        super().__init__(**kwargs)
        self.imagen_model = imagen_model or None

    @classmethod
    def configured_model(cls) -> str:
        from django.conf import settings

        return settings.AICEPS_GEMINI_IMAGE_MODEL

    @classmethod
    def from_settings(cls) -> GeminiImageProvider:
        from django.conf import settings

        return cls(
            model=settings.AICEPS_GEMINI_IMAGE_MODEL,
            imagen_model=settings.AICEPS_GEMINI_IMAGEN_MODEL,
            **cls._settings_kwargs(),
        )

    def generate(self, request: ImageRequest) -> ImageResult:
        if request.aspect_ratio is not None and request.aspect_ratio not in ASPECT_RATIOS:
            raise ProviderError(
                f"Unsupported aspect ratio {request.aspect_ratio!r}.",
                permanent=True,
                code="invalid_request",
                provider=NAME,
            )
        if len(request.images) > self.capabilities.max_input_images:
            raise ProviderError(
                f"Gemini takes at most {self.capabilities.max_input_images} images.",
                permanent=True,
                code="too_many_images",
                provider=NAME,
            )
        if request.task_type == TaskType.UPSCALE:
            raise ProviderError(
                "Gemini's image models do not upscale.",
                permanent=True,
                code="unsupported_task",
                provider=NAME,
            )
        from .. import primitives  # numpy: only when a task runs

        request = primitives.for_unmasked_model(request)  # inpaint, expand: shown, and told
        if not request.images and self.imagen_model and self.client.vertexai:
            return self._imagen(request)
        count = max(request.count, 1)
        model = request.model or self.model
        images: list[GeneratedImage] = []
        texts: list[str] = []
        tokens = 0
        while len(images) < count:  # one image per call
            request.progress(
                f"generating image {len(images) + 1} of {count} with {model}",
                step=len(images),
                steps=count,
            )
            answer = self._ask(request, request.prompt, model)
            if not answer.images:  # the pipeline asks once more with the user's own words
                raise failure(answer, model)
            images.extend(answer.images)
            texts.append(answer.text)
            tokens += answer.tokens
            preview = answer.images[0].data if len(images) <= request.partial_images else None
            request.progress("received", step=min(len(images), count), steps=count, preview=preview)
        return ImageResult(
            images=tuple(images[:count]),
            model=model,
            tokens_used=tokens,
            text="\n".join(t for t in texts if t),
        )

    def _ask(self, request: ImageRequest, text: str, model: str) -> Answer:
        types = _sdk().types
        contents = [_image_part(img) for img in request.images]
        contents.append(types.Part.from_text(text=text))
        config = _config(response_modalities=["TEXT", "IMAGE"])
        if request.aspect_ratio:
            config.image_config = types.ImageConfig(aspect_ratio=request.aspect_ratio)
        if request.option("moderation") == "low":
            config.safety_settings = [
                types.SafetySetting(category=category, threshold="BLOCK_ONLY_HIGH")
                for category in _HARM_CATEGORIES
            ]
        response = self._call(
            self.client.models.generate_content,
            model=model,
            contents=contents,
            config=config,
        )
        return read_answer(response)

    def _imagen(self, request: ImageRequest) -> ImageResult:
        types = _sdk().types
        model = self.imagen_model
        assert model, "text-to-image on Vertex AI only: generate() checks imagen_model first"
        response = self._call(
            self.client.models.generate_images,
            model=model,
            prompt=request.prompt,
            config=types.GenerateImagesConfig(
                number_of_images=min(max(request.count, 1), 4),
                aspect_ratio=request.aspect_ratio,
            ),
        )
        images = []
        reasons = []
        for generated in response.generated_images or []:
            data = generated.image.image_bytes if generated.image else None
            if data:
                images.append(to_generated(data, generated.image.mime_type))
            elif generated.rai_filtered_reason:
                reasons.append(generated.rai_filtered_reason)
        if not images:
            answer = Answer(text="; ".join(reasons), blocked="filtered" if reasons else "")
            raise failure(answer, model)
        return ImageResult(images=tuple(images), model=model)


def _config(**kwargs) -> types.GenerateContentConfig:
    # No tools are sent, so automatic function calling only adds a log line per call.
    types = _sdk().types
    afc = types.AutomaticFunctionCallingConfig(disable=True)
    return types.GenerateContentConfig(automatic_function_calling=afc, **kwargs)


def _image_part(image) -> types.Part:
    return _sdk().types.Part.from_bytes(data=image.data, mime_type=image.mime_type)
