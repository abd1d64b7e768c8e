"""Operations endpoints: ``/healthz``, ``/readyz`` and ``/metrics``.

``/healthz``
    The process answers; touches nothing else (no database), for a liveness probe.
``/readyz``
    The database, the file storage and the queue broker each answer, with their latency;
    503 when one does not, 200 with ``"status": "degraded"`` when S3 is away but the local
    fallback serves (see :mod:`operations.checks`).
``/metrics``
    Prometheus text format (see :mod:`operations.collectors`); with ``AICEPS_METRICS_TOKEN``
    set, only for ``Authorization: Bearer <token>``.
"""

from __future__ import annotations

import os

from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.utils.crypto import constant_time_compare
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from . import collectors
from .checks import run_checks


@never_cache
@require_safe
def healthz(request):
    return JsonResponse({"status": "ok", "pid": os.getpid()})


@never_cache
@require_safe
def readyz(request):
    checks = run_checks()
    ready = all(check["ok"] for check in checks.values())
    degraded = any(check.get("degraded") for check in checks.values())
    status = "unavailable" if not ready else "degraded" if degraded else "ok"
    return JsonResponse({"status": status, "checks": checks}, status=200 if ready else 503)


def _authorized(request) -> bool:
    """The metrics token, when one is set; without one, only in development (DEBUG): the
    metrics name providers, routes and volumes an outsider has no business reading."""
    token = getattr(settings, "AICEPS_METRICS_TOKEN", "")
    if not token:
        return settings.DEBUG
    scheme, _, given = request.headers.get("Authorization", "").partition(" ")
    return scheme.lower() == "bearer" and constant_time_compare(given.strip(), token)


@never_cache
@require_safe
def metrics_view(request):
    if not _authorized(request):
        message = (
            "A metrics token is required."
            if settings.AICEPS_METRICS_TOKEN
            else "Metrics are off until AICEPS_METRICS_TOKEN is set."
        )
        response = JsonResponse(
            {"error": {"code": "not_authenticated", "message": message}}, status=401
        )
        response["WWW-Authenticate"] = 'Bearer realm="metrics"'
        return response
    return HttpResponse(collectors.render(), content_type=collectors.CONTENT_TYPE)
