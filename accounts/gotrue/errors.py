"""GoTrue's error answers: ``{"code": <status>, "error_code": "...", "msg": "..."}``.

``@supabase/auth-js`` reads ``error_code`` (an ``AuthApiError``'s ``code``) and ``msg``; the
older ``error``/``error_description`` pair is sent too, for older clients."""

from __future__ import annotations

import logging

from rest_framework import exceptions
from rest_framework.response import Response

from core.availability import MESSAGE as UNAVAILABLE_MESSAGE
from core.availability import is_unavailable
from core.errors import DomainError
from core.json_bodies import JsonTooDeep

logger = logging.getLogger(__name__)
API_VERSION = "2024-01-01"


class GoTrueError(DomainError):
    def __init__(self, status: int, error_code: str, message: str, **extra) -> None:
        super().__init__(message, code=error_code, status=status, **extra)


def gotrue_body(status: int, code: str, message: str, extra: dict | None = None) -> dict:
    return {
        "code": status,
        "error_code": code,
        "msg": message,
        "message": message,
        "error": code,
        "error_description": message,
        **(extra or {}),
    }


def gotrue_exception_handler(exc, context):
    if isinstance(exc, GoTrueError):
        status, code, message, extra = exc.status, exc.code, exc.message, dict(exc.extra)
    elif isinstance(exc, exceptions.Throttled):
        status, code, extra = 429, "over_request_rate_limit", {}
        message = "Request rate limit reached"
    elif isinstance(exc, JsonTooDeep):
        status, code, message, extra = 400, exc.default_code, str(exc.detail), {}
    elif isinstance(exc, exceptions.ParseError | exceptions.UnsupportedMediaType):
        status, code, message, extra = 400, "bad_json", "Could not read the body as JSON", {}
    elif isinstance(exc, exceptions.APIException):
        status, code, extra = exc.status_code, exc.default_code, {}
        message = str(exc.detail)
    elif is_unavailable(exc):  # the cache of the sign-in limits (Redis) is away
        status, code, message, extra = 503, "service_unavailable", UNAVAILABLE_MESSAGE, {}
    else:
        logger.exception("sign-in endpoint failed")
        status, code, message, extra = 500, "unexpected_failure", "Unexpected failure", {}
    response = Response(gotrue_body(status, code, message, extra), status=status)
    response["X-Supabase-Api-Version"] = API_VERSION
    return response
