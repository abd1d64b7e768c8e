"""The API's exception handler (DRF's ``EXCEPTION_HANDLER``, for every app's API views): a
failed credential is counted against its address first (``accounts.throttling``), then the
exception is described (``core.api.problems``) and answered in the view's ``error_shape``."""

from __future__ import annotations

import logging

from rest_framework import exceptions

from core.api.problems import Problem, error_response, problem_for

from .throttling import bad_credentials_answer

logger = logging.getLogger(__name__)


def exception_handler(exc: Exception, context: dict):
    view = context.get("view")
    request = context.get("request")
    if isinstance(exc, exceptions.AuthenticationFailed) and request is not None:
        exc = bad_credentials_answer(request, exc)  # 429 past the address's failure rate
    problem = problem_for(exc)
    if problem is None:
        logger.exception("unhandled API error", extra={"view": type(view).__name__})
        problem = Problem(500, "internal_error", "AicePS failed to handle this request.")
    return error_response(problem, shape=getattr(view, "error_shape", "v1"))
