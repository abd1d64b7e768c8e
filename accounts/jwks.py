"""The signing keys of a Supabase project, read from its JWKS and kept for a while.

Supabase signs session JWTs with asymmetric keys (ES256, RS256) published at
``{SUPABASE_URL}/auth/v1/.well-known/jwks.json``. The set is fetched once and kept
``AICEPS_JWKS_CACHE_SECONDS``; a token naming a key id the cached set lacks (a rotation)
fetches it again, but at most once every ``REFETCH_SECONDS``, so tokens with made-up key ids
cannot make AicePS hammer the project. Fetches go through AicePS's one way out
(:mod:`core.outbound`): bounded in time and size, tried again once after a failed connection
or a 5xx, and under the SSRF policy for configured URLs (private networks allowed, a
self-hosted project often lives on one; metadata services never).
"""

from __future__ import annotations

import logging
import threading
import time

import jwt
from django.conf import settings

from core import outbound
from core.destinations import CONFIGURED, DestinationError
from core.retry import RetryPolicy

logger = logging.getLogger(__name__)
REFETCH_SECONDS = 30.0
MAX_JWKS_BYTES = 256 * 1024
ASYMMETRIC = ("ES256", "RS256")
RETRY = RetryPolicy(max_attempts=2, backoff_seconds=0.2, max_backoff_seconds=1.0)


class JwksError(Exception):
    """The key set could not be read, or has no key for the token."""


def jwks_url() -> str:
    explicit = getattr(settings, "SUPABASE_JWKS_URL", "")
    if explicit:
        return explicit
    base = (settings.SUPABASE_URL or "").rstrip("/")
    return f"{base}/auth/v1/.well-known/jwks.json" if base else ""


class KeySet:
    def __init__(self, url: str, *, lifespan: float, timeout: float) -> None:
        self.url, self.lifespan, self.timeout = url, lifespan, timeout
        self._keys: dict[str, jwt.PyJWK] = {}
        self._fetched_at = 0.0
        self._lock = threading.Lock()

    def key(self, kid: str | None, algorithm: str) -> jwt.PyJWK:
        """The key for ``kid`` (or the only key of the set when the token names none)."""
        with self._lock:
            now = time.monotonic()
            stale = now - self._fetched_at > self.lifespan
            if stale or (kid not in self._keys and now - self._fetched_at > REFETCH_SECONDS):
                self._refresh()
            found = self._find(kid)
        if found is None:
            raise JwksError(f"no key {kid!r} in {self.url}")
        if found.algorithm_name != algorithm:
            raise JwksError(f"key {kid!r} is {found.algorithm_name}, the token says {algorithm}")
        return found

    def _find(self, kid: str | None) -> jwt.PyJWK | None:
        if kid is not None:
            return self._keys.get(kid)
        return next(iter(self._keys.values())) if len(self._keys) == 1 else None

    def _refresh(self) -> None:
        self._fetched_at = time.monotonic()  # also after a failure: no retry storm
        try:
            response = outbound.get(
                self.url,
                policy=CONFIGURED,
                timeouts=outbound.Timeouts.each(self.timeout),
                max_bytes=MAX_JWKS_BYTES,
                headers={"Accept": "application/json"},
                retry=RETRY,
            )
            if response.status != 200:
                raise JwksError(f"{self.url} answered {response.status}")
            keys: dict[str, jwt.PyJWK] = {}
            for entry in response.json().get("keys", []):
                if entry.get("use", "sig") != "sig":
                    continue
                try:
                    parsed = jwt.PyJWK(entry)
                except (jwt.PyJWKError, jwt.InvalidKeyError) as exc:
                    logger.warning("JWKS key skipped", extra={"kid": entry.get("kid"), "e": exc})
                    continue
                if parsed.algorithm_name in ASYMMETRIC:
                    keys[entry.get("kid") or f"key-{len(keys)}"] = parsed
        except (
            outbound.OutboundError,
            DestinationError,
            ValueError,
            AttributeError,
            JwksError,
        ) as exc:
            logger.warning("JWKS fetch failed", extra={"url": self.url, "error": str(exc)[:300]})
            if not self._keys:
                raise JwksError(f"cannot read {self.url}: {exc}") from exc
            return  # keep the keys we had
        self._keys = keys


_sets: dict[str, KeySet] = {}
_sets_lock = threading.Lock()


def signing_key(kid: str | None, algorithm: str) -> jwt.PyJWK:
    url = jwks_url()
    if not url:
        raise JwksError("SUPABASE_URL is not set")
    with _sets_lock:
        key_set = _sets.get(url)
        if key_set is None:
            key_set = _sets[url] = KeySet(
                url,
                lifespan=settings.AICEPS_JWKS_CACHE_SECONDS,
                timeout=settings.AICEPS_JWKS_TIMEOUT_SECONDS,
            )
    return key_set.key(kid, algorithm)


def forget() -> None:
    """Drop every cached key set (tests change ``SUPABASE_URL``)."""
    with _sets_lock:
        _sets.clear()
