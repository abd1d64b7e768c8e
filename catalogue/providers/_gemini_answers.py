"""Reading Gemini answers and errors, apart from the SDK calls in ``gemini.py``.

Works on the SDK's response and error objects by attribute only, so google.genai stays
imported by ``gemini.py`` alone.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from core.retry import parse_retry_after

from ..imaging.formats import RESULT_MIME_TYPES, image_mime_type
from ._support import error_for_status, malformed
from .base import GeneratedImage, ProviderError

NAME = "gemini"
_BLOCKED = {
    "SAFETY",
    "IMAGE_SAFETY",
    "PROHIBITED_CONTENT",
    "IMAGE_PROHIBITED_CONTENT",
    "BLOCKLIST",
    "SPII",
    "RECITATION",
    "IMAGE_RECITATION",
}


@dataclass
class Answer:
    images: tuple[GeneratedImage, ...] = ()
    text: str = ""
    tokens: int = 0
    blocked: str = ""  # the block or finish reason, when a safety filter stopped the answer


def read_answer(response) -> Answer:
    images, texts, blocked = [], [], ""
    feedback = response.prompt_feedback
    if feedback and feedback.block_reason:
        blocked = _enum_name(feedback.block_reason)
    for candidate in response.candidates or []:
        reason = _enum_name(candidate.finish_reason)
        if reason in _BLOCKED:
            blocked = reason
        for part in (candidate.content.parts if candidate.content else None) or []:
            if part.inline_data and part.inline_data.data:
                images.append(to_generated(part.inline_data.data, part.inline_data.mime_type))
            elif part.text and not part.thought:
                texts.append(part.text)
    usage = response.usage_metadata
    tokens = (usage.total_token_count or 0) if usage else 0
    return Answer(images=tuple(images), text="".join(texts).strip(), tokens=tokens, blocked=blocked)


def to_generated(data: bytes, declared: str | None) -> GeneratedImage:
    mime = image_mime_type(data)
    if mime not in RESULT_MIME_TYPES:
        raise malformed(f"Gemini returned an image part that is not an image ({declared})", NAME)
    return GeneratedImage(data=data, mime_type=mime)


def _enum_name(value) -> str:
    return str(getattr(value, "value", value) or "")


def failure(answer: Answer, model: str) -> ProviderError:
    """The permanent error for an answer without an image: ``content_blocked`` when a safety
    filter stopped it, else ``no_image``; both carry what the model said."""
    said = answer.text[:500]
    if answer.blocked:
        message = f"{model} refused the request ({answer.blocked})" + (f": {said}" if said else "")
        return ProviderError(message, permanent=True, code="content_blocked", provider=NAME)
    message = f"{model} answered without an image: {said or '(nothing)'}"
    return ProviderError(message, permanent=True, code="no_image", provider=NAME)


_DELAY = re.compile(r"^\s*(\d+(?:\.\d+)?)s\s*$")


def api_error(exc) -> ProviderError:
    status = int(exc.code or 0)
    headers = getattr(exc.response, "headers", None)
    retry_after = parse_retry_after(headers) if headers is not None else None
    if retry_after is None:
        retry_after = _retry_info(exc.details)
    return error_for_status(
        status or 500, exc.message or str(exc), provider=NAME, retry_after=retry_after
    )


def _retry_info(details) -> float | None:
    """The ``google.rpc.RetryInfo`` delay Gemini puts in its 429 bodies (``"31s"``)."""
    error = details.get("error", details) if isinstance(details, dict) else {}
    for item in (error.get("details") if isinstance(error, dict) else None) or []:
        if isinstance(item, dict) and str(item.get("@type", "")).endswith("RetryInfo"):
            match = _DELAY.match(str(item.get("retryDelay", "")))
            if match:
                return float(match.group(1))
    return None
