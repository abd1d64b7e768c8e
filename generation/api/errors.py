"""One error shape for every API answer: ``{"success": false, "error": {"code", "message"}}``.

Domain errors (credits, images, tasks, providers) carry their own code and HTTP status; DRF's
own errors are mapped to the same shape. Unexpected exceptions are logged and answered with a
plain 500: never a stack trace.
"""

from __future__ import annotations

import logging

from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.db import DatabaseError
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response

from accounts.services import CreditsError, InsufficientCreditsError
from generation.imaging import ImageError
from generation.providers.base import ProviderError
from generation.services import TaskError

logger = logging.getLogger(__name__)

DRF_CODES = {
    exceptions.NotAuthenticated: "not_authenticated",
    exceptions.AuthenticationFailed: "authentication_failed",
    exceptions.PermissionDenied: "permission_denied",
    exceptions.NotFound: "not_found",
    exceptions.MethodNotAllowed: "method_not_allowed",
    exceptions.NotAcceptable: "not_acceptable",
    exceptions.UnsupportedMediaType: "unsupported_media_type",
    exceptions.Throttled: "throttled",
    exceptions.ParseError: "parse_error",
    exceptions.ValidationError: "invalid_request",
}


class ApiError(Exception):
    def __init__(self, code: str, message: str, status_code: int = 400, **extra) -> None:
        super().__init__(message)
        self.code, self.message, self.status_code, self.extra = code, message, status_code, extra


def error_body(code: str, message: str, **extra) -> dict:
    return {"success": False, "error": {"code": code, "message": message, **extra}}


def error_response(code: str, message: str, status_code: int, *, headers=None, **extra):
    return Response(error_body(code, message, **extra), status=status_code, headers=headers)


def _validation_message(detail) -> str:
    if isinstance(detail, dict):
        for field, errors in detail.items():
            text = _validation_message(errors)
            return text if field == "non_field_errors" else f"{field}: {text}"
    if isinstance(detail, list) and detail:
        return _validation_message(detail[0])
    return str(detail)


def _describe(exc: Exception):
    """(status, code, message, extra, headers) for a known exception, else None."""
    if isinstance(exc, ApiError):
        return exc.status_code, exc.code, exc.message, exc.extra, None
    if isinstance(exc, InsufficientCreditsError):
        extra = {
            "available_credits": exc.available_credits,
            "required_credits": exc.required_credits,
        }
        return 402, exc.code, str(exc), extra, None
    if isinstance(exc, CreditsError):
        return 400, exc.code, str(exc), {}, None
    if isinstance(exc, ImageError):
        return exc.status, exc.code, exc.message, {}, None
    if isinstance(exc, TaskError):
        return exc.status, exc.code, exc.message, {}, None
    if isinstance(exc, ProviderError):
        return 400, exc.code, exc.message, {}, None
    if isinstance(exc, RequestDataTooBig):
        return 413, "request_too_large", "The request is too large.", {}, None
    if isinstance(exc, Http404):
        return 404, "not_found", "Not found.", {}, None
    if isinstance(exc, PermissionDenied):
        return 403, "permission_denied", "You may not do this.", {}, None
    if isinstance(exc, DatabaseError):
        logger.exception("database unavailable")
        return (
            503,
            "service_unavailable",
            "The database is unavailable; try again soon.",
            {},
            ({"Retry-After": "5"}),
        )
    if isinstance(exc, exceptions.APIException):
        code = next((c for t, c in DRF_CODES.items() if isinstance(exc, t)), "error")
        extra, headers = {}, {}
        if isinstance(exc, exceptions.ValidationError):
            message = _validation_message(exc.detail)
            extra["fields"] = exc.detail if isinstance(exc.detail, dict) else None
        else:
            message = str(exc.detail)
        if isinstance(exc, exceptions.Throttled) and exc.wait is not None:
            extra["retry_after"] = round(exc.wait)
            headers["Retry-After"] = str(max(1, round(exc.wait)))
        if isinstance(exc, exceptions.NotAuthenticated | exceptions.AuthenticationFailed):
            headers["WWW-Authenticate"] = 'Bearer realm="api"'
        return exc.status_code, code, message, {k: v for k, v in extra.items() if v}, headers
    return None


def exception_handler(exc: Exception, context: dict):
    described = _describe(exc)
    if described is None:
        logger.exception("unhandled API error", extra={"view": type(context.get("view")).__name__})
        described = (500, "internal_error", "AicePS failed to handle this request.", {}, None)
    status_code, code, message, extra, headers = described
    body = error_body(code, message, **extra)
    view = context.get("view")
    if getattr(view, "seed_format", False):
        body["message"] = message  # the seed contract's top-level message
    if status_code == status.HTTP_401_UNAUTHORIZED and not headers:
        headers = {"WWW-Authenticate": 'Bearer realm="api"'}
    return Response(body, status=status_code, headers=headers)
