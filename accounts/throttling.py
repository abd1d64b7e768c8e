"""Throttling what can be guessed on the API: failed credentials, per client address.

Every token or JWT that fails to authenticate counts against the address it came from
(``AICEPS_THROTTLE_BAD_CREDENTIALS``, 20 a minute by default, in the shared cache). Past it,
:class:`BadCredentialsGuard` answers 429 to that address before any credential is looked at,
good ones included, until the window has passed: a guesser learns nothing more.
"""

from __future__ import annotations

from django.conf import settings
from rest_framework import authentication, exceptions, throttling


class _BadCredentials(throttling.SimpleRateThrottle):
    scope = "bad_credentials"

    def get_rate(self) -> str:
        return settings.AICEPS_THROTTLE_BAD_CREDENTIALS  # read now: tests and settings change

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}

    def over(self, request) -> float | None:
        """Seconds to wait when the address is over its rate, else None (nothing counted)."""
        self.key = self.get_cache_key(request, None)
        self.history = self.cache.get(self.key, [])
        self.now = self.timer()
        while self.history and self.history[-1] <= self.now - self.duration:
            self.history.pop()
        return self.wait() if len(self.history) >= self.num_requests else None

    def count(self, request) -> None:
        self.over(request)
        self.history.insert(0, self.now)
        self.cache.set(self.key, self.history, self.duration)


def record_bad_credentials(request) -> None:
    """Count a failed authentication of ``request`` against its address."""
    if authentication.get_authorization_header(request):
        _BadCredentials().count(request)


class BadCredentialsGuard(authentication.BaseAuthentication):
    """First of the authentication classes: refuses an address over its failure rate."""

    def authenticate(self, request):
        if not authentication.get_authorization_header(request):
            return None  # sessions and anonymous callers are not guessing tokens
        wait = _BadCredentials().over(request)
        if wait is not None:
            raise exceptions.Throttled(wait=wait, detail="Too many failed sign-ins from here.")
        return None

    def authenticate_header(self, request) -> str:
        # DRF answers 401 (not 403) only when its first authentication class names a scheme.
        return 'Bearer realm="api"'


class UserRateThrottle(throttling.UserRateThrottle):
    """Every API call of a user (``AICEPS_THROTTLE_USER``)."""

    scope = "user"

    def get_rate(self) -> str:
        return settings.AICEPS_THROTTLE_USER  # read per request, not once at import
