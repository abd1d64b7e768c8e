"""The OpenAPI description of the Images API's requests, made from the same constants that
:mod:`.params` checks them by: what the schema allows is what AicePS reads."""

from __future__ import annotations

import copy

from django.conf import settings
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse

from catalogue.providers.registry import chain_capabilities

from .models import configured_providers
from .params import CHOICES, MAX_N, QUALITIES

BINARY = {"type": "string", "format": "binary"}
# One server-sent event of stream=true, as OpenAPI before 3.2 describes an event stream (the
# schema is one event's) and as EventSource reads it: its name, its JSON data, id and retry.
STREAM_EVENT = {
    "type": "object",
    "properties": {
        "event": {
            "type": "string",
            "enum": [
                f"{prefix}.{kind}"
                for prefix in ("image_edit", "image_generation")
                for kind in ("partial_image", "completed")
            ]
            + ["error"],
        },
        # A JSON object whose `type` is the event's name; OpenAPI 3.0 has no keyword to say
        # that a string holds JSON (3.1's contentMediaType).
        "data": {"type": "string", "minLength": 2},
        "id": {"type": "string", "pattern": "^[0-9]+$"},
        "retry": {"type": "integer", "minimum": 0},
    },
    "required": ["event", "data", "id"],
}
# The images, or with stream=true their events (partial images, then the completed ones).
IMAGES_RESPONSES = {
    (200, "application/json"): OpenApiTypes.OBJECT,
    (200, "text/event-stream"): OpenApiResponse(
        response=STREAM_EVENT,
        description="With stream=true: `<prefix>.partial_image` events, then one "
        "`<prefix>.completed` event per image (`image_edit` or `image_generation`), as OpenAI's; "
        "or one `error` event with OpenAI's error body. Each event's `data` is a JSON object "
        "whose `type` is the event's name.",
    ),
}


def _enum(name: str) -> dict:
    # An empty value (an HTML form's unset field) reads as the default.
    return {"type": "string", "enum": ["", *CHOICES[name]]}


def request_schema(*, edit: bool) -> dict:
    properties = {
        "prompt": {"type": "string", "minLength": 1, "maxLength": 32000, "pattern": r"\S"},
        "model": {"type": "string", "description": "A model id from GET /v1/models."},
        "n": {"type": "integer", "minimum": 1, "maximum": MAX_N},
        "size": {"type": "string", "pattern": r"^(auto|[1-9][0-9]{1,4}x[1-9][0-9]{1,4})$"},
        "quality": {"type": "string", "enum": ["", *QUALITIES]},
        "background": _enum("background"),
        "output_format": _enum("output_format"),
        "output_compression": {"type": "integer", "minimum": 0, "maximum": 100},
        "response_format": _enum("response_format"),
        "moderation": _enum("moderation"),
        "complexity": _enum("complexity"),
        "user": {"type": "string"},
        "safety_identifier": {"type": "string"},
        "stream": {"type": "boolean"},
        "partial_images": {"type": "integer", "minimum": 0, "maximum": 3},
    }
    if edit:
        properties |= {
            "image": {"type": "array", "items": BINARY, "minItems": 1},
            "image[]": {"type": "array", "items": BINARY},
            "mask": BINARY,
            "input_fidelity": _enum("input_fidelity"),
        }
    else:
        properties["style"] = _enum("style")
    schema = {
        "type": "object",
        "required": ["prompt", "image"] if edit else ["prompt"],
        "properties": properties,
        "additionalProperties": False,  # like OpenAI's: an unknown parameter is refused
    }
    if not edit:
        # Not on the multipart form: schemathesis (4.32) cannot judge `not` over a body
        # with file parts. The edits endpoint applies the same rules.
        schema["allOf"] = _RULES_BETWEEN_FIELDS
    return schema


def _is(**values) -> dict:
    """The body has each of these fields with one of these values."""
    return {
        "required": list(values),
        "properties": {name: {"enum": list(allowed)} for name, allowed in values.items()},
    }


def _absent(name: str) -> dict:
    return {"not": {"required": [name]}}


# What _check_rendering and _check_stream in .params refuse, as the schema can say it.
_RULES_BETWEEN_FIELDS = [
    # output_compression applies to jpeg and webp (png, the default, is lossless)
    {"anyOf": [_absent("output_compression"), _is(output_format=("jpeg", "webp"))]},
    # a transparent background needs png or webp
    {"not": _is(background=("transparent",), output_format=("jpeg",))},
    # partial images come in a stream, and a stream carries b64_json only
    {"anyOf": [_absent("partial_images"), _is(stream=(True,))]},
    {"not": _is(stream=(True,), response_format=("url",))},
]


# Options a model may not take, with the value every model takes (None: leave it out).
_MODEL_OPTIONS = {"moderation": "auto", "input_fidelity": "low", "style": None, "complexity": None}
_PATHS = ("/v1/images/edits", "/v1/images/generations")


def offered_capabilities():
    """What the image models this server offers can do together: the configured default's
    and every configured provider's (a request names one of them, or none). Settings only:
    the schema is also made by ``manage.py check``, where there may be no database."""
    default = [part.strip() for part in settings.AICEPS_IMAGE_PROVIDER.split(",")]
    names = [part for part in default if part and part != "auto"]
    names += [name for name, _ in configured_providers() if name not in names]
    return chain_capabilities(names)


def deployment_schema(result, generator, request, public):
    """drf-spectacular postprocessing hook: the Images API's ``quality`` and model-dependent
    options as this deployment's models take them, so the schema admits only what the
    server accepts (``quality=hd`` for a model that makes one quality is refused)."""
    caps = offered_capabilities()
    for path in _PATHS:
        operation = result.get("paths", {}).get(path, {}).get("post", {})
        if "requestBody" in operation:
            operation["requestBody"]["required"] = True  # no body: no prompt
        for media in operation.get("requestBody", {}).get("content", {}).values():
            # A copy: the schema's dicts are the views' own, shared by every generation.
            media["schema"] = copy.deepcopy(media.get("schema", {}))
            properties = media["schema"].get("properties", {})
            if "quality" in properties:
                taken = ["", *(q for q in QUALITIES if q == "auto" or q in caps.qualities)]
                properties["quality"] = {**properties["quality"], "enum": taken}
            for name, default in _MODEL_OPTIONS.items():
                if name not in properties or name in caps.options:
                    continue
                if default is None:
                    del properties[name]
                else:
                    properties[name] = {**properties[name], "enum": ["", default]}
    return result
