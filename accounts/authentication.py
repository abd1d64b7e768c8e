"""API authentication: DRF tokens sent as ``Bearer`` and Supabase-compatible JWTs.

The photo editor that calls AicePS holds a Supabase session token; with ``SUPABASE_JWT_SECRET``
set, such a token (HS256, audience ``authenticated``) authenticates its ``sub``, mapped to
``User.external_id``. A user seen for the first time is created with the sign-up credits.
"""

from __future__ import annotations

import jwt
from django.conf import settings
from django.db import IntegrityError, transaction
from rest_framework import authentication, exceptions

from .models import User


class BearerTokenAuthentication(authentication.TokenAuthentication):
    keyword = "Bearer"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        # A JWT has dots; DRF token keys never do. Leave JWTs to the next authenticator.
        if len(header) == 2 and b"." in header[1]:
            return None
        return super().authenticate(request)


class SupabaseJWTAuthentication(authentication.BaseAuthentication):
    keyword = "Bearer"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if len(header) != 2 or header[0].lower() != b"bearer" or b"." not in header[1]:
            return None
        secret = settings.SUPABASE_JWT_SECRET
        if not secret:
            raise exceptions.AuthenticationFailed("JWT sign-in is not configured on this server.")
        try:
            claims = jwt.decode(
                header[1].decode("ascii"),
                secret,
                algorithms=["HS256"],
                audience="authenticated",
                options={"require": ["sub", "exp"]},
            )
        except jwt.ExpiredSignatureError as exc:
            raise exceptions.AuthenticationFailed("The token has expired.") from exc
        except (jwt.InvalidTokenError, UnicodeDecodeError) as exc:
            raise exceptions.AuthenticationFailed("The token is not valid.") from exc
        user = user_for_external_identity(subject=str(claims["sub"]), email=claims.get("email"))
        if not user.is_active:
            raise exceptions.AuthenticationFailed("This account is disabled.")
        return user, claims

    def authenticate_header(self, request) -> str:
        return self.keyword


def user_for_external_identity(*, subject: str, email: str | None) -> User:
    user = User.objects.filter(external_id=subject).first()
    if user is not None:
        return user
    try:
        with transaction.atomic():
            return User.objects.create_user(
                username=f"ext-{subject}"[:150], email=email or "", external_id=subject
            )
    except IntegrityError:  # created concurrently by another request
        return User.objects.get(external_id=subject)
