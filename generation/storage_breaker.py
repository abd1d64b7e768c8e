"""A circuit breaker for the remote storage: a hung S3 costs one slow upload, not all of them.

Closed, every upload goes to S3. After ``AICEPS_S3.breaker_failures`` failures in a row, or
at once after an upload that timed out (a hang is not a blip), the breaker opens: uploads go
straight to the local fallback (and the re-upload job moves them to S3 later) for
``AICEPS_S3.breaker_cooldown_seconds``. Then one upload is let through as a probe: it closes
the breaker when it works, and opens it for another cool-down when it fails.

The state lives in the shared cache (Redis, or the database's cache table), so every web and
worker process sees the same breaker: the first timed-out upload opens it for all of them,
and only one probe runs per cool-down, whichever process makes it. Where the cache cannot be
reached, each process falls back to a breaker of its own (the same rules, in memory).
"""

from __future__ import annotations

import logging
import threading
import time

from django.conf import settings
from django.core.cache import caches

logger = logging.getLogger(__name__)
CLOSED, OPEN, PROBING = "closed", "open", "probing"
PREFIX = "aiceps:s3-breaker:"
OPENED, FAILURES, PROBE = PREFIX + "opened_at", PREFIX + "failures", PREFIX + "probe"


def _cooldown() -> float:
    return settings.AICEPS_S3.breaker_cooldown_seconds


def timed_out(exc: BaseException) -> bool:
    """Whether an upload failed by waiting (a hung S3), not by an answer or a refusal."""
    if isinstance(exc, TimeoutError):
        return True
    try:
        from botocore.exceptions import ConnectTimeoutError, ReadTimeoutError
    except ImportError:  # pragma: no cover - botocore comes with the S3 backend
        return False
    return isinstance(exc, ConnectTimeoutError | ReadTimeoutError)


class LocalBreaker:
    """The same breaker in this process's memory: the fallback when the cache is away."""

    def __init__(self, clock=time.time) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self.failures = 0
        self.opened_at: float | None = None
        self.probing = False

    def _state(self) -> str:
        if self.opened_at is None:
            return CLOSED
        if self.probing:
            return PROBING
        return OPEN if self._clock() - self.opened_at < _cooldown() else PROBING

    def allow(self) -> bool:
        with self._lock:
            state = self._state()
            if state == CLOSED:
                return True
            if state == PROBING and not self.probing:
                self.probing = True
                return True
            return False

    def succeeded(self) -> None:
        with self._lock:
            self.failures, self.opened_at, self.probing = 0, None, False

    def failed(self, *, hang: bool = False) -> None:
        with self._lock:
            self.failures += 1
            if hang or self.probing or self.failures >= settings.AICEPS_S3.breaker_failures:
                self.opened_at, self.probing = self._clock(), False

    def describe(self) -> dict:
        with self._lock:
            since = None if self.opened_at is None else round(self._clock() - self.opened_at, 1)
            return {"state": self._state(), "failures": self.failures, "open_for_s": since}


class Breaker:
    """The shared breaker. ``clock`` is wall-clock time: processes compare it."""

    def __init__(self, clock=time.time, cache_alias: str = "default") -> None:
        self._clock = clock
        self._alias = cache_alias
        self._lock = threading.Lock()
        self._probing = False  # this process holds the one probe
        self.local = LocalBreaker(clock)

    @property
    def _cache(self):
        return caches[self._alias]

    def _unshared(self, exc: Exception) -> None:
        logger.warning("storage breaker state not shared", extra={"error": type(exc).__name__})

    # --- the three calls around an upload ----------------------------------------------

    def allow(self) -> bool:
        """Whether this upload may try S3 (one probe at a time, in all processes)."""
        try:
            opened = self._cache.get(OPENED)
            if opened is None:
                return True
            if self._clock() - opened < _cooldown():
                return False
            # A probe that died with its process is forgotten after a cool-down or a minute.
            if self._cache.add(PROBE, 1, timeout=max(_cooldown(), 60.0)):
                with self._lock:
                    self._probing = True
                return True
            return False
        except Exception as exc:
            self._unshared(exc)
            return self.local.allow()

    def succeeded(self) -> None:
        with self._lock:
            self._probing = False
        self.local.succeeded()
        try:
            present = self._cache.get_many([OPENED, FAILURES, PROBE])
            if present:
                self._cache.delete_many(list(present))
        except Exception as exc:
            self._unshared(exc)

    def failed(self, *, hang: bool = False) -> None:
        """An upload failed; ``hang``: it timed out, which opens the breaker at once."""
        with self._lock:
            probing, self._probing = self._probing, False
        try:
            self._cache.add(FAILURES, 0, timeout=None)
            failures = self._cache.incr(FAILURES)
            if hang or probing or failures >= settings.AICEPS_S3.breaker_failures:
                self._cache.set(OPENED, self._clock(), timeout=None)
                if probing:
                    self._cache.delete(PROBE)
        except Exception as exc:
            self._unshared(exc)
            self.local.failed(hang=hang)

    # --- what the readiness check shows --------------------------------------------------

    def _shared(self) -> dict:
        values = self._cache.get_many([OPENED, FAILURES, PROBE])
        opened = values.get(OPENED)
        if opened is None:
            state = CLOSED
        elif PROBE in values or self._clock() - opened >= _cooldown():
            state = PROBING
        else:
            state = OPEN
        since = None if opened is None else round(self._clock() - opened, 1)
        return {"state": state, "failures": int(values.get(FAILURES) or 0), "open_for_s": since}

    @property
    def state(self) -> str:
        return self.describe()["state"]

    def describe(self) -> dict:
        try:
            return {**self._shared(), "shared": True}
        except Exception as exc:
            self._unshared(exc)
            return {**self.local.describe(), "shared": False}


breaker = Breaker()
