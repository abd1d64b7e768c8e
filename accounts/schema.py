"""How the OpenAPI schema describes AicePS's own credentials (drf-spectacular extensions,
registered by importing this module: ``AccountsConfig.ready``)."""

from __future__ import annotations

from django.conf import settings
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.plumbing import build_bearer_security_scheme_object

from .authentication import SameOriginSessionAuthentication, SupabaseJWTAuthentication


class SupabaseJWTScheme(OpenApiAuthenticationExtension):
    target_class = SupabaseJWTAuthentication
    name = "supabaseJWT"

    def get_security_definition(self, auto_schema):
        return build_bearer_security_scheme_object(
            header_name="Authorization", token_prefix="Bearer", bearer_format="JWT"
        )


class SameOriginSessionScheme(OpenApiAuthenticationExtension):
    target_class = SameOriginSessionAuthentication
    name = "cookieAuth"

    def get_security_definition(self, auto_schema):
        return {"type": "apiKey", "in": "cookie", "name": settings.SESSION_COOKIE_NAME}
