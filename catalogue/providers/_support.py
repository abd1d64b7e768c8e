"""Helpers shared by the cloud providers (Gemini, OpenAI): the prompt writers' instruction
and answer parsing, error mapping by HTTP status, ``Retry-After`` parsing.

Nothing here imports an SDK, so each SDK stays confined to its own module.
"""

from __future__ import annotations

import json
import re

from core import outbound
from core.destinations import DestinationError

from .base import ASPECT_RATIOS, PromptPlan, PromptRequest, ProviderError, TaskType

WRITER_SYSTEM_INSTRUCTION = f"""\
You write prompts for an image editing and generation model.
You receive the user's photos (if any) and their instruction, written in any language.
Study the photos, then write ONE detailed, professional prompt in English that tells the image
model exactly what to produce: the subject, the change to make, composition, lighting, colour,
style, and what must stay unchanged (identity, pose, background, framing) unless the user
asked to change it. Keep the user's intent; do not add unrelated elements. Never refuse or
comment: only describe the image to produce.

Answer with a JSON object and nothing else:
{{"prompt": "<the English prompt>",
  "task_type": one of {json.dumps([t.value for t in TaskType])},
  "aspect_ratio": one of {json.dumps(list(ASPECT_RATIOS))} or null}}
task_type is your reading of the request: "edit" general change, "hotspot" a local change at
the given point, "filter" a global look, "adjustment" light/colour correction, "style" an
artistic restyle, "remove_background", "fusion" combining several photos, "text_to_image" a
new image without photos, "texture" a texture laid over the whole photo (film grain, canvas,
paper, metal), "decade" the person as if photographed in another decade (clothes, hair and
the photo's look of that time), "inpaint" a change only inside the painted mask (the rest
stays as it is), "expand" the scene continued beyond the photo's borders, "upscale" the same
photo larger and sharper. aspect_ratio only when the user asks for a new shape or for
text_to_image; null otherwise."""


def writer_user_text(request: PromptRequest) -> str:
    """The text part of a prompt-writer request: instruction plus what the pipeline knows."""
    lines = [f"User instruction: {request.instruction}", f"Requested task: {request.task_type}"]
    if request.images:
        sizes = ", ".join(f"{img.width}x{img.height}" for img in request.images)
        lines.append(f"Photos attached, in order: {len(request.images)} ({sizes}).")
    else:
        lines.append("No photo attached: describe a new image.")
    if request.hotspot:
        x, y = request.hotspot
        lines.append(f"The user points at pixel x={x}, y={y} of the first photo.")
    if request.aspect_ratio:
        lines.append(f"Requested aspect ratio: {request.aspect_ratio}.")
    return "\n".join(lines)


_TASK_VALUES = frozenset(t.value for t in TaskType)
_FENCE = re.compile(r"^```[a-zA-Z]*\s*|\s*```$")


def parse_writer_answer(text: str, *, provider: str) -> tuple[str, PromptPlan]:
    """Read the writer model's answer: the JSON object asked for, tolerating code fences and
    chatter around it. A non-JSON answer is taken as the prompt itself (some compatible
    servers ignore JSON mode); an empty one is a malformed response."""
    text = (text or "").strip()
    data = _loads_object(text)
    if data is None:
        if not text:
            raise malformed(f"{provider} prompt writer returned an empty answer", provider)
        return text, PromptPlan()
    prompt = data.get("prompt")
    if not isinstance(prompt, str) or not prompt.strip():
        raise malformed(
            f"{provider} prompt writer answered without a prompt: {text[:300]}", provider
        )
    task = data.get("task_type")
    ratio = data.get("aspect_ratio")
    plan = PromptPlan(
        task_type=TaskType(task) if isinstance(task, str) and task in _TASK_VALUES else None,
        aspect_ratio=ratio if isinstance(ratio, str) and ratio in ASPECT_RATIOS else None,
    )
    return prompt.strip(), plan


def _loads_object(text: str) -> dict | None:
    candidates = [text, _FENCE.sub("", text)]
    start, end = text.find("{"), text.rfind("}")
    if 0 <= start < end:
        candidates.append(text[start : end + 1])
    for candidate in candidates:
        try:
            data = json.loads(candidate)
        except ValueError:
            continue
        if isinstance(data, dict):
            return data
    return None


def malformed(message: str, provider: str) -> ProviderError:
    # Transient on purpose: a garbled or truncated body usually comes from a proxy or a
    # dropped connection, and a model may answer well on a second try. The pipeline retries
    # only once, so a server that always answers garbage costs one extra call.
    return ProviderError(message, permanent=False, code="malformed_response", provider=provider)


def error_for_status(
    status: int,
    message: str,
    *,
    provider: str,
    retry_after: float | None = None,
    code: str | None = None,
) -> ProviderError:
    """Map an HTTP error status to a ProviderError: 408/409/429/5xx are transient (the server
    may succeed later), every other 4xx is permanent (bad request, key, permission, model)."""
    transient = status in (408, 409, 429) or status >= 500
    if code is None:
        code = {
            400: "bad_request",
            401: "unauthorized",
            403: "forbidden",
            404: "not_found",
            408: "timeout",
            429: "rate_limited",
        }.get(status, "server_error" if status >= 500 else "client_error")
    return ProviderError(
        f"{provider} HTTP {status}: {message}",
        permanent=not transient,
        retry_after=retry_after if transient else None,
        code=code,
        provider=provider,
    )


def transport_error(exc: BaseException, provider: str) -> ProviderError | None:
    """A ProviderError for a network failure raised raw by an SDK (httpx or httpx2, which
    are matched by class name so neither has to be imported here), else None."""
    names = {cls.__name__ for cls in type(exc).__mro__}
    if names & {"TimeoutException", "TimeoutError"}:
        return ProviderError(f"{provider} timed out: {exc}", code="timeout", provider=provider)
    if names & {"TransportError", "NetworkError", "ConnectionError", "RemoteProtocolError"}:
        return ProviderError(
            f"{provider} connection failed: {exc}", code="connection_error", provider=provider
        )
    return None


def request_failed(
    exc: DestinationError | outbound.OutboundError, *, provider: str, label: str, setting: str
) -> ProviderError:
    """A request to a provider's server that got no answer, as a ProviderError: a URL the
    SSRF policy refuses is the operator's ``setting`` to fix; a timeout or a refused
    connection is transient."""
    if isinstance(exc, DestinationError):
        return ProviderError(
            f"{setting} is refused: {exc.message}",
            permanent=True,
            code="invalid_configuration",
            provider=provider,
        )
    timed_out = isinstance(exc, outbound.TimedOut)
    return ProviderError(
        f"{label} {'timed out' if timed_out else 'cannot be reached'}: {exc}",
        code="timeout" if timed_out else "connection_error",
        provider=provider,
    )
