"""From any exception to an answer: one description, then one small mapping per answer shape.

:func:`problem_for` describes an exception as a :class:`Problem` (status, code, message,
param, extra fields, headers): a ``core.errors.DomainError`` describes itself; DRF's and
Django's own errors have a table here; anything else is a 500 that is logged, never a stack
trace. The shapes are ``v1`` (``{"success": false, "error": {"code", "message", …}}``),
``seed`` (the same plus the contract's top-level ``message``) and ``openai`` (OpenAI's
``{"error": {"message", "type", "param", "code"}}``). A view picks its shape with
``error_shape``; the global DRF exception handler (``accounts.api_errors``) answers with them.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.db import DatabaseError, DataError, InterfaceError, OperationalError
from django.http import Http404
from rest_framework import exceptions
from rest_framework.response import Response

from core.availability import MESSAGE as UNAVAILABLE_MESSAGE
from core.availability import RETRY_AFTER_SECONDS, is_unavailable
from core.errors import DomainError
from core.json_bodies import JsonTooDeep
from core.localized import localized_message

logger = logging.getLogger(__name__)

DRF_CODES = {
    JsonTooDeep: JsonTooDeep.default_code,  # before ParseError, which it is
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
DJANGO_ERRORS = {
    Http404: (404, "not_found", "Not found."),
    PermissionDenied: (403, "permission_denied", "You may not do this."),
    RequestDataTooBig: (413, "request_too_large", "The request is too large."),
    DataError: (400, "invalid_request", "A value in the request is out of range."),
}


class ApiError(DomainError):
    """An adapter's own refusal: ``ApiError(code, message, status, **extra)``."""

    def __init__(self, code: str, message: str, status: int = 400, **extra) -> None:
        param = extra.pop("param", None)
        super().__init__(message, code=code, status=status, param=param, **extra)


@dataclass
class Problem:
    status: int
    code: str
    message: str
    param: str | None = None
    extra: dict = field(default_factory=dict)
    headers: dict = field(default_factory=dict)


def _validation_message(detail) -> tuple[str, str | None]:
    if isinstance(detail, dict):
        for name, errors in detail.items():
            text, _ = _validation_message(errors)
            return (text, None) if name == "non_field_errors" else (f"{name}: {text}", name)
    if isinstance(detail, list) and detail:
        return _validation_message(detail[0])
    return str(detail), None


def _drf_problem(exc: exceptions.APIException) -> Problem:
    code = next((c for t, c in DRF_CODES.items() if isinstance(exc, t)), "error")
    problem = Problem(exc.status_code, code, str(exc.detail))
    if isinstance(exc, exceptions.ValidationError):
        problem.message, problem.param = _validation_message(exc.detail)
        if isinstance(exc.detail, dict):
            problem.extra["fields"] = exc.detail
    wait = getattr(exc, "wait", None)  # set on Throttled; the stubs do not declare it
    if isinstance(exc, exceptions.Throttled) and wait is not None:
        problem.extra["retry_after"] = round(wait)
        problem.headers["Retry-After"] = str(max(1, round(wait)))
    if isinstance(exc, exceptions.NotAuthenticated | exceptions.AuthenticationFailed):
        problem.headers["WWW-Authenticate"] = 'Bearer realm="api"'
    return problem


def problem_for(exc: Exception) -> Problem | None:
    """The answer to ``exc``, its message in the request's language; None for an exception
    nobody expected (a bug). DRF's own messages come translated by DRF."""
    problem = _problem(exc)
    if problem is not None and not isinstance(exc, exceptions.APIException):
        problem.message = localized_message(
            problem.code, problem.message, param=problem.param, extra=problem.extra
        )
    return problem


def _problem(exc: Exception) -> Problem | None:
    if isinstance(exc, DomainError):
        problem = Problem(exc.status, exc.code, exc.message, exc.param, dict(exc.extra))
        if exc.retry_after:
            problem.headers["Retry-After"] = str(max(1, round(exc.retry_after)))
            problem.extra["retry_after"] = round(exc.retry_after)
        if exc.detail:
            logger.info("refused", extra={"code": exc.code, "detail": exc.detail})
        return problem
    if isinstance(exc, exceptions.APIException):
        return _drf_problem(exc)
    for kind, (status, code, message) in DJANGO_ERRORS.items():
        if isinstance(exc, kind):
            return Problem(status, code, message)
    if is_unavailable(exc):  # Redis (throttle counters, the broker) is away
        logger.warning("dependency unavailable", extra={"error": type(exc).__name__})
        return Problem(
            503,
            "service_unavailable",
            UNAVAILABLE_MESSAGE,
            extra={"retry_after": RETRY_AFTER_SECONDS},
            headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
        )
    if isinstance(exc, OperationalError | InterfaceError):  # a connection, not a query
        logger.exception("database unavailable")
        return Problem(
            503,
            "service_unavailable",
            "The database is unavailable; try again soon.",
            headers={"Retry-After": "5"},
        )
    if isinstance(exc, DatabaseError):
        logger.exception("database error")
    return None


# --- Answer shapes ------------------------------------------------------------------------


def v1_body(problem: Problem) -> dict:
    error = {"code": problem.code, "message": problem.message}
    if problem.param:
        error["param"] = problem.param
    error.update({key: value for key, value in problem.extra.items() if value is not None})
    return {"success": False, "error": error}


def seed_body(problem: Problem) -> dict:
    return {**v1_body(problem), "message": problem.message}  # the contract's top-level message


OPENAI_TYPES = {400: "invalid_request_error", 401: "authentication_error"}
OPENAI_TYPES |= {402: "insufficient_quota", 403: "permission_error", 404: "not_found_error"}
OPENAI_TYPES |= {409: "conflict_error", 413: "invalid_request_error", 422: "invalid_request_error"}
OPENAI_TYPES |= {429: "rate_limit_error"}


def openai_type(status: int, code: str) -> str:
    if code == "insufficient_credits":
        return "insufficient_quota"
    return OPENAI_TYPES.get(status, "server_error" if status >= 500 else "invalid_request_error")


def openai_body(problem: Problem) -> dict:
    """OpenAI's envelope; AicePS's code stays in ``code``, its extra fields beside it."""
    error = {
        "message": problem.message,
        "type": openai_type(problem.status, problem.code),
        "param": problem.param,
        "code": problem.code,
    }
    error.update({key: value for key, value in problem.extra.items() if key not in error})
    return {"error": error}


SHAPES = {"v1": v1_body, "seed": seed_body, "openai": openai_body}


def error_response(problem: Problem, *, shape: str = "v1") -> Response:
    headers = dict(problem.headers)
    if problem.status == 401 and "WWW-Authenticate" not in headers:
        headers["WWW-Authenticate"] = 'Bearer realm="api"'
    return Response(SHAPES[shape](problem), status=problem.status, headers=headers)
