"""API authentication: DRF tokens sent as ``Bearer``, session JWTs, and the same-origin cookie.

Session JWTs come from two issuers:

* AicePS's own Supabase-compatible sign-in (``accounts.gotrue``): issuer
  ``AICEPS_AUTH_ISSUER``; the token's sign-in session must not have been signed out.
* A Supabase project the deployment keeps: ES256/RS256 tokens verified against the project's
  JWKS (``SUPABASE_URL``, cached, see :mod:`accounts.jwks`), or legacy HS256 tokens verified
  with ``SUPABASE_JWT_SECRET``. The audience must be ``authenticated`` and, when
  ``SUPABASE_URL`` is set, the issuer ``{SUPABASE_URL}/auth/v1``. ``sub`` names the user
  (``accounts.identities``; a new one gets the sign-up credits). A token whose email is an
  existing account's is refused (403 ``identity_not_linked``) until that account's owner
  links it (``POST /api/v1/identities``); no second account is made with that email.

:class:`SameOriginSessionAuthentication` accepts Django's session cookie (set by a sign-in on
the same origin) without a CSRF token, but only for requests that prove they come from a page
of AicePS's own origin (:mod:`accounts.origin`); other writes are refused with 403, other
reads are treated as not signed in.
"""

from __future__ import annotations

import jwt
from django.conf import settings
from rest_framework import authentication, exceptions

from .gotrue.errors import GoTrueError
from .gotrue.sessions import sign_in_session_active
from .gotrue.tokens import is_aiceps_token, verify_access_token
from .identities import IdentityNotLinked, Provider, identity_user
from .jwks import ASYMMETRIC, JwksError, signing_key
from .models import User
from .origin import SAFE_METHODS, is_same_origin

AUDIENCE = "authenticated"


# Both bases define ``detail``; DomainError's __init__ runs, so its (a string) is the one.
class IdentityNotLinkedDenied(IdentityNotLinked, exceptions.PermissionDenied):  # type: ignore[misc]
    """:class:`IdentityNotLinked` as DRF's authenticators must raise it (an APIException),
    answered with its own code (403 ``identity_not_linked``) by the API's error handlers."""

    status_code = IdentityNotLinked.status

    def __init__(self) -> None:
        IdentityNotLinked.__init__(self)
        self.detail = exceptions.ErrorDetail(self.message, code=self.code)


class BearerTokenAuthentication(authentication.TokenAuthentication):
    keyword = "Bearer"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        # A JWT has dots; DRF token keys never do. Leave JWTs to the next authenticator.
        if len(header) == 2 and b"." in header[1]:
            return None
        return super().authenticate(request)


def supabase_issuer() -> str | None:
    explicit = getattr(settings, "SUPABASE_JWT_ISSUER", "")
    if explicit:
        return explicit
    base = (settings.SUPABASE_URL or "").rstrip("/")
    return f"{base}/auth/v1" if base else None


def verify_supabase_token(token: str) -> dict:
    """The claims of a Supabase session JWT, or AuthenticationFailed."""
    try:
        header = jwt.get_unverified_header(token)
    except jwt.InvalidTokenError as exc:
        raise exceptions.AuthenticationFailed("The token is not valid.") from exc
    algorithm = header.get("alg")
    if algorithm == "HS256":
        key = settings.SUPABASE_JWT_SECRET
        if not key:
            raise exceptions.AuthenticationFailed("JWT sign-in is not configured on this server.")
    elif algorithm in ASYMMETRIC:
        if not settings.SUPABASE_URL:
            raise exceptions.AuthenticationFailed("JWT sign-in is not configured on this server.")
        try:
            key = signing_key(header.get("kid"), algorithm).key
        except JwksError as exc:
            raise exceptions.AuthenticationFailed("The token is not valid.") from exc
    else:
        raise exceptions.AuthenticationFailed("The token is not valid.")
    issuer = supabase_issuer()
    try:
        return jwt.decode(
            token,
            key,
            algorithms=[algorithm],
            audience=AUDIENCE,
            issuer=issuer,
            options={"require": ["sub", "exp", *(["iss"] if issuer else [])]},
        )
    except jwt.ExpiredSignatureError as exc:
        raise exceptions.AuthenticationFailed("The token has expired.") from exc
    except jwt.InvalidTokenError as exc:
        raise exceptions.AuthenticationFailed("The token is not valid.") from exc


class SupabaseJWTAuthentication(authentication.BaseAuthentication):
    """Session JWTs of AicePS's own sign-in and of a Supabase project."""

    keyword = "Bearer"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if len(header) != 2 or header[0].lower() != b"bearer" or b"." not in header[1]:
            return None
        try:
            token = header[1].decode("ascii")
            unverified = jwt.decode(token, options={"verify_signature": False})
        except (jwt.InvalidTokenError, UnicodeDecodeError) as exc:
            raise exceptions.AuthenticationFailed("The token is not valid.") from exc
        if is_aiceps_token(unverified):
            try:
                verified = verify_access_token(token)
            except GoTrueError as exc:
                raise exceptions.AuthenticationFailed(
                    "The session has ended; sign in again."
                    if exc.code == "session_not_found"
                    else "The token is not valid or has expired."
                ) from exc
            return verified.user, verified.claims
        claims = verify_supabase_token(token)
        try:
            user = user_for_external_identity(claims)
        except IdentityNotLinked:
            raise IdentityNotLinkedDenied() from None
        if not user.is_active:
            raise exceptions.AuthenticationFailed("This account is disabled.")
        return user, claims

    def authenticate_header(self, request) -> str:
        return self.keyword


def claimed_email(claims: dict) -> tuple[str | None, bool]:
    """The token's email and whether the provider verified it (``email_verified``, or
    ``email_confirmed_at``, in the claims or in ``user_metadata``)."""
    email = claims.get("email")
    email = email.strip() if isinstance(email, str) and email.strip() else None
    verified = False
    for source in (claims, claims.get("user_metadata")):
        if isinstance(source, dict):
            verified = verified or source.get("email_verified") is True
            verified = verified or bool(source.get("email_confirmed_at"))
    return email, verified


def user_for_external_identity(claims: dict) -> User:
    """The user of a Supabase token's ``sub`` of any length (see ``accounts.identities``)."""
    email, verified = claimed_email(claims)
    return identity_user(
        provider=Provider.SUPABASE, subject=str(claims["sub"]), email=email, email_verified=verified
    )


class SameOriginSessionAuthentication(authentication.BaseAuthentication):
    """Django's session cookie, from pages of AicePS's own origin only (no CSRF token: the
    photo editor sends none; the origin check stands in for it)."""

    def authenticate(self, request):
        user = getattr(request._request, "user", None)
        if user is None or not user.is_authenticated or not user.is_active:
            return None
        if not is_same_origin(request._request):
            if request.method in SAFE_METHODS:
                return None  # a read from elsewhere is simply not signed in
            raise exceptions.PermissionDenied(
                "Signed-in calls by cookie are accepted from AicePS's own pages only; "
                "from another site, send the session token as Authorization: Bearer."
            )
        session_id = request._request.session.get("aiceps_sign_in_session")
        if session_id and sign_in_session_active(session_id=session_id) is None:
            return None  # signed out elsewhere ("sign out everywhere")
        return user, None
