"""Django users as GoTrue users: who signs in, signing up, changing the profile, the JSON.

Users sign in with their email address (or, where the form allows it, their username) and
their Django password; their GoTrue ``id`` is their AicePS identity's subject (a UUID made
on first sign-in), so the editor's ``/api/user-permissions/{uid}`` names them.
"""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.contrib.auth import authenticate, password_validation
from django.contrib.auth.models import update_last_login
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction

from ..identities import Provider, identity_for_user, identity_update_metadata
from ..models import ExternalIdentity, SignInSession, User
from ..sign_in_gate import sign_in_succeeded
from .errors import GoTrueError
from .sessions import sign_in_session_start
from .tokens import issue_access_token

INVALID_LOGIN = "Invalid login credentials"


def _iso(value) -> str | None:
    return value.isoformat() if value else None


def user_payload(user: User, identity: ExternalIdentity) -> dict:
    joined = _iso(user.date_joined)
    return {
        "id": identity.subject,
        "aud": "authenticated",
        "role": "authenticated",
        "email": user.email,
        "email_confirmed_at": joined,
        "confirmed_at": joined,
        "phone": "",
        "last_sign_in_at": _iso(user.last_login),
        "app_metadata": {"provider": "email", "providers": ["email"]},
        "user_metadata": identity.metadata or {},
        "identities": [],
        "created_at": joined,
        "updated_at": _iso(user.last_login) or joined,
        "is_anonymous": False,
    }


def session_payload(*, user: User, session: SignInSession, refresh_token: str) -> dict:
    identity = identity_for_user(user=user, provider=Provider.AICEPS)
    access_token, expires_at = issue_access_token(user=user, identity=identity, session=session)
    return {
        "access_token": access_token,
        "token_type": "bearer",
        "expires_in": settings.AICEPS_AUTH.access_token_seconds,
        "expires_at": expires_at,
        "refresh_token": refresh_token,
        "user": user_payload(user, identity),
    }


def user_for_credentials(*, login: str, password: str, request=None) -> User:
    """The active user whose email (case-insensitive) or username is ``login`` and whose
    password is ``password``; GoTrue's 400 otherwise. An email shared by several accounts
    (from before external identities stopped copying emails) names the one that signs in
    with a password, the oldest first: never an account an external identity made."""
    login = (login or "").strip()
    if not login or not password:
        raise GoTrueError(400, "invalid_credentials", INVALID_LOGIN)
    by_email = [
        user
        for user in User.objects.filter(email__iexact=login, is_active=True).order_by("pk")[:20]
        if user.has_usable_password()
    ]
    username = by_email[0].get_username() if by_email else login
    # Counted (and refused past its limits) before the password is hashed: accounts.sign_in_gate
    user = authenticate(request, username=username, password=password)
    if user is None or not user.is_active:
        raise GoTrueError(400, "invalid_credentials", INVALID_LOGIN)
    if request is not None:
        sign_in_succeeded(request=request, username=username)
    return user


def start_session(*, user: User, user_agent: str = "") -> tuple[SignInSession, dict]:
    update_last_login(type(user), user)
    session, refresh_token = sign_in_session_start(user=user, user_agent=user_agent)
    return session, session_payload(user=user, session=session, refresh_token=refresh_token)


def _check_password(password: str, user: User | None = None) -> None:
    try:
        password_validation.validate_password(password, user=user)
    except DjangoValidationError as exc:
        reasons = [str(message) for message in exc.messages]
        raise GoTrueError(
            422,
            "weak_password",
            " ".join(reasons),
            weak_password={"reasons": reasons, "message": " ".join(reasons)},
        ) from exc


def _check_email(email: str) -> str:
    email = (email or "").strip()
    try:
        validate_email(email)
    except DjangoValidationError as exc:
        raise GoTrueError(400, "validation_failed", "Unable to validate email address") from exc
    return email


def user_signup(*, email: str, password: str, metadata: dict | None = None) -> User:
    """A new user (with the sign-up credits) signing in by ``email``."""
    email = _check_email(email)
    if User.objects.filter(email__iexact=email).exists():
        raise GoTrueError(422, "user_already_exists", "User already registered")
    username = email if len(email) <= 150 else "u-" + hashlib.sha256(email.encode()).hexdigest()
    _check_password(password, User(username=username, email=email))
    try:
        with transaction.atomic():
            user = User.objects.create_user(username=username, email=email, password=password)
            identity = identity_for_user(user=user, provider=Provider.AICEPS)
            if metadata:
                identity_update_metadata(identity=identity, metadata=metadata)
    except IntegrityError as exc:
        raise GoTrueError(422, "user_already_exists", "User already registered") from exc
    return user


def user_update(
    *,
    user: User,
    identity: ExternalIdentity,
    email: str | None = None,
    password: str | None = None,
    metadata: dict | None = None,
    session: SignInSession | None = None,
) -> User:
    """Change the signed-in user's email, password or profile (GoTrue's ``PUT /user``). A new
    password ends every other session of the user (``accounts.session_ends``), not
    ``session``, the one that changed it."""
    if email is not None and email.strip().lower() != user.email.lower():
        email = _check_email(email)
        if User.objects.filter(email__iexact=email).exclude(pk=user.pk).exists():
            raise GoTrueError(
                422, "email_exists", "A user with this email address has already been registered"
            )
        user.email = email
        user.save(update_fields=["email"])
    if password is not None:
        _check_password(password, user)
        user.set_password(password)
        user.keep_sign_in_session = session.pk if session is not None else None
        user.save(update_fields=["password"])
    if metadata:
        identity_update_metadata(identity=identity, metadata=metadata)
    return user
