"""What a locked-out sign-in gets (django-axes' ``AXES_LOCKOUT_CALLABLE``): the photo editor's
GoTrue endpoints answer GoTrue's JSON error, the pages a page; both say when to try again."""

from __future__ import annotations

from axes.helpers import get_cool_off
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from accounts.gotrue.errors import gotrue_body

GOTRUE_PREFIX = "/auth/v1/"


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials=None
) -> HttpResponse:
    retry_after = getattr(request, "aiceps_retry_after", None)  # the sign-in gate's lock
    if retry_after is None:
        cool_off = get_cool_off(request)
        retry_after = max(1, int(cool_off.total_seconds())) if cool_off else 900
    if request.path.startswith(GOTRUE_PREFIX):
        message = "Too many wrong passwords for this account or address: try again later"
        response: HttpResponse = JsonResponse(
            gotrue_body(429, "over_request_rate_limit", message), status=429
        )
    else:
        response = render(request, "registration/locked.html", status=429)
    response["Retry-After"] = str(retry_after)
    return response
