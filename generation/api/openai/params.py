"""Reading an Images API request: every parameter of OpenAI's ``images.edit`` and
``images.generate`` is taken and honoured, or refused with a 400 naming it, before anything
is stored or charged.

What AicePS does around any provider: ``n`` (up to the provider's ``max_count``), ``size``
(made by the provider or cropped and resized to it), ``output_format``,
``output_compression``, ``background`` (``transparent`` by background removal where the
provider has no native one), ``response_format``, ``stream`` with ``partial_images``,
``user`` / ``safety_identifier`` (recorded and passed upstream). What only some providers
can do is checked against their capabilities (``qualities``, ``options``): ``quality``,
``moderation=low``, ``input_fidelity=high``, ``style``, ``complexity``. GIF and SVG output
(``frame_count``, ``frame_duration_ms``, ``svg``) and ``markup`` are refused everywhere.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from catalogue.providers.base import Capabilities
from catalogue.providers.registry import chain_capabilities, resolve_chain
from catalogue.task_rules import parse_size
from catalogue.task_types import ASPECT_RATIOS
from core.api.problems import ApiError

from .models import choose

COMMON = {
    "prompt", "model", "n", "size", "quality", "background", "output_format",
    "output_compression", "response_format", "user", "safety_identifier", "stream",
    "partial_images", "moderation", "complexity",
}  # fmt: skip
EDIT_ONLY = {"image", "image[]", "mask", "input_fidelity"}
GENERATE_ONLY = {"style"}
REFUSED = {  # OpenAI parameters AicePS cannot honour with any provider
    "frame_count": "GIF output is not available here.",
    "frame_duration_ms": "GIF output is not available here.",
    "svg": "SVG output is not available here.",
    "markup": "Markup guides are not available here; use a mask instead.",
}
QUALITIES = ("auto", "low", "medium", "high", "xhigh", "max", "standard", "hd")
CHOICES = {
    "background": ("auto", "transparent", "opaque"),
    "output_format": ("png", "jpeg", "webp"),
    "response_format": ("b64_json", "url"),
    "moderation": ("auto", "low"),
    "input_fidelity": ("low", "high"),
    "style": ("vivid", "natural"),
    "complexity": ("low", "medium", "high"),
}
MAX_N = 10  # OpenAI's range; each provider's own limit is checked by task_create


def invalid(param: str, message: str, code: str = "invalid_value") -> ApiError:
    return ApiError(code, message, 400, param=param)


@dataclass
class ImagesCall:
    """One request, read and checked."""

    prompt: str
    provider: str | None  # None: the configured one
    capabilities: Capabilities
    n: int = 1
    size: str = "auto"
    quality: str = "auto"
    background: str = "auto"
    output_format: str = "png"
    output_compression: int | None = None
    response_format: str = "b64_json"
    stream: bool = False
    partial_images: int = 0
    safety_identifier: str | None = None
    options: dict = field(default_factory=dict)  # passed to the provider as they came
    upstream_model: str | None = None

    @property
    def aspect_ratio(self) -> str:
        """The listed aspect ratio nearest to ``size``, for providers that take ratios."""
        wanted = parse_size(self.size)
        if wanted is None:
            return ""

        def distance(ratio: str) -> float:
            w, h = (int(part) for part in ratio.split(":"))
            return abs(w / h - wanted[0] / wanted[1])

        return min(ASPECT_RATIOS, key=distance)

    def parameters(self) -> dict:
        """The task's ``parameters`` (defaults left out, so identical requests match)."""
        params = {
            "n": self.n,
            "size": None if self.size == "auto" else self.size,
            "quality": None if self.quality == "auto" else self.quality,
            "background": None if self.background == "auto" else self.background,
            "output_format": self.output_format,
            "output_compression": self.output_compression,
            "partial_images": self.partial_images or None,
            "model": self.upstream_model,
            **self.options,
        }
        if self.safety_identifier:
            params["user"] = self.safety_identifier
        return {key: value for key, value in params.items() if value is not None}


def _text(data, name: str) -> str | None:
    value = data.get(name)
    if value is None:
        return None
    if not isinstance(value, str):
        raise invalid(name, f"{name} must be a string.")
    return value.strip()


