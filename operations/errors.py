"""Error pages of the site: a database that cannot be reached answers 503, not 500.

``handler500`` of ``aiceps.urls``. When what failed is a connection to the database (the
server is down, restarting, unreachable), pages and the admin answer a small 503 page with
``Retry-After``, rendered without touching the database; every other error is Django's own
500. The API answers its JSON 503 itself (``generation.api.errors``).
"""

from __future__ import annotations

import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.views.defaults import server_error as django_server_error

RETRY_AFTER_SECONDS = 5


def is_connection_error(exc: BaseException | None) -> bool:
    return isinstance(exc, OperationalError | InterfaceError)


def server_error(request, *args, **kwargs):
    if is_connection_error(sys.exc_info()[1]):
        response = HttpResponse(render_to_string("503.html"), status=503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        response["Cache-Control"] = "no-store"
        return response
    return django_server_error(request, *args, **kwargs)
