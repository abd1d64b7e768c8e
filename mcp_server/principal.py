"""Who is calling: the same credentials as the API, checked by the API's own authenticators.

Over HTTP, every request carries ``Authorization: Bearer`` with an API key (``aiceps_…``: its
expiry and revocation are checked here, its budget when a task is charged), a DRF token or a
session JWT; nothing anonymous. An address that sent too many bad credentials is refused
before any lookup (``accounts.throttling``), and every failure counts against it. Over stdio,
the operator who starts ``manage.py mcp --user NAME`` names the user.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.http import HttpRequest
from rest_framework import exceptions
from rest_framework.request import Request

from accounts.api_keys import ApiKeyAuthentication
from accounts.authentication import BearerTokenAuthentication, SupabaseJWTAuthentication
from accounts.models import ApiKey, User
from accounts.throttling import BadCredentialsGuard, RateLimiterUnavailable, bad_credentials_answer
from core.client_address import client_address

AUTHENTICATORS = (
    BadCredentialsGuard,
    ApiKeyAuthentication,
    BearerTokenAuthentication,
    SupabaseJWTAuthentication,
)


@dataclass(frozen=True)
class Principal:
    user: User
    api_key: ApiKey | None = None

    @property
    def client_id(self) -> str:
        """Identifies the credential: an MCP session is bound to the one that opened it."""
        key = f":key:{self.api_key.pk}" if self.api_key else ""
        return f"user:{self.user.pk}{key}"


class Refused(Exception):
    def __init__(self, status: int, message: str, *, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.status, self.message, self.retry_after = status, message, retry_after


def client_ip_of(peer: str, forwarded_for: str = "") -> str:
    """The client's address as every entry point reads it (``core.client_address``: the
    peer, or ``X-Forwarded-For`` from trusted proxies)."""
    probe = HttpRequest()
    probe.META = {"REMOTE_ADDR": peer or "", "HTTP_X_FORWARDED_FOR": forwarded_for or ""}
    return client_address(probe)


def drf_request(*, authorization: str = "", client_ip: str = "", user=None) -> Request:
    """A DRF request carrying only what authenticators and throttles read."""
    django_request = HttpRequest()
    django_request.method = "POST"
    django_request.META = {"REMOTE_ADDR": client_ip or "127.0.0.1"}
    if authorization:
        django_request.META["HTTP_AUTHORIZATION"] = authorization
    request = Request(django_request)
    if user is not None:
        request.user = user
    return request


def authenticate(*, authorization: str, client_ip: str) -> Principal:
    """The principal of a ``Bearer`` header, or :class:`Refused` (401, 429)."""
    if not authorization.strip():
        raise Refused(401, "Send Authorization: Bearer with an API key, a token or a session JWT.")
    request = drf_request(authorization=authorization, client_ip=client_ip)
    try:
        for authenticator in AUTHENTICATORS:
            found = authenticator().authenticate(request)
            if found is None:
                continue
            user, auth = found
            if not user.is_active:
                raise exceptions.AuthenticationFailed("This account is disabled.")
            return Principal(user=user, api_key=auth if isinstance(auth, ApiKey) else None)
    except exceptions.Throttled as exc:
        raise Refused(429, str(exc.detail), retry_after=exc.wait) from None
    except exceptions.APIException as exc:
        raise _refusal(request, exc) from None
    raise _refusal(request, exceptions.AuthenticationFailed("The credentials are not valid."))


def _refusal(request, failed: exceptions.APIException) -> Refused:
    """A failed credential, counted against the caller's address (accounts.throttling): 401,
    or 429 past ``AICEPS_THROTTLE_BAD_CREDENTIALS``, or 503 when nothing can count it."""
    answer = bad_credentials_answer(request, failed)
    if isinstance(answer, exceptions.Throttled):
        return Refused(429, str(answer.detail), retry_after=answer.wait)
    if isinstance(answer, RateLimiterUnavailable):
        return Refused(503, str(answer.detail))
    return Refused(401, str(failed.detail))


def principal_for_username(username: str) -> Principal:
    user = User.objects.filter(username=username, is_active=True).first()
    if user is None:
        raise Refused(401, f"No active user named {username!r}.")
    return Principal(user=user)
