"""API keys: create (shown once), authenticate, revoke; what a key has spent.

A key reads ``aiceps_<8 characters>_<43 characters>``: the first part is kept as the key's
prefix (shown in lists, to recognise it by), the whole key only as its SHA-256. Budgets are
enforced when a task is charged (``accounts.services.credits_charge``), under the account's
row lock.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from core.errors import DomainError, NotFoundError, ValidationError

from .models import ApiKey, User
from .models_platform import KEY_PREFIX
from .services import api_key_spent

MAX_KEYS_PER_USER = 50
LAST_USED_PRECISION = timedelta(seconds=60)  # one write a minute per key at most


class ApiKeyError(DomainError):
    code = "invalid_api_key"
    status = 401


@dataclass(frozen=True)
class NewApiKey:
    api_key: ApiKey
    key: str  # the only time the whole key exists outside the client


def hash_key(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def looks_like_api_key(raw: str) -> bool:
    return raw.startswith(KEY_PREFIX)


def api_key_create(
    *,
    user: User,
    name: str,
    expires_at: datetime | None = None,
    credit_budget: int | None = None,
) -> NewApiKey:
    name = (name or "").strip()
    if not name or len(name) > 100:
        raise ValidationError("Name the key (at most 100 characters).", param="name")
    if expires_at is not None and expires_at <= timezone.now():
        raise ValidationError(
            "The expiry must be in the future.", code="expiry_in_past", param="expires_at"
        )
    if credit_budget is not None and (
        not isinstance(credit_budget, int) or isinstance(credit_budget, bool) or credit_budget < 0
    ):
        raise ValidationError("credit_budget must be a whole number, 0 or more.", param="budget")
    with transaction.atomic():
        if ApiKey.objects.filter(user=user, revoked_at=None).count() >= MAX_KEYS_PER_USER:
            raise ValidationError(
                f"A user may hold at most {MAX_KEYS_PER_USER} keys; revoke one first.",
                code="too_many_api_keys",
            )
        public = secrets.token_hex(4)
        raw = f"{KEY_PREFIX}{public}_{secrets.token_urlsafe(32)}"
        api_key = ApiKey.objects.create(
            user=user,
            name=name,
            prefix=f"{KEY_PREFIX}{public}",
            key_sha256=hash_key(raw),
            expires_at=expires_at,
            credit_budget=credit_budget,
        )
    return NewApiKey(api_key, raw)


def api_key_authenticate(*, raw: str, now: datetime | None = None) -> ApiKey:
    """The active key ``raw`` is, with its user; :class:`ApiKeyError` otherwise."""
    now = now or timezone.now()
    api_key = ApiKey.objects.select_related("user").filter(key_sha256=hash_key(raw)).first()
    if api_key is None:
        raise ApiKeyError("This API key is not valid.")
    state = api_key.state(now)
    if state == "revoked":
        raise ApiKeyError("This API key was revoked.", code="api_key_revoked")
    if state == "expired":
        raise ApiKeyError("This API key has expired.", code="api_key_expired")
    if not api_key.user.is_active:
        raise ApiKeyError("This account is disabled.", code="account_disabled")
    if api_key.last_used_at is None or now - api_key.last_used_at >= LAST_USED_PRECISION:
        ApiKey.objects.filter(pk=api_key.pk).update(last_used_at=now)
        api_key.last_used_at = now
    return api_key


def api_key_revoke(*, api_key: ApiKey) -> ApiKey:
    """Revoke ``api_key`` (it stays listed, and its ledger rows keep naming it)."""
    ApiKey.objects.filter(pk=api_key.pk, revoked_at=None).update(revoked_at=timezone.now())
    api_key.refresh_from_db()
    return api_key


def api_key_for(*, user: User, key_id) -> ApiKey:
    try:
        return ApiKey.objects.get(user=user, pk=int(key_id))
    except (ApiKey.DoesNotExist, TypeError, ValueError):
        raise NotFoundError("No such API key.") from None


def api_key_summary(api_key: ApiKey) -> dict:
    """What lists show of a key (never the key itself)."""
    spent = api_key_spent(api_key=api_key)
    budget = api_key.credit_budget
    return {
        "id": api_key.pk,
        "name": api_key.name,
        "prefix": api_key.prefix,
        "state": api_key.state(),
        "created_at": api_key.created_at.isoformat(),
        "last_used_at": api_key.last_used_at.isoformat() if api_key.last_used_at else None,
        "expires_at": api_key.expires_at.isoformat() if api_key.expires_at else None,
        "revoked_at": api_key.revoked_at.isoformat() if api_key.revoked_at else None,
        "credit_budget": budget,
        "credits_spent": spent,
        "credits_left": None if budget is None else max(budget - spent, 0),
    }
