"""JSON from clients, read with its nesting bounded.

Python's ``json`` recurses once per level: about 100 KB of ``[[[[…`` raises ``RecursionError``,
which no view expects (it was a 500 on every JSON endpoint), and a structure just under the
interpreter's limit still breaks whatever walks it afterwards (serializers, error rendering).
No AicePS request body nests deeper than a few levels, so anything past ``AICEPS_JSON_MAX_DEPTH``
(32 unless set) is refused with 400 ``json_too_deep`` before a view sees it.

:class:`BoundedJSONParser` is DRF's JSON parser with that bound (the default parser in
``REST_FRAMEWORK`` and the one every view that names its parsers uses); :func:`loads_bounded`
is the same for a JSON value sent inside a form field.
"""

from __future__ import annotations

import codecs
import json
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from rest_framework import exceptions
from rest_framework.parsers import JSONParser
from rest_framework.utils.json import strict_constant

DEFAULT_MAX_DEPTH = 32


class JsonTooDeep(exceptions.ParseError):
    """Refused body: nested deeper than the bound. A ParseError, so every DRF exception
    handler answers it as a 400 without knowing about it."""

    default_code = "json_too_deep"

    def __init__(self, max_depth: int) -> None:
        super().__init__(
            f"The JSON is nested too deeply (at most {max_depth} levels of objects and lists).",
            code=self.default_code,
        )


def max_depth() -> int:
    return int(getattr(settings, "AICEPS_JSON_MAX_DEPTH", DEFAULT_MAX_DEPTH))


def depth_of(value: Any, limit: int) -> int:
    """Nesting depth of ``value`` (a scalar is 0, ``[]`` is 1), counted without recursion
    and only as far as ``limit + 1``."""
    deepest = 0
    stack = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        children: Iterable[Any]
        if isinstance(item, dict):
            children = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        depth += 1
        deepest = max(deepest, depth)
        if deepest > limit:
            return deepest
        stack.extend((child, depth) for child in children)
    return deepest


def loads_bounded(raw: str | bytes, *, limit: int | None = None, **options) -> Any:
    """``json.loads(raw, **options)`` that raises :class:`JsonTooDeep` past the bound (and
    ``ValueError`` for text that is not JSON, as ``json.loads`` does)."""
    limit = max_depth() if limit is None else limit
    try:
        value = json.loads(raw, **options)
    except RecursionError:
        raise JsonTooDeep(limit) from None
    if depth_of(value, limit) > limit:
        raise JsonTooDeep(limit)
    return value


class BoundedJSONParser(JSONParser):
    """DRF's JSONParser (same media type, same strictness about NaN) with the depth bound."""

    def parse(self, stream, media_type=None, parser_context=None):
        parser_context = parser_context or {}
        encoding = parser_context.get("encoding", settings.DEFAULT_CHARSET)
        try:
            text = codecs.getreader(encoding)(stream).read()
            return loads_bounded(text, parse_constant=strict_constant if self.strict else None)
        except ValueError as exc:
            raise exceptions.ParseError(f"JSON parse error - {exc}") from exc
