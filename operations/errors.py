"""Error pages of the site: a database that cannot be reached answers 503, not 500; an
unknown path under the APIs answers JSON.

``handler500`` of ``aiceps.urls``. When what failed is a connection to the database (the
server is down, restarting, unreachable) or to Redis (the throttles' cache), pages and the
admin answer a small 503 page with ``Retry-After``, rendered without touching the database;
every other error is Django's own 500. The API answers its JSON errors itself
(``core.api.problems``); whatever still escapes to here under ``/api/`` or ``/v1/`` (an
error on the event loop, around a wait) answers JSON too, never an HTML page.
"""

from __future__ import annotations

import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.views.defaults import page_not_found as django_page_not_found
from django.views.defaults import server_error as django_server_error

from core.availability import is_unavailable

RETRY_AFTER_SECONDS = 5
API_PREFIXES = ("/api/", "/v1/")


def is_connection_error(exc: BaseException | None) -> bool:
    return isinstance(exc, OperationalError | InterfaceError) or (
        exc is not None and is_unavailable(exc)
    )


def _api_error(request, unavailable: bool) -> JsonResponse:
    status = 503 if unavailable else 500
    code = "service_unavailable" if unavailable else "internal_error"
    message = (
        "A service AicePS needs is briefly unavailable; try again soon."
        if unavailable
        else "AicePS failed to handle this request."
    )
    if request.path.startswith("/v1/"):
        body = {"error": {"message": message, "type": "server_error", "param": None, "code": code}}
    else:
        body = {"success": False, "error": {"code": code, "message": message}}
    response = JsonResponse(body, status=status)
    if unavailable:
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def server_error(request, *args, **kwargs):
    unavailable = is_connection_error(sys.exc_info()[1])
    if request.path.startswith(API_PREFIXES):
        return _api_error(request, unavailable)
    if unavailable:
        response = HttpResponse(render_to_string("503.html"), status=503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        response["Cache-Control"] = "no-store"
        return response
    return django_server_error(request, *args, **kwargs)


def page_not_found(request, exception=None):
    """A path no route matches: JSON under the APIs (OpenAI's envelope under ``/v1/``), the
    HTML page elsewhere."""
    if request.path.startswith("/v1/"):
        error = {"message": "Unknown path.", "type": "not_found_error", "param": None}
        return JsonResponse({"error": {**error, "code": "not_found"}}, status=404)
    if request.path.startswith(API_PREFIXES):
        error = {"code": "not_found", "message": "Unknown path."}
        return JsonResponse({"success": False, "error": error}, status=404)
    return django_page_not_found(request, exception)