def _integer(data, name: str, low: int, high: int) -> int | None:
    value = data.get(name)
    if value in (None, ""):
        return None
    if isinstance(value, bool):
        raise invalid(name, f"{name} must be a whole number from {low} to {high}.")
    try:
        number = int(value)
        if isinstance(value, float) and not value.is_integer():
            raise ValueError
    except (TypeError, ValueError):
        raise invalid(name, f"{name} must be a whole number from {low} to {high}.") from None
    if not low <= number <= high:
        raise invalid(name, f"{name} must be from {low} to {high}, not {number}.")
    return number


def _boolean(data, name: str) -> bool:
    value = data.get(name)
    if value in (None, "", False, "false", "False", "0"):
        return False
    if value in (True, "true", "True", "1"):
        return True
    raise invalid(name, f"{name} must be true or false.")


def _choice(data, name: str, default: str) -> str:
    value = _text(data, name)
    if not value:
        return default
    allowed = QUALITIES if name == "quality" else CHOICES[name]
    if value not in allowed:
        raise invalid(name, f"{name} must be one of {', '.join(allowed)}, not {value!r}.")
    return value


def read_call(data, *, edit: bool) -> ImagesCall:
    """``data``: the form (edits) or JSON body (generations). Raises ApiError (400/404)."""
    if not hasattr(data, "get"):
        raise invalid("prompt", "The body must be a JSON object.", "invalid_request")
    allowed = COMMON | (EDIT_ONLY if edit else GENERATE_ONLY)
    for name in data:
        if name in REFUSED:
            raise invalid(name, REFUSED[name], "unsupported_parameter")
        if name not in allowed:
            message = f"Unrecognized request argument supplied: {name}."
            raise invalid(name, message, "unknown_parameter")
    prompt = _text(data, "prompt")
    if not prompt:
        message = "prompt is required: describe the image you want."
        raise invalid("prompt", message, "missing_prompt")
    if len(prompt) > 32000:
        raise invalid("prompt", "prompt may be at most 32000 characters.")
    choice = choose(_text(data, "model"))
    # A configured chain of providers: what any of them can do (task_create then leaves out
    # those of the chain that cannot do this request).
    chain = resolve_chain(choice.provider, kind="image_provider", allow_dotted=False)
    call = ImagesCall(
        prompt=prompt,
        provider=choice.provider,
        capabilities=chain_capabilities(chain),
        upstream_model=choice.upstream_model,
        n=_integer(data, "n", 1, MAX_N) or 1,
        size=_text(data, "size") or "auto",
        quality=_choice(data, "quality", "auto"),
        background=_choice(data, "background", "auto"),
        output_format=_choice(data, "output_format", "png"),
        output_compression=_integer(data, "output_compression", 0, 100),
        response_format=_choice(data, "response_format", "b64_json"),
        stream=_boolean(data, "stream"),
        partial_images=_integer(data, "partial_images", 0, 3) or 0,
        safety_identifier=_text(data, "safety_identifier") or _text(data, "user") or None,
    )
    parse_size(call.size)  # the format now; what the provider can make in task_create
    _check_rendering(call, data)
    _check_stream(call, data)
    return call


def _check_rendering(call: ImagesCall, data) -> None:
    caps = call.capabilities
    if call.quality != "auto" and call.quality not in caps.qualities:
        offered = ", ".join(["auto", *caps.qualities])
        raise invalid("quality", f"This image model takes quality {offered}, not {call.quality}.")
    if call.background == "transparent" and call.output_format == "jpeg":
        raise invalid("background", "A transparent background needs output_format png or webp.")
    if call.output_compression is not None and call.output_format == "png":
        raise invalid(
            "output_compression", "output_compression applies to jpeg and webp output only."
        )
    if call.background != "auto" and "background" in caps.options:
        call.options["background"] = call.background  # made natively
    for name, default in (("moderation", "auto"), ("input_fidelity", "low")):
        value = _choice(data, name, default) if name in data else default
        if value != default and name not in caps.options:
            raise invalid(name, f"{name}={value} is not available with this image model.")
        if value != default:
            call.options[name] = value
    for name in ("style", "complexity"):
        value = _choice(data, name, "") if name in data else ""
        if value and name not in caps.options:
            raise invalid(name, f"{name} is not available with this image model.")
        if value:
            call.options[name] = value


def _check_stream(call: ImagesCall, data) -> None:
    if not call.stream:
        if data.get("partial_images") not in (None, ""):
            raise invalid("partial_images", "partial_images needs stream=true.")
        return
    if call.response_format == "url":
        raise invalid("response_format", "A stream carries images as b64_json only.")
