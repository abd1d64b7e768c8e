"""The Redis the tests may use: ``TEST_REDIS_URL`` (default database 15 of 127.0.0.1:6379).

Tests only create keys under a prefix of their own and delete their queues; ``./scripts/test``
starts a Redis on that address when none answers and stops it at the end."""

from __future__ import annotations

import os
import socket
from urllib.parse import urlparse

TEST_REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def redis_answers() -> bool:
    address = urlparse(TEST_REDIS_URL)
    with socket.socket() as probe:
        probe.settimeout(0.5)
        return probe.connect_ex((address.hostname or "127.0.0.1", address.port or 6379)) == 0
