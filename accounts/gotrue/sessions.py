"""Sign-in sessions: start one, refresh it (the refresh token rotates), sign it out.

A refresh token is 32 random bytes, URL-safe; only its SHA-256 is stored. Each refresh
replaces it with a new one in a conditional UPDATE, so a token works once: a second
refresh with the same token (a stolen copy, or a replay) finds nothing and is refused,
except within ``AICEPS_AUTH_REFRESH_REUSE_SECONDS`` of its replacement (GoTrue's reuse
interval), when it is answered with a new token too, for a second tab that refreshed at the
same moment.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from ..models import SignInSession, User
from .errors import GoTrueError


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _new_token() -> str:
    return secrets.token_urlsafe(32)


def _lifetime() -> timedelta:
    return timedelta(days=settings.AICEPS_AUTH.refresh_token_days)


def sign_in_session_start(*, user: User, user_agent: str = "") -> tuple[SignInSession, str]:
    """A new session for ``user`` and its first refresh token."""
    token = _new_token()
    session = SignInSession.objects.create(
        user=user,
        refresh_token_sha256=_digest(token),
        user_agent=(user_agent or "")[:300],
        expires_at=timezone.now() + _lifetime(),
    )
    return session, token


def _session_of(digest: str, now) -> SignInSession | None:
    """The session whose current token has ``digest``, or whose previous one has it and was
    replaced within the reuse interval."""
    sessions = SignInSession.objects.select_related("user")
    session = sessions.filter(refresh_token_sha256=digest).first()
    if session is not None:
        return session
    reuse = timedelta(seconds=settings.AICEPS_AUTH.refresh_reuse_seconds)
    return sessions.filter(
        previous_refresh_token_sha256=digest, refreshed_at__gt=now - reuse
    ).first()


def sign_in_session_refresh(*, refresh_token: str) -> tuple[SignInSession, str]:
    """The session of ``refresh_token`` with a new refresh token, or a GoTrueError."""
    if not refresh_token:
        raise GoTrueError(400, "validation_failed", "refresh_token is required")
    now = timezone.now()
    digest = _digest(refresh_token)
    session = _session_of(digest, now)
    if session is None or session.revoked_at is not None or session.expires_at <= now:
        raise GoTrueError(
            400, "refresh_token_not_found", "Invalid Refresh Token: Refresh Token Not Found"
        )
    if not session.user.is_active:
        raise GoTrueError(400, "user_banned", "User is banned")
    token = _new_token()
    current = session.refresh_token_sha256  # ``digest``, or the token a reuse replaced
    rotated = SignInSession.objects.filter(
        pk=session.pk, refresh_token_sha256=current, revoked_at=None
    ).update(
        refresh_token_sha256=_digest(token),
        previous_refresh_token_sha256=current,
        refreshed_at=now,
        expires_at=now + _lifetime(),
    )
    if not rotated:  # another refresh won the race: within the interval, try once more
        session = _session_of(digest, now)
        if session is None or session.revoked_at is not None:
            raise GoTrueError(400, "refresh_token_not_found", "Invalid Refresh Token: Already Used")
        return sign_in_session_refresh(refresh_token=refresh_token)
    session.refresh_from_db()
    return session, token


def sign_in_session_revoke(*, session: SignInSession, scope: str = "global") -> int:
    """Sign out: ``local`` this session, ``global`` every session of its user, ``others``
    every other one. Returns how many were signed out."""
    sessions = SignInSession.objects.filter(user_id=session.user_id, revoked_at=None)
    if scope == "local":
        sessions = sessions.filter(pk=session.pk)
    elif scope == "others":
        sessions = sessions.exclude(pk=session.pk)
    return sessions.update(revoked_at=timezone.now())


def sign_in_session_active(*, session_id) -> SignInSession | None:
    return SignInSession.objects.filter(
        pk=session_id, revoked_at=None, expires_at__gt=timezone.now()
    ).first()
