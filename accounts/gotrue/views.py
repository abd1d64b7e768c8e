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
from django.utils.crypto import constant_time_compare
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.parsers import FormParser
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from core.json_bodies import BoundedJSONParser

from ..origin import is_same_origin
from ..password_reset import mail_unavailable_message, password_reset_send
from ..throttling import AtomicRateThrottle
from . import schema
from .errors import API_VERSION, GoTrueError, gotrue_exception_handler
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


class SignInRateThrottle(AtomicRateThrottle):
    """Password guesses and sign-ups per client address (atomic, in the shared cache)."""

    scope = "sign_in"

    def get_rate(self) -> str:
        return settings.AICEPS_THROTTLE_SIGN_IN  # read per request, not once at import


class AlwaysJSON(BaseContentNegotiation):
    """GoTrue answers JSON whatever ``Accept`` asks for (as GoTrue itself does), and reads a
    body as JSON unless it is one of the view's other parsers' media types."""

    def select_parser(self, request, parsers):
        media_type = request.content_type.split(";", 1)[0].strip().lower()
        chosen = [parser for parser in parsers if parser.media_type == media_type]
        return (chosen or parsers or [None])[0]

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


class GoTrueView(APIView):
    authentication_classes: list = []
    permission_classes = [AllowAny]
    parser_classes = [BoundedJSONParser]
    throttle_classes: list = []
    content_negotiation_class = AlwaysJSON
    schema = schema.GoTrueAutoSchema()

    @classmethod
    def as_view(cls, **initkwargs):
        return csrf_exempt(super().as_view(**initkwargs))

    def get_exception_handler(self):
        return gotrue_exception_handler

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        expected = settings.AICEPS_AUTH.anon_key
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
        if not isinstance(data, dict):
            raise GoTrueError(400, "bad_json", "The body must be a JSON object")
        return data

    def text(self, body: dict, field: str) -> str:
        """The string ``field`` of the body ("" when absent); GoTrue's 400 for another type."""
        value = body.get(field)
        if value is None:
            return ""
        if not isinstance(value, str) or "\x00" in value:
            raise GoTrueError(400, "bad_json", f"{field} must be a string")
        return value

    def metadata(self, body: dict) -> dict | None:
        value = body.get("data")
        if value is not None and not isinstance(value, dict):
            raise GoTrueError(400, "bad_json", "data must be a JSON object")
        return value

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


GRANT_TYPE = OpenApiParameter(
    "grant_type",
    str,
    enum=["password", "refresh_token"],
    description="How to sign in (GoTrue's JSON calls); an OAuth 2.0 form body names it itself.",
)
SCOPE = OpenApiParameter(
    "scope", str, enum=["global", "local", "others"], description="Which sessions end (global)."
)
BEARER = "Send the access token as `Authorization: Bearer`."


class TokenView(GoTrueView):
    """GoTrue's token endpoint (JSON, ``grant_type`` in the query), which is also an OAuth 2.0
    token endpoint (RFC 6749 4.3 and 6: a form body with ``grant_type``, ``username`` and
    ``password``, or ``refresh_token``), so OAuth 2.0 clients and Swagger UI sign in here."""

    # Wrong passwords per account and per address are django-axes' (accounts.lockout).
    throttle_classes = [SignInRateThrottle]
    parser_classes = [*GoTrueView.parser_classes, FormParser]

    @extend_schema(
        summary="Sign in with a password, or refresh a session",
        parameters=[GRANT_TYPE, schema.APIKEY_HEADER],
        request={
            "application/json": schema.TOKEN_REQUEST,
            "application/x-www-form-urlencoded": schema.OAUTH_TOKEN_REQUEST,
        },
        responses=schema.GoTrueSessionSerializer,
    )
    def post(self, request):
        body = self.body(request)
        grant = request.query_params.get("grant_type") or self.text(body, "grant_type")
        agent = request.headers.get("User-Agent", "")
        if grant == "password":
            user = user_for_credentials(
                login=self.text(body, "email")
                or self.text(body, "phone")
                or self.text(body, "username"),
                password=self.text(body, "password"),
                request=request._request,
            )
            session, payload = start_session(user=user, user_agent=agent)
        elif grant == "refresh_token":
            token = self.text(body, "refresh_token")
            session, token = sign_in_session_refresh(refresh_token=token)
            user = session.user
            payload = session_payload(user=user, session=session, refresh_token=token)
        else:
            raise GoTrueError(
                400, "unsupported_grant_type", "grant_type must be password or refresh_token"
            )
        self.open_cookie_session(request, user, session)
        return Response(payload)


