"""The signing keys of a Supabase project, read from its JWKS and kept for a while.

Supabase signs session JWTs with asymmetric keys (ES256, RS256) published at
``{SUPABASE_URL}/auth/v1/.well-known/jwks.json``. The set is fetched once and kept
``AICEPS_JWKS_CACHE_SECONDS``; a token naming a key id the cached set lacks (a rotation)
fetches it again, but at most once every ``REFETCH_SECONDS``, so tokens with made-up key ids
cannot make AicePS hammer the project. Fetches are bounded in time and size.
"""

from __future__ import annotations

import json
import logging
import threading
import time
import urllib.request

import jwt
from django.conf import settings

logger = logging.getLogger(__name__)
REFETCH_SECONDS = 30.0
MAX_JWKS_BYTES = 256 * 1024
ASYMMETRIC = ("ES256", "RS256")


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
            request = urllib.request.Request(self.url, headers={"Accept": "application/json"})
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                body = response.read(MAX_JWKS_BYTES + 1)
            if len(body) > MAX_JWKS_BYTES:
                raise JwksError(f"{self.url} answered more than {MAX_JWKS_BYTES} bytes")
            keys: dict[str, jwt.PyJWK] = {}
            for entry in json.loads(body).get("keys", []):
                if entry.get("use", "sig") != "sig":
                    continue
                try:
                    parsed = jwt.PyJWK(entry)
                except (jwt.PyJWKError, jwt.InvalidKeyError) as exc:
                    logger.warning("JWKS key skipped", extra={"kid": entry.get("kid"), "e": exc})
                    continue
                if parsed.algorithm_name in ASYMMETRIC:
                    keys[entry.get("kid") or f"key-{len(keys)}"] = parsed
        except (OSError, ValueError, AttributeError, JwksError) as exc:
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
