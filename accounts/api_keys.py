"""API authentication by named API keys: ``Authorization: Bearer aiceps_…``.

Listed first in ``DEFAULT_AUTHENTICATION_CLASSES``: it answers only for keys that start
with ``aiceps_`` (DRF tokens are 40 hex digits and JWTs hold dots, so neither ever does)
and leaves every other header to the token and JWT authenticators. ``request.auth`` is
then the :class:`~accounts.models.ApiKey`, which task creation charges against.
"""

from __future__ import annotations

from rest_framework import authentication, exceptions

from .key_services import ApiKeyError, api_key_authenticate, looks_like_api_key
from .models import ApiKey


class ApiKeyAuthentication(authentication.BaseAuthentication):
    keyword = "Bearer"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if len(header) != 2 or header[0].lower() != b"bearer":
            return None
        try:
            raw = header[1].decode("ascii")
        except UnicodeDecodeError:
            return None
        if not looks_like_api_key(raw):
            return None
        try:
            api_key = api_key_authenticate(raw=raw)
        except ApiKeyError as error:
            raise exceptions.AuthenticationFailed(error.message, code=error.code) from None
        return api_key.user, api_key

    def authenticate_header(self, request) -> str:
        return self.keyword


def request_api_key(request) -> ApiKey | None:
    """The API key a request authenticated with, if any."""
    auth = getattr(request, "auth", None)
    return auth if isinstance(auth, ApiKey) else None