class UserView(GoTrueView):
    @extend_schema(
        summary="The signed-in user",
        description=BEARER,
        parameters=[schema.APIKEY_HEADER],
        responses=schema.GoTrueUserSerializer,
    )
    def get(self, request):
        verified = self.bearer(request)
        return Response(user_payload(verified.user, verified.identity))

    @extend_schema(
        summary="Change the signed-in user's email, password or metadata",
        description=BEARER,
        parameters=[schema.APIKEY_HEADER],
        request=schema.GoTrueUserUpdateSerializer,
        responses=schema.GoTrueUserSerializer,
    )
    def put(self, request):
        verified = self.bearer(request)
        body = self.body(request)
        password = self.text(body, "password") or None
        user = user_update(
            user=verified.user,
            identity=verified.identity,
            email=self.text(body, "email") or None,
            password=password,
            metadata=self.metadata(body),
            session=verified.session,
        )
        django_request = request._request
        cookie_user = django_request.user
        if password and cookie_user.is_authenticated and cookie_user.pk == user.pk:
            update_session_auth_hash(django_request, user)  # keep this browser signed in
        verified.identity.refresh_from_db()
        return Response(user_payload(user, verified.identity))


class SignupView(GoTrueView):
    throttle_classes = [SignInRateThrottle]

    @extend_schema(
        summary="Sign up (when AICEPS_OPEN_SIGNUP is on) and sign in",
        parameters=[schema.APIKEY_HEADER],
        request=schema.GoTrueSignupRequestSerializer,
        responses=schema.GoTrueSessionSerializer,
    )
    def post(self, request):
        if not settings.AICEPS_OPEN_SIGNUP:
            raise GoTrueError(422, "signup_disabled", "Signups not allowed for this instance")
        body = self.body(request)
        user = user_signup(
            email=self.text(body, "email"),
            password=self.text(body, "password"),
            metadata=self.metadata(body),
        )
        session, payload = start_session(user=user, user_agent=request.headers.get("User-Agent"))
        self.open_cookie_session(request, user, session)
        return Response(payload)


class LogoutView(GoTrueView):
    @extend_schema(
        summary="Sign out",
        description=BEARER,
        parameters=[SCOPE, schema.APIKEY_HEADER],
        request=None,
        responses={204: OpenApiResponse(description="Signed out.")},
    )
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

    @extend_schema(
        summary="Send a password-reset email",
        parameters=[schema.APIKEY_HEADER],
        request=schema.GoTrueRecoverRequestSerializer,
        responses=schema.GoTrueEmptySerializer,
    )
    def post(self, request):
        email = self.text(self.body(request), "email")
        if not email:
            raise GoTrueError(400, "validation_failed", "Password recovery requires an email")
        if not settings.AICEPS_MAIL_ENABLED:
            raise GoTrueError(503, "email_provider_disabled", mail_unavailable_message())
        password_reset_send(email=email, request=request._request, use_https=request.is_secure())
        return Response({})


class SettingsView(GoTrueView):
    @extend_schema(
        summary="What sign-in offers",
        parameters=[schema.APIKEY_HEADER],
        responses=schema.GoTrueSettingsSerializer,
    )
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
