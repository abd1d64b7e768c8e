"""Stability AI's Stable Image REST API (v2beta): text to image, inpaint, expand and background
removal, on ``{STABILITY_BASE_URL}/v2beta/stable-image/...``.

Every call is one ``multipart/form-data`` POST with ``Authorization: Bearer {key}`` and
``Accept: application/json``; the answer is ``{"image": base64, "finish_reason": "SUCCESS" |
"CONTENT_FILTERED", "seed": n}``, an error ``{"id", "name", "errors": [...]}`` with its status
(400 bad request, 401 key, 402 credits, 403 moderation, 413 too large, 422 rejected, 429
rate limit, 5xx). The routes: ``generate/core``, ``generate/ultra`` or ``generate/sd3`` (with
``model`` and ``mode=text-to-image``) for text to image, by ``AICEPS_STABILITY_MODEL``;
``edit/inpaint`` (``image``, ``mask`` white where it changes, ``prompt``); ``edit/outpaint``
(``left``/``right``/``up``/``down``, at most 2000 px each); ``edit/remove-background``.

Stability has no instruction edit (its search-and-replace needs the object named apart) and
its aspect ratios lack 4:3 and 3:4, which are asked as 5:4 and 4:5 (the nearest). It makes
one image a call. Nothing here is retried: the pipeline retries 429 and 5xx.
"""

from __future__ import annotations

import base64
import binascii
import json

from core import outbound
from core.destinations import CONFIGURED, DestinationError
from core.retry import parse_retry_after

from ..imaging.formats import RESULT_MIME_TYPES, image_mime_type
from ._support import error_for_status, malformed, request_failed
from .base import (
    Capabilities,
    GeneratedImage,
    ImageProvider,
    ImageRequest,
    ImageResult,
    InputImage,
    ProviderError,
    TaskType,
)
from .declaring import Provider, ProviderSetting

NAME = "stability"
PROVIDER = Provider(
    image_providers={NAME: f"{__name__}.StabilityImageProvider"},
    settings=(
        ProviderSetting(
            "STABILITY_API_KEY",
            doc="enables the `stability` image provider (a platform.stability.ai key)",
            secret=True,
        ),
        ProviderSetting(
            "STABILITY_BASE_URL",
            "https://api.stability.ai",
            doc="another endpoint speaking Stability's REST API (a proxy)",
            url=True,
        ),
        ProviderSetting(
            "AICEPS_STABILITY_MODEL",
            "core",
            doc=(
                "text-to-image model: `core`, `ultra`, or an SD 3.5 model "
                "(`sd3.5-large`, `sd3.5-large-turbo`, `sd3.5-medium`, `sd3.5-flash`)"
            ),
        ),
    ),
)
RATIOS = {"1:1": "1:1", "16:9": "16:9", "9:16": "9:16", "4:3": "5:4", "3:4": "4:5"}
MAX_OUTPAINT = 2000  # pixels a side
MAX_ANSWER_BYTES = 64 * 1024 * 1024
_NOT_SET_UP = "Stability AI is not set up correctly on this server."
# Statuses that no retry changes: the code and the end user's sentence.
_REFUSALS = {
    400: ("invalid_request", "Stability AI cannot take this request."),
    401: ("invalid_configuration", _NOT_SET_UP),
    402: ("invalid_configuration", _NOT_SET_UP),
    403: ("content_blocked", "Stability AI's moderation refused the request."),
    413: ("invalid_image", "The photo is too large for Stability AI."),
    422: ("invalid_request", "Stability AI cannot take this request."),
}
_SETUP = {401: "Check STABILITY_API_KEY.", 402: "The Stability account is out of credits."}


