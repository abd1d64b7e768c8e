"""Who may call the API, and how often: the permission, throttles and acting user every
app's API views share (``ApiViewMixin``)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from django.conf import settings
from rest_framework import permissions
from rest_framework.throttling import BaseThrottle

if TYPE_CHECKING:
    pass

from .api_keys import request_api_key
from .models import ApiKey, User
from .throttling import UserRateThrottle

ANONYMOUS_USERNAME = "anonymous"


class IsAuthenticatedOrAnonymousAllowed(permissions.BasePermission):
    """Authenticated callers only, unless ``AICEPS_ALLOW_ANONYMOUS`` lets anyone in (their
    tasks then belong to one shared ``anonymous`` account with its own credits)."""

    message = "Authentication credentials were not provided."

    def has_permission(self, request, view) -> bool:
        return bool(request.user and request.user.is_authenticated) or (
            settings.AICEPS_ALLOW_ANONYMOUS
        )


def acting_user(request) -> User:
    if request.user and request.user.is_authenticated:
        return request.user
    user, _ = User.objects.get_or_create(username=ANONYMOUS_USERNAME)
    return user


def acting_api_key(request) -> ApiKey | None:
    """The API key the request came with (its budget counts what it creates)."""
    return request_api_key(request)


class SubmitRateThrottle(UserRateThrottle):
    """Submissions cost model time; they get a rate of their own per user (anonymous callers
    per address), for the API and the web form alike (``submission_throttled``). Counted
    atomically in the shared cache: of 100 concurrent submissions against 30/min, 30 pass."""

    scope = "submit"

    def get_rate(self) -> str:
        return settings.AICEPS_THROTTLE_SUBMIT


def submission_throttled(request) -> float | None:
    """Seconds to wait when the user is over the submission rate (counting this one), else
    None. For callers outside DRF, such as the web form. Raises ``RateLimiterUnavailable``
    when nothing can count (submissions never pass uncounted)."""
    throttle = SubmitRateThrottle()
    if throttle.allow_request(request, None):
        return None
    return throttle.wait() or 1.0


class ApiViewMixin:
    permission_classes: Sequence[type[permissions.BasePermission]] = [
        IsAuthenticatedOrAnonymousAllowed
    ]
    throttle_classes: Sequence[type[BaseThrottle]] = [UserRateThrottle]
