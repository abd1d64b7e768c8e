"""A password hasher that counts how many passwords were actually hashed (and how many at
once), for tests that a limit refuses before the expensive work. MD5 like the test settings,
made slow enough (``DELAY``) that concurrent attempts overlap."""

from __future__ import annotations

import threading
import time

from django.contrib.auth.hashers import MD5PasswordHasher

_inside = threading.local()


class CountingHasher(MD5PasswordHasher):
    DELAY = 0.05
    lock = threading.Lock()
    calls = 0
    running = 0
    most_at_once = 0

    @classmethod
    def reset(cls) -> None:
        with cls.lock:
            cls.calls = cls.running = cls.most_at_once = 0

    @classmethod
    def _hashing(cls):
        with cls.lock:
            cls.calls += 1
            cls.running += 1
            cls.most_at_once = max(cls.most_at_once, cls.running)
        time.sleep(cls.DELAY)
        with cls.lock:
            cls.running -= 1

    def verify(self, password, encoded):
        self._hashing()
        _inside.verifying = True  # MD5's verify encodes: one password, one count
        try:
            return super().verify(password, encoded)
        finally:
            _inside.verifying = False

    def encode(self, password, salt):
        if not getattr(_inside, "verifying", False):
            self._hashing()
        return super().encode(password, salt)