class StabilityImageProvider(ImageProvider):
    """Stage 2 on Stability AI's Stable Image API (see the module docstring)."""

    name = NAME
    title = "Stability AI"
    setup = "set STABILITY_API_KEY"
    summary = (
        "Stability AI's Stable Image API: text to image (Core, Ultra, SD 3.5), inpaint under a "
        "mask, expand (outpaint), background removal"
    )
    model_prefixes = ("sd3", "stable-image")
    capabilities = Capabilities(
        edit=True,
        text_to_image=True,
        mask=True,
        max_input_images=1,
        max_count=1,
        task_types=frozenset(
            {
                TaskType.TEXT_TO_IMAGE,
                TaskType.INPAINT,
                TaskType.EXPAND,
                TaskType.REMOVE_BACKGROUND,
            }
        ),
    )

    def __init__(
        self,
        *,
        api_key: str,
        base_url: str = "https://api.stability.ai",
        model: str = "core",
        timeout: float = 120.0,
    ) -> None:
        self.api_key, self.base_url = api_key, base_url.rstrip("/")
        self.model, self.timeout = model or "core", timeout

    @classmethod
    def is_configured(cls) -> bool:
        from django.conf import settings

        return bool(settings.STABILITY_API_KEY)

    @classmethod
    def configured_model(cls) -> str:
        from django.conf import settings

        model = settings.AICEPS_STABILITY_MODEL
        return model if model.startswith("sd3") else f"stable-image-{model}"

    @classmethod
    def from_settings(cls) -> StabilityImageProvider:
        from django.conf import settings

        if not settings.STABILITY_API_KEY:
            raise ProviderError(
                "Stability AI is not set up on this server.",
                permanent=True,
                code="not_configured",
                provider=NAME,
                detail="Set STABILITY_API_KEY.",
            )
        return cls(
            api_key=settings.STABILITY_API_KEY,
            base_url=settings.STABILITY_BASE_URL,
            model=settings.AICEPS_STABILITY_MODEL,
            timeout=settings.AICEPS_PROVIDER_CALLS.timeout_seconds,
        )

    def generate(self, request: ImageRequest) -> ImageResult:
        route, fields, files = self._call_for(request)
        model = request.model or self.model
        request.progress(f"asking Stability AI ({route})")
        answer = _post(
            f"{self.base_url}/v2beta/stable-image/{route}",
            api_key=self.api_key,
            fields={**fields, "output_format": "png"},
            files=files,
            timeout=self.timeout,
        )
        image = _read_answer(answer)
        used = model if route.startswith("generate/") else route.replace("/", ":")
        return ImageResult(images=(image,), model=f"stability:{used}")

    def _call_for(self, request: ImageRequest) -> tuple[str, dict, dict]:
        task = request.task_type
        prompt = request.prompt or request.instruction
        if task == TaskType.TEXT_TO_IMAGE:
            model = request.model or self.model
            fields = {
                "prompt": prompt,
                "aspect_ratio": RATIOS.get(request.aspect_ratio or "1:1", "1:1"),
            }
            if model.startswith("sd3"):
                return "generate/sd3", {**fields, "model": model, "mode": "text-to-image"}, {}
            return f"generate/{model.removeprefix('stable-image-')}", fields, {}
        if not request.images:
            raise _refused("Stability AI needs a photo for this task.", code="missing_image")
        image = {"image": _file(request.images[0], "image")}
        if task == TaskType.INPAINT:
            if request.mask is None:
                raise _refused("Inpainting needs a mask.", code="mask_required")
            mask = _white_mask(request.mask, request.images[0])
            return "edit/inpaint", {"prompt": prompt}, {**image, "mask": mask}
        if task == TaskType.EXPAND:
            left, top, right, bottom = request.padding or (0, 0, 0, 0)
            if max(left, top, right, bottom) > MAX_OUTPAINT:
                raise _refused(
                    f"Stability AI adds at most {MAX_OUTPAINT} pixels on a side.",
                    code="invalid_request",
                )
            sides = {"left": left, "right": right, "up": top, "down": bottom}
            return "edit/outpaint", {"prompt": prompt, **sides}, image
        if task == TaskType.REMOVE_BACKGROUND:
            return "edit/remove-background", {}, image
        raise _refused(
            f"Stability AI cannot do {task} tasks.", code="unsupported_task"
        )  # the registry never sends one: the capabilities say so


