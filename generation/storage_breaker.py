"""A circuit breaker for the remote storage: a hung S3 costs a few requests, not all of them.

Closed, every upload goes to S3. After ``AICEPS_S3_BREAKER_FAILURES`` failures in a row the
breaker opens: uploads go straight to the local fallback (and the re-upload job moves them to
S3 later) for ``AICEPS_S3_BREAKER_COOLDOWN_SECONDS``. Then one upload is let through as a
probe: it closes the breaker when it works, and opens it for another cool-down when it fails.
The state is per process: each web and worker process learns on its own, within a few
requests, that S3 is back or away.
"""

from __future__ import annotations

import threading
import time

from django.conf import settings

CLOSED, OPEN, PROBING = "closed", "open", "probing"


class Breaker:
    def __init__(self, clock=time.monotonic) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self.failures = 0
        self.opened_at: float | None = None
        self.probing = False

    @property
    def state(self) -> str:
        with self._lock:
            return self._state()

    def _state(self) -> str:
        if self.opened_at is None:
            return CLOSED
        if self.probing:
            return PROBING
        if self._clock() - self.opened_at < settings.AICEPS_S3_BREAKER_COOLDOWN_SECONDS:
            return OPEN
        return PROBING

    def allow(self) -> bool:
        """Whether this upload may try S3 (at most one probe at a time once cooled down)."""
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

    def failed(self) -> None:
        with self._lock:
            self.failures += 1
            if self.probing or self.failures >= settings.AICEPS_S3_BREAKER_FAILURES:
                self.opened_at, self.probing = self._clock(), False

    def describe(self) -> dict:
        with self._lock:
            state = self._state()
            since = None if self.opened_at is None else round(self._clock() - self.opened_at, 1)
            return {"state": state, "failures": self.failures, "open_for_s": since}


breaker = Breaker()
