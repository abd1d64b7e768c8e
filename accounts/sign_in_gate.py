"""The sign-in gate: an attempt is counted, atomically and in the shared cache, before its
password is hashed, and refused without hashing once a limit is reached.

django-axes records failures after the password check, so a burst of concurrent guesses all
pass its check before the first failure is written. The gate is the first authentication
backend (before axes' and ``ModelBackend``): it counts each attempt under three keys and
refuses (axes' lockout answer, 429 with ``Retry-After``) when one is over its limit:

* account + address: ``AICEPS_LOGIN_FAILURE_LIMIT`` (5). A stranger elsewhere cannot use up
  the user's own attempts.
* the account, from anywhere: ``AICEPS_LOGIN_ACCOUNT_FAILURE_LIMIT`` (50), the ceiling on a
  guesser with many addresses. Addresses the account signed in from before (in the last
  ``AICEPS_LOGIN_KNOWN_ADDRESS_DAYS``) are still let in, so it cannot lock the user out of
  their usual place.
* the address, for any account: ``AICEPS_LOGIN_ADDRESS_FAILURE_LIMIT`` (50).

Counts last ``AICEPS_LOGIN_LOCKOUT_MINUTES`` from their first attempt; a lockout lasts as long
the first time and doubles each further time within a day, up to
``AICEPS_LOGIN_LOCKOUT_MAX_MINUTES``. A refused attempt is not counted; a successful one is
taken back (and clears its account + address count). The cache's ``add`` and ``incr`` are
atomic on Redis, the local-memory cache and :mod:`core.cache`'s database cache; a cache that
cannot answer refuses the attempt (never an uncounted check). django-axes still records each
checked failure (the admin's access attempts) and locks account + address at its limit too.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import time
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.signals import user_logged_in
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.dispatch import receiver

from core.client_address import client_address

logger = logging.getLogger(__name__)
STRIKES_SECONDS = 24 * 3600
UNAVAILABLE_RETRY_SECONDS = 30


@dataclass(frozen=True)
class Limit:
    kind: str
    ident: str
    limit: int


def _digest(*parts: str) -> str:
    return hashlib.sha256("\x00".join(parts).encode()).hexdigest()[:40]


def _key(what: str, limit: Limit) -> str:
    return f"signin:{what}:{limit.kind}:{_digest(limit.ident)}"


def _window_seconds() -> int:
    return max(1, int(settings.AXES_COOLOFF_TIME.total_seconds()))


def _account(username: str) -> str:
    return (username or "").strip().lower()


def _limits(account: str, address: str) -> list[Limit]:
    return [
        Limit("pair", f"{account}\x00{address}", settings.AXES_FAILURE_LIMIT),
        Limit("account", account, settings.AICEPS_SIGN_IN_LIMITS.account_failure_limit),
        Limit("address", address, settings.AICEPS_SIGN_IN_LIMITS.address_failure_limit),
    ]


def _count(key: str, timeout: int) -> int:
    """Add one to ``key`` (created with ``timeout`` by the first count), atomically."""
    if cache.add(key, 1, timeout):
        return 1
    try:
        count = cache.incr(key)
    except ValueError:  # it expired between the two calls
        return 1 if cache.add(key, 1, timeout) else cache.incr(key)
    if count == 1:  # Redis made it anew on INCR after it expired: give it its lifetime
        cache.touch(key, timeout)
    return count


def _uncount(key: str) -> None:
    with contextlib.suppress(ValueError):  # expired meanwhile: nothing to take back
        if cache.decr(key) < 0:  # Redis made it anew, without expiry, on DECR after it expired
            cache.delete(key)


def _known_key(account: str, address: str) -> str:
    return f"signin:known:{_digest(account, address)}"


def _lock(limit: Limit, now: float) -> float:
    """Lock ``limit``'s key (once, whoever gets there first) and say until when. Only the
    one that sets the lock counts a strike, so concurrent refusals lock once, not longer."""
    strikes = (cache.get(_key("strikes", limit)) or 0) + 1
    base = _window_seconds()
    longest = max(base, int(settings.AICEPS_SIGN_IN_LIMITS.lockout_max_minutes * 60))
    seconds = min(longest, base * 2 ** min(strikes - 1, 20))
    if cache.add(_key("lock", limit), now + seconds, seconds):
        _count(_key("strikes", limit), STRIKES_SECONDS)
        logger.warning("sign-in locked", extra={"lock": limit.kind, "seconds": seconds})
        return now + seconds
    until = cache.get(_key("lock", limit))
    return until if until and until > now else now + seconds


def _refuse(request, until: float, now: float) -> None:
    request.axes_locked_out = True  # axes' middleware answers with accounts.lockout
    request.aiceps_retry_after = max(1, int(until - now + 0.999))
    raise PermissionDenied("Too many sign-in attempts")


def sign_in_admit(*, request, username: str) -> None:
    """Count one attempt of ``username`` from ``request``'s address, or refuse it
    (PermissionDenied, with ``request.axes_locked_out`` set) without counting. A cache that
    cannot count refuses too (for ``UNAVAILABLE_RETRY_SECONDS``): never an uncounted check."""
    now = time.time()
    try:
        _admit(request, _account(username), client_address(request), now)
    except PermissionDenied:
        raise
    except Exception as exc:  # Redis away, the cache table locked
        logger.warning("sign-in gate unavailable", extra={"error": str(exc)})
        _refuse(request, now + UNAVAILABLE_RETRY_SECONDS, now)


def _admit(request, account: str, address: str, now: float) -> None:
    known = cache.get(_known_key(account, address)) is not None
    limits = [
        limit for limit in _limits(account, address) if not (known and limit.kind == "account")
    ]
    for until in cache.get_many([_key("lock", limit) for limit in limits]).values():
        if until and until > now:
            _refuse(request, until, now)
    counted = []
    window = _window_seconds()
    for limit in limits:
        key = _key("count", limit)
        counted.append(key)
        if _count(key, window) > limit.limit:
            for done in counted:
                _uncount(done)  # refused unchecked: it is no attempt
            logger.info("sign-in refused", extra={"client": address, "lock": limit.kind})
            _refuse(request, _lock(limit, now), now)
    request.aiceps_sign_in_counted = account


def sign_in_succeeded(*, request, username: str) -> None:
    """Take back the attempt ``request`` made (once, whoever calls) and remember its address
    as the account's own. A cache that cannot answer leaves the count as it is."""
    account, address = _account(username), client_address(request)
    try:
        if getattr(request, "aiceps_sign_in_counted", None) == account:
            request.aiceps_sign_in_counted = None
            pair, *others = _limits(account, address)
            cache.delete(_key("count", pair))
            for limit in others:
                _uncount(_key("count", limit))
        days = settings.AICEPS_SIGN_IN_LIMITS.known_address_days
        if days > 0:
            cache.set(_known_key(account, address), 1, int(days * 86400))
    except Exception as exc:  # the sign-in itself succeeded: do not fail it for this
        logger.warning("sign-in gate unavailable", extra={"error": str(exc)})


class SignInGateBackend:
    """An authentication backend that authenticates no one: it admits or refuses the attempt
    before ``ModelBackend`` hashes the password."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is not None and username:
            sign_in_admit(request=request, username=username)
        return None  # no get_user: sessions never name this backend


@receiver(user_logged_in, dispatch_uid="accounts_sign_in_gate_succeeded")
def _signed_in(sender, request, user, **kwargs) -> None:
    if request is not None and getattr(request, "aiceps_sign_in_counted", None):
        sign_in_succeeded(request=request, username=user.get_username())
