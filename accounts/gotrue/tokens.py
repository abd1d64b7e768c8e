"""AicePS-issued session JWTs: what a Supabase access token holds, signed by AicePS.

HS256 with the secret of ``settings.AICEPS_AUTH`` (``AICEPS_AUTH_JWT_SECRET``; by default a key
derived from ``DJANGO_SECRET_KEY``), its issuer, audience ``authenticated``, its access-token
lifetime. Each token names its sign-in session; a token of a
session that was signed out is refused although it has not expired yet.
"""

from __future__ import annotations

import hashlib
import hmac
import time
import uuid
from dataclasses import dataclass

import jwt
from django.conf import settings

from ..identities import Provider, identity_get
from ..models import ExternalIdentity, SignInSession, User
from .errors import GoTrueError

AUDIENCE = "authenticated"


def signing_secret() -> str:
    explicit = settings.AICEPS_AUTH.jwt_secret
    if explicit:
        return explicit
    return hmac.new(
        settings.SECRET_KEY.encode(), b"aiceps.gotrue.access-token", hashlib.sha256
    ).hexdigest()


def issuer() -> str:
    return settings.AICEPS_AUTH.issuer


def issue_access_token(
    *, user: User, identity: ExternalIdentity, session: SignInSession
) -> tuple[str, int]:
    """(token, expires_at as a Unix time)."""
    now = int(time.time())
    expires_at = now + settings.AICEPS_AUTH.access_token_seconds
    claims = {
        "iss": issuer(),
        "aud": AUDIENCE,
        "sub": identity.subject,
        "iat": now,
        "exp": expires_at,
        "email": user.email,
        "phone": "",
        "role": "authenticated",
        "aal": "aal1",
        "amr": [{"method": "password", "timestamp": now}],
        "session_id": str(session.pk),
        "is_anonymous": False,
        "app_metadata": {"provider": "email", "providers": ["email"]},
        "user_metadata": identity.metadata or {},
    }
    return jwt.encode(claims, signing_secret(), algorithm="HS256"), expires_at


@dataclass(frozen=True)
class Verified:
    user: User
    identity: ExternalIdentity
    session: SignInSession
    claims: dict


def is_aiceps_token(unverified_claims: dict) -> bool:
    return unverified_claims.get("iss") == issuer()


def verify_access_token(token: str) -> Verified:
    """The user, identity and live session of an AicePS access token, or a GoTrueError
    (401 ``bad_jwt`` for a bad or expired token, 403 ``session_not_found`` for a session
    that was signed out)."""
    try:
        claims = jwt.decode(
            token,
            signing_secret(),
            algorithms=["HS256"],
            audience=AUDIENCE,
            issuer=issuer(),
            options={"require": ["sub", "exp", "session_id", "iss", "aud"]},
        )
    except jwt.ExpiredSignatureError as exc:
        raise GoTrueError(401, "bad_jwt", "invalid JWT: token has expired") from exc
    except jwt.InvalidTokenError as exc:
        raise GoTrueError(401, "bad_jwt", "invalid JWT: unable to parse or verify") from exc
    identity = identity_get(provider=Provider.AICEPS, subject=str(claims["sub"]))
    session = (
        SignInSession.objects.filter(pk=_uuid_or_none(claims["session_id"]), revoked_at=None)
        .select_related("user")
        .first()
    )
    if identity is None or session is None or session.user_id != identity.user_id:
        raise GoTrueError(
            403, "session_not_found", "Session from session_id claim in JWT does not exist"
        )
    if not session.user.is_active:
        raise GoTrueError(403, "user_banned", "User is banned")
    return Verified(session.user, identity, session, claims)


def _uuid_or_none(value):
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None
