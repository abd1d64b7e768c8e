"""The GoTrue endpoints ``@supabase/supabase-js`` calls, under ``/auth/v1/``.

Thin: each view reads the request, calls :mod:`.users` / :mod:`.sessions`, and answers in
GoTrue's JSON. Every call must carry the ``apikey`` header when ``AICEPS_AUTH_ANON_KEY`` is
set (supabase-js always sends it). On the same origin a sign-in or refresh also opens the
HttpOnly session cookie the editor's credential-less calls are authenticated by; a call
from another origin gets tokens only.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.contrib.auth import login, logout, update_session_auth_hash
from django.contrib.auth.forms import PasswordResetForm
from django.utils.crypto import constant_time_compare
from django.views.decorators.csrf import csrf_exempt
from rest_framework import exceptions, throttling
from rest_framework.parsers import JSONParser
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from ..origin import is_same_origin
from .errors import GoTrueError, gotrue_body
from .sessions import sign_in_session_refresh, sign_in_session_revoke
from .tokens import verify_access_token
from .users import (
    session_payload,
    start_session,
    user_for_credentials,
    user_payload,
    user_signup,
    user_update,
)

logger = logging.getLogger(__name__)
SESSION_KEY = "aiceps_sign_in_session"
API_VERSION = "2024-01-01"


class SignInRateThrottle(throttling.SimpleRateThrottle):
    """Password guesses and sign-ups per client address."""

    scope = "sign_in"

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


def gotrue_exception_handler(exc, context):
    if isinstance(exc, GoTrueError):
        status, code, message, extra = exc.status, exc.code, exc.message, dict(exc.extra)
    elif isinstance(exc, exceptions.Throttled):
        status, code, extra = 429, "over_request_rate_limit", {}
        message = "Request rate limit reached"
    elif isinstance(exc, exceptions.ParseError | exceptions.UnsupportedMediaType):
        status, code, message, extra = 400, "bad_json", "Could not read the body as JSON", {}
    elif isinstance(exc, exceptions.MethodNotAllowed):
        status, code, message, extra = 405, "method_not_allowed", str(exc.detail), {}
    else:
        logger.exception("sign-in endpoint failed")
        status, code, message, extra = 500, "unexpected_failure", "Unexpected failure", {}
    response = Response(gotrue_body(status, code, message, extra), status=status)
    response["X-Supabase-Api-Version"] = API_VERSION
    return response


class GoTrueView(APIView):
    authentication_classes: list = []
    permission_classes = [AllowAny]
    parser_classes = [JSONParser]
    throttle_classes: list = []

    @classmethod
    def as_view(cls, **initkwargs):
        return csrf_exempt(super().as_view(**initkwargs))

    def get_exception_handler(self):
        return gotrue_exception_handler

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        expected = settings.AICEPS_AUTH_ANON_KEY
        sent = request.headers.get("apikey") or request.query_params.get("apikey") or ""
        if expected and not constant_time_compare(sent, expected):
            raise GoTrueError(401, "no_authorization", "Invalid API key")

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        response["X-Supabase-Api-Version"] = API_VERSION
        response["Cache-Control"] = "no-store"
        return response

    def body(self, request) -> dict:
        data = request.data
        return data if isinstance(data, dict) else {}

    def bearer(self, request):
        header = request.headers.get("Authorization", "")
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise GoTrueError(401, "no_authorization", "This endpoint requires a Bearer token")
        return verify_access_token(token.strip())

    def open_cookie_session(self, request, user, session) -> None:
        """Log the browser in with Django's HttpOnly session cookie, on the same origin."""
        django_request = request._request
        if not is_same_origin(django_request):
            return
        login(django_request, user, backend="django.contrib.auth.backends.ModelBackend")
        django_request.session[SESSION_KEY] = str(session.pk)


class TokenView(GoTrueView):
    # Wrong passwords per account and per address are django-axes' (accounts.lockout).
    throttle_classes = [SignInRateThrottle]

    def post(self, request):
        grant = request.query_params.get("grant_type", "")
        body = self.body(request)
        agent = request.headers.get("User-Agent", "")
        if grant == "password":
            user = user_for_credentials(
                login=str(body.get("email") or body.get("phone") or ""),
                password=str(body.get("password") or ""),
                request=request._request,
            )
            session, payload = start_session(user=user, user_agent=agent)
        elif grant == "refresh_token":
            session, token = sign_in_session_refresh(refresh_token=str(body.get("refresh_token")))
            user = session.user
            payload = session_payload(user=user, session=session, refresh_token=token)
        else:
            raise GoTrueError(
                400, "unsupported_grant_type", "grant_type must be password or refresh_token"
            )
        self.open_cookie_session(request, user, session)
        return Response(payload)


class UserView(GoTrueView):
    def get(self, request):
        verified = self.bearer(request)
        return Response(user_payload(verified.user, verified.identity))

    def put(self, request):
        verified = self.bearer(request)
        body = self.body(request)
        metadata = body.get("data")
        user = user_update(
            user=verified.user,
            identity=verified.identity,
            email=body.get("email") if isinstance(body.get("email"), str) else None,
            password=body.get("password") if isinstance(body.get("password"), str) else None,
            metadata=metadata if isinstance(metadata, dict) else None,
        )
        django_request = request._request
        cookie_user = django_request.user
        if body.get("password") and cookie_user.is_authenticated and cookie_user.pk == user.pk:
            update_session_auth_hash(django_request, user)  # keep this browser signed in
        verified.identity.refresh_from_db()
        return Response(user_payload(user, verified.identity))


class SignupView(GoTrueView):
    throttle_classes = [SignInRateThrottle]

    def post(self, request):
        if not settings.AICEPS_OPEN_SIGNUP:
            raise GoTrueError(422, "signup_disabled", "Signups not allowed for this instance")
        body = self.body(request)
        metadata = body.get("data")
        user = user_signup(
            email=str(body.get("email") or ""),
            password=str(body.get("password") or ""),
            metadata=metadata if isinstance(metadata, dict) else None,
        )
        session, payload = start_session(user=user, user_agent=request.headers.get("User-Agent"))
        self.open_cookie_session(request, user, session)
        return Response(payload)


class LogoutView(GoTrueView):
    def post(self, request):
        verified = self.bearer(request)
        scope = request.query_params.get("scope", "global")
        if scope not in ("global", "local", "others"):
            raise GoTrueError(400, "validation_failed", "scope must be global, local or others")
        sign_in_session_revoke(session=verified.session, scope=scope)
        django_request = request._request
        cookie_user = getattr(django_request, "user", None)
        if scope != "others" and cookie_user is not None and cookie_user.pk == verified.user.pk:
            logout(django_request)
        return Response(status=204)


class RecoverView(GoTrueView):
    """Sends Django's password-reset email (the link opens AicePS's own reset page), through
    the configured ``EMAIL_BACKEND``. Answers the same whether or not the address is known."""

    throttle_classes = [SignInRateThrottle]

    def post(self, request):
        form = PasswordResetForm(data={"email": str(self.body(request).get("email") or "")})
        if form.is_valid():
            try:
                form.save(request=request._request, use_https=request.is_secure())
            except Exception:  # a mail server down must not reveal which accounts exist
                logger.exception("password reset email not sent")
        return Response({})


class SettingsView(GoTrueView):
    def get(self, request):
        return Response(
            {
                "external": {"email": True, "phone": False, "anonymous_users": False},
                "disable_signup": not settings.AICEPS_OPEN_SIGNUP,
                "mailer_autoconfirm": True,
                "phone_autoconfirm": False,
                "sms_provider": "",
                "saml_enabled": False,
            }
        )
