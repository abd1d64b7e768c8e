"""Rate limits as one atomic check-and-count in the shared cache, never failing open.

Every limit here is django-ratelimit's fixed window (``get_usage(..., increment=True)``:
the cache's ``add`` then ``incr``, atomic on Redis, on the local-memory cache and on
AicePS's database cache, :mod:`core.cache`), so concurrent requests each get their own
count: of 100 at once against 30/min, 30 pass. A cache that cannot answer refuses (503),
it never lets everything through. Addresses are :func:`core.client_address.client_address`
(trusted proxies only).

* :class:`AtomicRateThrottle`: the base of the DRF throttles (per user, submissions, the
  sign-in endpoints per address).
* Failed API credentials (``AICEPS_THROTTLE_BAD_CREDENTIALS``, 20 a minute by default) count
  against the address they came from, failures only. Past the rate, a credential that fails
  there is answered 429 instead of 401; a valid one still passes, so one address guessing
  does not lock out everyone behind the same NAT.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django_ratelimit.core import get_usage
from rest_framework import authentication, exceptions, status, throttling

from core.client_address import client_address
from core.errors import DomainError

logger = logging.getLogger(__name__)


# Both bases define ``detail``; DomainError's __init__ runs, so its (a string) is the one.
class RateLimiterUnavailable(DomainError, exceptions.APIException):  # type: ignore[misc]
    """503 ``rate_limiter_unavailable``: a DomainError for the API's error shapes, an
    APIException for DRF's own handlers (the sign-in endpoints')."""

    code = default_code = "rate_limiter_unavailable"
    status = status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    retryable = True
    default_message = default_detail = "The rate limiter cannot be reached; try again shortly."

    def __init__(self) -> None:
        DomainError.__init__(self, retry_after=5)
        self.detail = exceptions.ErrorDetail(self.message, code=self.code)


def count_and_check(*, group: str, ident: str, rate: str) -> float | None:
    """Count one event of ``ident`` in ``group``; seconds to wait when that made it go over
    ``rate`` (``"30/min"``), else None. Raises :class:`RateLimiterUnavailable` when the cache
    cannot count."""
    try:
        usage = get_usage(
            None, group=group, key=lambda _group, _request: ident, rate=rate, increment=True
        )
    except Exception as exc:  # Redis away, the cache table locked: refuse, never let through
        logger.warning("rate limiter unavailable", extra={"group": group, "error": str(exc)})
        raise RateLimiterUnavailable() from exc
    if usage is None:
        return None  # RATELIMIT_ENABLE off
    if usage["limit"] == 0 and usage["time_left"] == -1:
        raise RateLimiterUnavailable()  # django-ratelimit's "the cache failed to count"
    return float(max(1, usage["time_left"])) if usage["should_limit"] else None


class AtomicRateThrottle(throttling.BaseThrottle):
    """A DRF throttle on :func:`count_and_check`. Subclasses name ``scope`` and ``get_rate``
    and may change ``get_ident_key``."""

    scope = ""

    def get_rate(self) -> str:
        raise NotImplementedError

    def get_ident(self, request) -> str:
        return client_address(request)

    def get_ident_key(self, request) -> str:
        return f"address:{self.get_ident(request)}"

    def allow_request(self, request, view) -> bool:
        self._wait = count_and_check(
            group=self.scope, ident=self.get_ident_key(request), rate=self.get_rate()
        )
        return self._wait is None

    def wait(self) -> float | None:
        return getattr(self, "_wait", None)


class UserRateThrottle(AtomicRateThrottle):
    """Every API call of a user (``AICEPS_THROTTLE_USER``); anonymous callers per address."""

    scope = "user"

    def get_rate(self) -> str:
        return settings.AICEPS_THROTTLE_USER  # read per request, not once at import

    def get_ident_key(self, request) -> str:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            return f"user:{user.pk}"
        return super().get_ident_key(request)


def bad_credentials_answer(request, exc: Exception) -> Exception:
    """What to answer for a failed authentication (``exc``): counted against the request's
    address; past ``AICEPS_THROTTLE_BAD_CREDENTIALS`` a 429 instead of ``exc``."""
    if not authentication.get_authorization_header(request):
        return exc  # sessions and anonymous callers are not guessing tokens
    try:
        wait = count_and_check(
            group="bad_credentials",
            ident=f"address:{client_address(request)}",
            rate=settings.AICEPS_THROTTLE_BAD_CREDENTIALS,  # read now: settings change
        )
    except RateLimiterUnavailable as unavailable:
        return unavailable  # called from an error handler: answered, not raised
    if wait is None:
        return exc
    return exceptions.Throttled(wait=wait, detail="Too many failed sign-ins from here.")


class BadCredentialsGuard(authentication.BaseAuthentication):
    """First of the authentication classes; it looks at no credential (failures are counted
    by the API's exception handlers, :func:`bad_credentials_answer`). It is there so DRF
    answers a missing or failed credential with 401 and a ``WWW-Authenticate`` scheme."""

    def authenticate(self, request):
        return None

    def authenticate_header(self, request) -> str:
        # DRF answers 401 (not 403) only when its first authentication class names a scheme.
        return 'Bearer realm="api"'
