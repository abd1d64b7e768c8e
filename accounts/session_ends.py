"""Ending a user's sessions when their password changes (or is reset).

Whoever knew the old password may have signed in with it; a new password ends what that
sign-in left behind: every sign-in session of AicePS's Supabase-compatible sign-in (their
refresh tokens no longer refresh and their access tokens are refused at once), and the DRF
token. Django's own session cookies end by themselves: Django checks each session against
the password's hash, so every other browser is signed out at its next request (the one that
changed the password keeps its session through ``update_session_auth_hash``). API keys are
not sessions: they stay, each revoked on its own page.

Called for every password change by the ``post_save`` receiver in :mod:`accounts.signals`
(the change page, the reset link, GoTrue's ``PUT /auth/v1/user``, the admin, ``manage.py
changepassword``).
"""

from __future__ import annotations

from uuid import UUID

from django.utils import timezone
from rest_framework.authtoken.models import Token

from .models import SignInSession, User


def user_sessions_end(*, user: User, keep_sign_in_session: UUID | None = None) -> dict[str, int]:
    """End every sign-in session of ``user`` but ``keep_sign_in_session`` (a session's pk: the
    one that changed the password) and delete their DRF token. Returns what ended."""
    sessions = SignInSession.objects.filter(user=user, revoked_at=None)
    if keep_sign_in_session is not None:
        sessions = sessions.exclude(pk=keep_sign_in_session)
    revoked = sessions.update(revoked_at=timezone.now())
    tokens, _ = Token.objects.filter(user=user).delete()
    return {"sign_in_sessions": revoked, "tokens": tokens}
