"""How the OpenAPI schema describes AicePS's own credentials (drf-spectacular extensions,
registered by importing this module: ``AccountsConfig.ready``)."""

from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from drf_spectacular.extensions import OpenApiAuthenticationExtension

from .authentication import SameOriginSessionAuthentication, SupabaseJWTAuthentication


class SupabaseJWTScheme(OpenApiAuthenticationExtension):
    """A session's access token, sent as ``Authorization: Bearer``: minted by the token
    endpoint, which speaks OAuth 2.0's password and refresh grants (so Swagger UI's
    "Authorize" signs in with an email and password), or a Supabase project's own token."""

    target_class = SupabaseJWTAuthentication
    name = "supabaseJWT"

    def get_security_definition(self, auto_schema):
        # The sign-in's `apikey`, when one is required, is public by design (the editor's
        # bundle carries it as VITE_SUPABASE_ANON_KEY); an OAuth 2.0 client sends it here.
        anon_key = settings.AICEPS_AUTH.anon_key
        token_url = "/auth/v1/token" + (f"?{urlencode({'apikey': anon_key})}" if anon_key else "")
        return {
            "type": "oauth2",
            "description": "A session's access token (a JWT), sent as `Authorization: Bearer`; "
            "also a Supabase project's token when `SUPABASE_URL` or `SUPABASE_JWT_SECRET` is "
            "set.",
            "flows": {
                "password": {
                    "tokenUrl": token_url,
                    "refreshUrl": token_url,
                    "scopes": {},
                }
            },
        }


class SameOriginSessionScheme(OpenApiAuthenticationExtension):
    target_class = SameOriginSessionAuthentication
    name = "cookieAuth"

    def get_security_definition(self, auto_schema):
        return {"type": "apiKey", "in": "cookie", "name": settings.SESSION_COOKIE_NAME}


def closed_routes_hidden(endpoints, **kwargs):
    """drf-spectacular preprocessing hook: the schema describes what this instance offers, so
    sign-up is left out while ``AICEPS_OPEN_SIGNUP`` is off (the route still answers GoTrue's
    422 ``signup_disabled``, which the photo editor shows)."""
    if settings.AICEPS_OPEN_SIGNUP:
        return endpoints
    return [endpoint for endpoint in endpoints if endpoint[0] != "/auth/v1/signup"]
