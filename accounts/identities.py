"""Which user an external identity is: every write and read of ``ExternalIdentity``.

A subject (a JWT's ``sub``) of any length maps to exactly one user: identities are found by
``key``, the SHA-256 of the provider and the whole subject, and a user created for one gets
the username ``ext-<key>`` (68 characters, within Django's 150), so neither a long subject nor
two subjects sharing a long prefix can collide or overflow a column.

An external identity never takes over an account by its email: the first time a subject is
seen with an email an account already has, no account is made (:class:`IdentityNotLinked`);
the account's owner links it, signed in, with a token whose email is verified and theirs
(:func:`identity_link`, ``POST /api/v1/identities``). A new account made for an identity
keeps the email only when the provider says it is verified, so an unverified address cannot
squat someone's sign-up either.
"""

from __future__ import annotations

import hashlib
import uuid

from django.db import IntegrityError, transaction

from core.errors import DomainError

from .models import ExternalIdentity, User

Provider = ExternalIdentity.Provider


class IdentityNotLinked(DomainError):
    code = "identity_not_linked"
    status = 403
    default_message = (
        "An account with this email already exists. Sign in to it and link this identity "
        "(POST /api/v1/identities) to use it."
    )


class IdentityLinkRefused(DomainError):
    """403: the identity offered (its token, its email) does not permit linking it here."""

    code = "identity_link_refused"
    status = 403
    default_message = "This identity cannot be linked to this account."


def identity_key(provider: str, subject: str) -> str:
    return hashlib.sha256(f"{provider}\x00{subject}".encode()).hexdigest()


def identity_get(*, provider: str, subject: str) -> ExternalIdentity | None:
    return (
        ExternalIdentity.objects.select_related("user")
        .filter(key=identity_key(provider, subject))
        .first()
    )


def email_taken(email: str | None) -> bool:
    if not email:
        return False
    return User.objects.filter(email__iexact=email.strip()).exists()


def identity_user(
    *, provider: str, subject: str, email: str | None = None, email_verified: bool = False
) -> User:
    """The user known to ``provider`` as ``subject``; created (with the sign-up credits, by
    the account signal) the first time it is seen, unless ``email`` is an existing account's
    (:class:`IdentityNotLinked`: its owner must link it)."""
    existing = identity_get(provider=provider, subject=subject)
    if existing is not None:
        return existing.user
    if email_taken(email):
        raise IdentityNotLinked()
    key = identity_key(provider, subject)
    email = (email or "").strip() if email_verified else ""
    try:
        with transaction.atomic():
            user = User.objects.create_user(username=f"ext-{key}", email=email)
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
                username=f"ext-{key[:48]}-{uuid.uuid4().hex[:12]}", email=email
            )
            ExternalIdentity.objects.create(user=user, provider=provider, subject=subject, key=key)
            return user


def identity_link(
    *, user: User, provider: str, subject: str, email: str | None, email_verified: bool
) -> tuple[ExternalIdentity, bool]:
    """Link ``provider``'s ``subject`` to ``user``, who is signed in and asks for it. The
    identity's email must be verified and be the user's own. Returns (identity, created)."""
    if not email_verified or not email:
        raise IdentityLinkRefused("The identity's email address is not verified.")
    if not user.email or email.strip().lower() != user.email.strip().lower():
        raise IdentityLinkRefused("The identity's email address is not this account's.")
    key = identity_key(provider, subject)
    try:
        with transaction.atomic():
            identity, created = ExternalIdentity.objects.get_or_create(
                key=key, defaults={"user": user, "provider": provider, "subject": subject}
            )
    except IntegrityError:  # linked concurrently
        identity, created = ExternalIdentity.objects.get(key=key), False
    if identity.user_id != user.pk:
        raise IdentityLinkRefused(
            "This identity belongs to another account.", code="identity_in_use", status=409
        )
    return identity, created


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
