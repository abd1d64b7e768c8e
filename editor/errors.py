"""The editor's error answer: ``{"success": false, "error": "<message>", "message":
"<message>", "code": "<code>", ...}``.

The editor shows ``message || error`` and expects both to be strings (its old backend sent
``{"error": "...", "message": "..."}``), unlike the v1 shape whose ``error`` is an object. The
description of the error is the shared one (``core.api.problems.problem_for``); only the
rendering differs.
"""

from __future__ import annotations

import logging

from rest_framework import exceptions
from rest_framework.response import Response

from accounts.throttling import bad_credentials_answer
from core.api.problems import Problem, problem_for

logger = logging.getLogger(__name__)


def editor_body(problem: Problem) -> dict:
    body = {
        "success": False,
        "error": problem.message,
        "message": problem.message,
        "code": problem.code,
    }
    if problem.param:
        body["param"] = problem.param
    body.update({k: v for k, v in problem.extra.items() if v is not None and k not in body})
    return body


def editor_error(problem: Problem, **fields) -> Response:
    headers = dict(problem.headers)
    if problem.status == 401:
        headers.setdefault("WWW-Authenticate", 'Bearer realm="api"')
    return Response({**editor_body(problem), **fields}, status=problem.status, headers=headers)


def exception_handler(exc: Exception, context: dict) -> Response:
    request = context.get("request")
    if isinstance(exc, exceptions.AuthenticationFailed) and request is not None:
        exc = bad_credentials_answer(request, exc)  # 429 past the address's failure rate
    problem = problem_for(exc)
    if problem is None:
        view = context.get("view")
        logger.exception("unhandled editor API error", extra={"view": type(view).__name__})
        problem = Problem(500, "internal_error", "AicePS failed to handle this request.")
    return editor_error(problem)
