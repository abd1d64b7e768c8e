"""OpenAI image provider and prompt writer (the only module that imports the openai SDK).

``_sdk()`` imports the SDK (an absolute import, not of this module) when a client is first
built, never at import: the registry reads these classes in processes that never call OpenAI.
Endpoints, all
under the base URL (``OPENAI_BASE_URL``, which includes ``/v1``): ``POST /images/edits``
(multipart), ``POST /images/generations`` and ``POST /chat/completions`` (JSON). The key goes
in ``Authorization: Bearer``. The SDK's retries are off (``max_retries=0``): the pipeline
retries.
"""

from __future__ import annotations

import functools
import json
from dataclasses import replace
from typing import TYPE_CHECKING, Any, ClassVar

from core.retry import parse_retry_after

from ._openai_answers import read_images, read_stream
from ._openai_files import data_url, openai_mask, upload
from ._openai_params import (
    GPT_OPTIONS,
    GPT_QUALITIES,
    fallback_size,
    request_options,
    upstream_size,
)
from ._support import (
    WRITER_SYSTEM_INSTRUCTION,
    error_for_status,
    malformed,
    parse_writer_answer,
    writer_user_text,
)
from .base import (
    ASPECT_RATIOS,
    Capabilities,
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

NAME = "openai"
PROVIDER = Provider(
    prompt_writers={NAME: f"{__name__}.OpenAIPromptWriter"},
    image_providers={NAME: f"{__name__}.OpenAIImageProvider"},
    settings=(
        ProviderSetting("OPENAI_API_KEY", doc="enables the OpenAI providers", secret=True),
        ProviderSetting(
            "OPENAI_BASE_URL",
            doc="any OpenAI-compatible server (Ollama, vLLM, Qwen, DeepSeek …)",
            shown="OpenAI's",
        ),
        # gpt-image-1 was shut down on 2026-10-23 and dall-e-2/3 retired (per the SDK's docs).
        ProviderSetting(
            "AICEPS_OPENAI_IMAGE_MODEL",
            "gpt-image-2",
            doc="any OpenAI image model (`gpt-image-1` was shut down in 2026)",
        ),
        ProviderSetting(
            "AICEPS_OPENAI_TEXT_MODEL",
            "gpt-4o-mini",
            doc="prompt writer model (must accept images)",
        ),
    ),
)
_BLOCKED_CODES = {"content_policy_violation", "moderation_blocked"}
# What its edit models do: inpainting through the mask, expanding through a transparent
# canvas and the mask of the new area; no upscaling (the Images API makes its own sizes).
EDITS = frozenset(TaskType) - {TaskType.UPSCALE}


if TYPE_CHECKING:
    import openai


@functools.cache
def _sdk():
    import openai

    return openai


class _OpenAIClient:
    """One SDK client per instance (so per process) with the configured timeout and no SDK
    retries; turns every SDK failure into a ProviderError."""

    default_model: ClassVar[str] = ""
    title = "OpenAI"
    setup = "set OPENAI_API_KEY (or OPENAI_BASE_URL for a compatible server)"

    @classmethod
    def is_configured(cls) -> bool:
        from django.conf import settings

        return bool(settings.OPENAI_API_KEY)

    def __init__(
        self,
        *,
        api_key: str | None = None,
        model: str | None = None,
        base_url: str | None = None,
        timeout: float = 120.0,
    ) -> None:
        self.model = model or self.default_model
        if not api_key and base_url:
            api_key = "unused"  # local compatible servers (Ollama, vLLM) take any key
        openai = _sdk()
        try:
            self.client = openai.OpenAI(
                api_key=api_key or None, base_url=base_url or None, timeout=timeout, max_retries=0
            )
        except openai.OpenAIError as exc:
            raise ProviderError(
                f"OpenAI is not configured: {exc}",
                permanent=True,
                code="not_configured",
                provider=NAME,
            ) from exc

    @staticmethod
    def _settings_kwargs() -> dict:
        from django.conf import settings

        return {
            "api_key": settings.OPENAI_API_KEY,
            "base_url": settings.OPENAI_BASE_URL,
            "timeout": settings.AICEPS_PROVIDER_CALLS.timeout_seconds,
        }

    def _call(self, method, **kwargs):
        openai = _sdk()
        try:
            return method(**kwargs)
        except openai.APIStatusError as exc:
            raise _status_error(exc) from exc
        except openai.APITimeoutError as exc:  # before APIConnectionError: it is a subclass
            raise ProviderError(f"OpenAI timed out: {exc}", code="timeout", provider=NAME) from exc
        except openai.APIConnectionError as exc:
            raise ProviderError(
                f"OpenAI connection failed: {exc}", code="connection_error", provider=NAME
            ) from exc
        except (openai.APIResponseValidationError, json.JSONDecodeError) as exc:
            raise malformed(f"OpenAI answered with an unreadable body: {exc}", NAME) from exc
        except openai.OpenAIError as exc:
            raise ProviderError(
                f"OpenAI call failed: {exc!r}", permanent=True, provider=NAME
            ) from exc


class OpenAIImageProvider(_OpenAIClient, ImageProvider):
    """Stage 2 on the OpenAI Images API: ``images.edit`` when photos are given (the first is
    the one the mask applies to), ``images.generate`` otherwise, with the size mapped from the
    aspect ratio (``request.size`` wins when set).

    GPT image models (``gpt-image-*``, the default) take up to 16 input images and a mask and
    always answer in base64. ``dall-e-2`` edits one square PNG; ``dall-e-3`` cannot edit and
    makes one image per call; both are asked for ``response_format="b64_json"``. Capabilities
    therefore depend on the model and are set per instance. ``request.model`` (a model the
    client named) replaces the configured one for that call.

    Request options go upstream as they came (``quality``, ``background``, ``moderation``,
    ``input_fidelity``, ``style``, ``complexity``, ``output_format``, ``output_compression``,
    ``user``). Sizes go upstream as the model takes them: any multiple of 16 for
    ``gpt-image-2`` and later, else the nearest standard size; AicePS crops and resizes the
    answer to the exact size asked. With ``request.partial_images`` the call streams and each
    upstream partial image is reported as a preview as it arrives.

    Our mask is white (or opaque) where the image may change; OpenAI's is transparent there,
    so it is converted to an RGBA PNG of the first image's size.
    """

    name = NAME
    summary = (
        "`images.edit` / `images.generate` (masks, several inputs, quality, native "
        "transparency, streamed partial images)"
    )
    model_prefixes = ("gpt-image", "dall-e", "chatgpt-image")
    default_model = "gpt-image-1"
    capabilities = Capabilities(
        edit=True,
        text_to_image=True,
        mask=True,
        max_input_images=16,
        max_side=3840,
        task_types=EDITS,
        qualities=GPT_QUALITIES,
        options=GPT_OPTIONS,
    )

    def __init__(self, **kwargs) -> None:
        """Keyword-only: ``api_key``, ``model``, ``base_url``, ``timeout`` (seconds)."""
        super().__init__(**kwargs)
        # An instance narrows the class's declaration to its model.
        self.capabilities = self.capabilities_for(self.model)  # type: ignore[misc]

    @classmethod
    def capabilities_for(cls, model: str) -> Capabilities:
        if model.startswith("dall-e-3"):
            return Capabilities(
                edit=False,
                text_to_image=True,
                max_input_images=0,
                max_count=1,
                qualities=("standard", "hd"),
                options=frozenset({"style"}),
            )
        if model.startswith("dall-e"):
            return Capabilities(
                edit=True, text_to_image=True, mask=True, max_input_images=1, task_types=EDITS
            )
        return cls.capabilities

    @classmethod
    def configured_model(cls) -> str:
        from django.conf import settings

        return settings.AICEPS_OPENAI_IMAGE_MODEL

    @classmethod
    def configured_capabilities(cls) -> Capabilities:
        return cls.capabilities_for(cls.configured_model() or cls.default_model)

    @classmethod
    def from_settings(cls) -> OpenAIImageProvider:
        from django.conf import settings

        return cls(model=settings.AICEPS_OPENAI_IMAGE_MODEL, **cls._settings_kwargs())

    def generate(self, request: ImageRequest) -> ImageResult:
        if request.aspect_ratio is not None and request.aspect_ratio not in ASPECT_RATIOS:
            raise _invalid(f"Unsupported aspect ratio {request.aspect_ratio!r}.")
        if request.task_type == TaskType.UPSCALE:
            raise _invalid("OpenAI's image models do not upscale.", code="unsupported_task")
        from .. import primitives  # numpy: only when a task runs

        request = primitives.for_masked_model(request)  # expand: the canvas and its mask
        if request.task_type in (TaskType.INPAINT, TaskType.EXPAND) and not request.size:
            first = request.images[0]  # the nearest size of the photo's (or canvas's) shape
            request = replace(request, size=f"{first.width}x{first.height}", aspect_ratio=None)
        model = request.model or self.model
        capabilities = self.capabilities_for(model)
        legacy = model.startswith("dall-e")
        kwargs = {
            "model": model,
            "prompt": request.prompt,
            "n": 1 if model.startswith("dall-e-3") else min(max(request.count, 1), 10),
        }
        if legacy:
            kwargs["response_format"] = "b64_json"  # GPT image models reject this parameter
        size = upstream_size(model, request.size) or fallback_size(model, request.aspect_ratio)
        if size:
            kwargs["size"] = size
        kwargs.update(request_options(request, legacy, edit=bool(request.images)))
        if not request.images:
            request.progress(f"generating with {model}")
            return self._run(self.client.images.generate, request, model, kwargs)
        if not capabilities.edit:
            raise _invalid(f"{model} cannot edit images.")
        if len(request.images) > capabilities.max_input_images:
            raise _invalid(
                f"{model} takes at most {capabilities.max_input_images} images.",
                code="too_many_images",
            )
        files = [upload(img, i, force_png=legacy) for i, img in enumerate(request.images)]
        kwargs["image"] = files[0] if legacy else files
        if request.mask is not None:
            first = request.images[0]
            mask = openai_mask(request.mask, first.width, first.height)
            kwargs["mask"] = ("mask.png", mask, "image/png")
        count = len(files)
        request.progress(f"uploading {count} image{'s' if count != 1 else ''} to {model}")
        return self._run(self.client.images.edit, request, model, kwargs)

    def _run(self, method, request: ImageRequest, model: str, kwargs: dict) -> ImageResult:
        if request.partial_images > 0 and not model.startswith("dall-e"):
            kwargs.update(stream=True, partial_images=min(request.partial_images, 3))
            return self._call(functools.partial(self._streamed, method, request), **kwargs)
        result = read_images(self._call(method, **kwargs), model)
        request.progress("received", step=len(result.images), steps=kwargs["n"])
        return result

    def _streamed(self, method, request: ImageRequest, **kwargs) -> ImageResult:
        return read_stream(method(**kwargs), request, kwargs["model"], kwargs["partial_images"])


class OpenAIPromptWriter(_OpenAIClient, PromptWriter):
    """Stage 1 through ``chat.completions`` with the photos as ``data:`` URLs, so any
    OpenAI-compatible server with a vision model works via the base URL (Ollama, vLLM,
    Qwen, ...). Asks for the same JSON plan as the Gemini writer; ``json_mode`` sends
    ``response_format={"type": "json_object"}`` (turn it off for servers that reject it;
    a plain-text answer is then taken as the prompt). Tokens come from ``usage``."""

    name = NAME
    summary = "chat completions with images: OpenAI, Ollama, vLLM, Qwen, DeepSeek …"
    default_model = "gpt-4o-mini"

    def __init__(self, *, json_mode: bool = True, **kwargs) -> None:
        """Keyword-only: ``api_key``, ``model``, ``base_url``, ``timeout``, ``json_mode``."""
        super().__init__(**kwargs)
        self.json_mode = json_mode

    @classmethod
    def from_settings(cls) -> OpenAIPromptWriter:
        from django.conf import settings

        return cls(model=settings.AICEPS_OPENAI_TEXT_MODEL, **cls._settings_kwargs())

    def write(self, request: PromptRequest) -> PromptResult:
        content: list[dict] = [
            {"type": "image_url", "image_url": {"url": data_url(img)}} for img in request.images
        ]
        content.append({"type": "text", "text": writer_user_text(request)})
        kwargs: dict[str, Any] = {
            "model": self.model,
            "messages": [
                {"role": "system", "content": WRITER_SYSTEM_INSTRUCTION},
                {"role": "user", "content": content},
            ],
        }
        if self.json_mode:
            kwargs["response_format"] = {"type": "json_object"}
        response = self._call(self.client.chat.completions.create, **kwargs)
        choices = getattr(response, "choices", None)
        if not isinstance(choices, list) or not choices:
            raise malformed(f"OpenAI chat answered without choices: {str(response)[:200]}", NAME)
        message = getattr(choices[0], "message", None)
        text = getattr(message, "content", None)
        refusal = getattr(message, "refusal", None)
        if not text and refusal:
            raise ProviderError(
                f"{self.model} refused: {refusal}",
                permanent=True,
                code="content_blocked",
                provider=NAME,
            )
        prompt, plan = parse_writer_answer(text if isinstance(text, str) else "", provider=NAME)
        tokens = getattr(getattr(response, "usage", None), "total_tokens", 0) or 0
        return PromptResult(prompt=prompt, model=self.model, tokens_used=int(tokens), plan=plan)


def _status_error(exc: openai.APIStatusError) -> ProviderError:
    body = exc.body if isinstance(exc.body, dict) else {}
    message = body.get("message") or str(exc)
    code = body.get("code")
    if exc.status_code == 429 and code == "insufficient_quota":
        # Out of credit, not throttled: waiting will not help.
        return ProviderError(message, permanent=True, code="quota_exhausted", provider=NAME)
    if exc.status_code == 400 and code in _BLOCKED_CODES:
        return ProviderError(message, permanent=True, code="content_blocked", provider=NAME)
    return error_for_status(
        exc.status_code, message, provider=NAME, retry_after=parse_retry_after(exc.response.headers)
    )


def _invalid(message: str, code: str = "invalid_request") -> ProviderError:
    return ProviderError(message, permanent=True, code=code, provider=NAME)
