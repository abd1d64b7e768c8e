"""The OpenAPI description of the Images API's requests, made from the same constants that
:mod:`.params` checks them by: what the schema allows is what AicePS reads."""

from __future__ import annotations

from .params import CHOICES, MAX_N, QUALITIES

BINARY = {"type": "string", "format": "binary"}


def _enum(name: str) -> dict:
    return {"type": "string", "enum": list(CHOICES[name])}


def request_schema(*, edit: bool) -> dict:
    properties = {
        "prompt": {"type": "string", "minLength": 1, "maxLength": 32000, "pattern": r"\S"},
        "model": {"type": "string", "description": "A model id from GET /v1/models."},
        "n": {"type": "integer", "minimum": 1, "maximum": MAX_N},
        "size": {"type": "string", "pattern": r"^(auto|[1-9][0-9]{1,4}x[1-9][0-9]{1,4})$"},
        "quality": {"type": "string", "enum": list(QUALITIES)},
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
    return {
        "type": "object",
        "required": ["prompt", "image"] if edit else ["prompt"],
        "properties": properties,
        "additionalProperties": False,  # like OpenAI's: an unknown parameter is refused
    }
