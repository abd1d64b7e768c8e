"""Per-request metrics and one log line per request.

The line (logger ``aiceps.request``) holds the method, the URL's route pattern (never the raw
path: ids, tokens and file keys stay out), the status, the duration in ms and the user's id
when the request was authenticated. Nothing from headers or bodies is written. With
``AICEPS_LOG_JSON`` the fields are JSON keys (``core.logging.JsonFormatter``).

Put it first in ``MIDDLEWARE`` so its time covers every other middleware. It never loads the
user: the id is read only if authentication already happened, so ``/healthz`` stays free of
database queries. A streamed answer (server-sent events, files) is timed to its first byte.
"""

from __future__ import annotations

import logging
import time

from asgiref.sync import iscoroutinefunction, markcoroutinefunction
from django.conf import settings
from django.utils.functional import SimpleLazyObject, empty

from core import metrics
from core.client_address import client_address

logger = logging.getLogger("aiceps.request")
UNMATCHED = "<unmatched>"
STATIC = "<static>"  # files WhiteNoise serves before URL resolution
METHODS = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}


def route_of(request) -> str:
    match = getattr(request, "resolver_match", None)
    if match is None or match.route is None:
        static = settings.STATIC_URL or ""
        return STATIC if static.startswith("/") and request.path.startswith(static) else UNMATCHED
    return "/" + match.route.lstrip("^/")


def method_of(request) -> str:
    method = request.method or ""
    return method if method in METHODS else "OTHER"  # a client picks it: bound the labels


def user_id_of(request):
    """The authenticated user's id, without triggering authentication (no query)."""
    user = request.__dict__.get("user")
    if isinstance(user, SimpleLazyObject):
        user = user._wrapped
        if user is empty:
            return None
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return user.pk


class RequestMetricsMiddleware:
    """Native in both modes: under ASGI it never hands the request to a thread (a waiting
    answer must cost a socket, not a thread), under WSGI it is plain sync code."""

    sync_capable = True
    async_capable = True

    def __init__(self, get_response):
        self.get_response = get_response
        if iscoroutinefunction(get_response):
            markcoroutinefunction(self)

    def __call__(self, request):
        if iscoroutinefunction(self):
            return self.__acall__(request)
        started = time.perf_counter()
        response = self.get_response(request)
        record(request, response, time.perf_counter() - started)
        return response

    async def __acall__(self, request):
        started = time.perf_counter()
        response = await self.get_response(request)
        record(request, response, time.perf_counter() - started)
        return response


def record(request, response, seconds: float) -> None:
    route, method = route_of(request), method_of(request)
    metrics.request_finished(
        route=route, method=method, status=response.status_code, seconds=seconds
    )
    logger.info(
        "request",
        extra={
            "method": method,
            "route": route,
            "status": response.status_code,
            "duration_ms": round(seconds * 1000, 1),
            "user_id": user_id_of(request),
            "client": client_address(request),  # the one address lockouts and throttles use
        },
    )
