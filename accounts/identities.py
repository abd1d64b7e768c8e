"""Which user an external identity is: every write and read of ``ExternalIdentity``.

A subject (a JWT's ``sub``) of any length maps to exactly one user: identities are found by
``key``, the SHA-256 of the provider and the whole subject, and a user created for one gets
the username ``ext-<key>`` (68 characters, within Django's 150), so neither a long subject nor
two subjects sharing a long prefix can collide or overflow a column.
"""

from __future__ import annotations

import hashlib
import uuid

from django.db import IntegrityError, transaction

from .models import ExternalIdentity, User

Provider = ExternalIdentity.Provider


def identity_key(provider: str, subject: str) -> str:
    return hashlib.sha256(f"{provider}\x00{subject}".encode()).hexdigest()


def identity_get(*, provider: str, subject: str) -> ExternalIdentity | None:
    return (
        ExternalIdentity.objects.select_related("user")
        .filter(key=identity_key(provider, subject))
        .first()
    )


def identity_user(*, provider: str, subject: str, email: str | None = None) -> User:
    """The user known to ``provider`` as ``subject``; created (with the sign-up credits, by
    the account signal) the first time it is seen."""
    existing = identity_get(provider=provider, subject=subject)
    if existing is not None:
        return existing.user
    key = identity_key(provider, subject)
    try:
        with transaction.atomic():
            user = User.objects.create_user(username=f"ext-{key}", email=email or "")
            ExternalIdentity.objects.create(user=user, provider=provider, subject=subject, key=key)
            return user
    except IntegrityError:
        # Created concurrently by another request (the unique key held), or a staff member
        # took the username by hand: then the identity exists or we add a suffix.
        existing = identity_get(provider=provider, subject=subject)
        if existing is not None:
            return existing.user
        with transaction.atomic():
            user = User.objects.create_user(
                username=f"ext-{key[:48]}-{uuid.uuid4().hex[:12]}", email=email or ""
            )
            ExternalIdentity.objects.create(user=user, provider=provider, subject=subject, key=key)
            return user


def identity_for_user(*, user: User, provider: str = Provider.AICEPS) -> ExternalIdentity:
    """The user's identity at ``provider``; for AicePS's own sign-in one is made up on first
    use (a random UUID, as Supabase user ids are)."""
    found = ExternalIdentity.objects.filter(user=user, provider=provider).order_by("pk").first()
    if found is not None:
        return found
    if provider != Provider.AICEPS:
        raise ExternalIdentity.DoesNotExist(f"{user} has no {provider} identity")
    subject = str(uuid.uuid4())
    return ExternalIdentity.objects.create(
        user=user, provider=provider, subject=subject, key=identity_key(provider, subject)
    )


def identity_update_metadata(*, identity: ExternalIdentity, metadata: dict) -> ExternalIdentity:
    """Merge ``metadata`` into the identity's profile, as GoTrue merges ``data``."""
    identity.metadata = {**(identity.metadata or {}), **metadata}
    identity.save(update_fields=["metadata"])
    return identity


def user_is_known_as(*, user: User, subject: str) -> bool:
    """Whether ``subject`` is one of the user's own identities (any provider)."""
    keys = [identity_key(provider, subject) for provider in Provider.values]
    return ExternalIdentity.objects.filter(user=user, key__in=keys).exists()