def _refused(message: str, *, code: str) -> ProviderError:
    return ProviderError(message, permanent=True, code=code, provider=NAME)


def _file(image: InputImage, name: str) -> tuple[str, bytes, str]:
    extension = "png" if image.mime_type == "image/png" else "jpg"
    return (f"{name}.{extension}", image.data, image.mime_type)


def _white_mask(mask: InputImage, image: InputImage) -> tuple[str, bytes, str]:
    """AicePS's mask (white or opaque where the photo may change) as Stability reads one: a
    greyscale PNG of the photo's size, white where it inpaints, black where it keeps."""
    import io

    from .. import primitives  # numpy and Pillow: only when a task runs

    plane = primitives.change_mask(mask, (image.width, image.height))
    buffer = io.BytesIO()
    plane.save(buffer, format="PNG")
    return ("mask.png", buffer.getvalue(), "image/png")


def _read_answer(answer: dict) -> GeneratedImage:
    reason = answer.get("finish_reason")
    if reason == "CONTENT_FILTERED":
        raise ProviderError(
            "Stability AI's content filter blocked the image.",
            permanent=True,
            code="content_blocked",
            provider=NAME,
        )
    if reason != "SUCCESS" or not isinstance(answer.get("image"), str):
        raise malformed(f"Stability AI answered finish_reason={reason!r} without an image", NAME)
    try:
        data = base64.b64decode(answer["image"], validate=True)
    except (binascii.Error, ValueError) as exc:
        raise malformed(f"Stability AI returned invalid base64: {exc}", NAME) from exc
    mime = image_mime_type(data)
    if mime not in RESULT_MIME_TYPES:
        raise malformed(f"Stability AI returned data that is not an image ({mime})", NAME)
    return GeneratedImage(data=data, mime_type=mime)


def _post(url: str, *, api_key: str, fields: dict, files: dict, timeout: float) -> dict:
    """One multipart POST to Stability, its JSON answer back; every failure a ProviderError.
    It goes through ``core.outbound`` like every request AicePS makes."""
    body, content_type = outbound.multipart(fields, files)
    headers = {
        "Authorization": f"Bearer {api_key}",
        "Accept": "application/json",
        "Content-Type": content_type,
    }
    try:
        response = outbound.post(
            url,
            body,
            policy=CONFIGURED,  # STABILITY_BASE_URL is the operator's (a proxy may be private)
            timeouts=outbound.Timeouts(connect=min(10.0, timeout), read=timeout),
            max_bytes=MAX_ANSWER_BYTES,
            headers=headers,
        )
    except (DestinationError, outbound.OutboundError) as exc:
        raise request_failed(
            exc, provider=NAME, label="Stability AI", setting="STABILITY_BASE_URL"
        ) from None
    if response.status >= 300:
        raise _status_error(response)
    raw = response.body
    try:
        answer = json.loads(raw)
    except ValueError as exc:
        raise malformed(f"Stability AI answered with an unreadable body: {exc}", NAME) from exc
    if not isinstance(answer, dict):
        raise malformed("Stability AI answered with something other than an object", NAME)
    return answer


def _status_error(response: outbound.Response) -> ProviderError:
    """Stability's error answer ``{"name", "errors": [...]}`` as a ProviderError."""
    try:
        body = response.json() if response.body else {}
    except ValueError:
        body = {}
    body = body if isinstance(body, dict) else {}
    said = "; ".join(str(e) for e in body.get("errors") or []) or f"HTTP {response.status}"
    words = f"{body.get('name') or response.status}: {said}"[:500]
    if response.status in _REFUSALS:
        code, message = _REFUSALS[response.status]
        failure = _refused(message, code=code)
    else:  # 429 and 5xx: transient, after Retry-After
        retry_after = parse_retry_after(response.headers)
        failure = error_for_status(response.status, words, provider=NAME, retry_after=retry_after)
    failure.detail = f"{_SETUP.get(response.status, '')} Stability AI said {words}".strip()
    return failure
