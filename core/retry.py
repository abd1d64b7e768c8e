"""Retrying a call that may fail transiently: the one place AicePS waits and tries again.

Used by the pipeline around each provider stage and by HTTP client code (webhook deliveries,
polling a remote job). A call is retried when the error says it is ``retryable`` (see
:class:`core.errors.DomainError`), with bounded exponential backoff that honours the
error's ``retry_after``; any other exception ends the attempts at once.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from email.message import Message
from email.utils import parsedate_to_datetime
from typing import TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int = 3
    backoff_seconds: float = 1.0
    max_backoff_seconds: float = 30.0

    @classmethod
    def from_settings(cls) -> RetryPolicy:
        from django.conf import settings

        return cls(
            max_attempts=settings.AICEPS_PROVIDER_CALLS.max_attempts,
            backoff_seconds=settings.AICEPS_PROVIDER_CALLS.backoff_seconds,
            max_backoff_seconds=settings.AICEPS_PROVIDER_CALLS.max_backoff_seconds,
        )

    def delay(self, attempt: int, retry_after: float | None = None) -> float:
        """Seconds to wait after failed attempt number ``attempt`` (1-based)."""
        exponential = self.backoff_seconds * (2 ** (attempt - 1))
        return min(max(exponential, retry_after or 0.0), self.max_backoff_seconds)


def is_retryable(error: BaseException) -> bool:
    return bool(getattr(error, "retryable", False))


def call_with_retries(
    call: Callable[[], T],
    *,
    policy: RetryPolicy,
    retryable: Callable[[BaseException], bool] = is_retryable,
    on_retry: Callable[[int, BaseException, float], None] | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> tuple[T, int]:
    """``call()``'s result and the number of attempts it took.

    Raises the last error when it is not retryable or the attempts are used up. ``on_retry``
    hears of each retry (attempt number, error, delay) before the wait."""
    attempt = 0
    while True:
        attempt += 1
        try:
            return call(), attempt
        except Exception as error:
            if not retryable(error) or attempt >= policy.max_attempts:
                raise
            delay = policy.delay(attempt, getattr(error, "retry_after", None))
            if on_retry is not None:
                on_retry(attempt, error, delay)
            sleep(delay)


def parse_retry_after(headers: Mapping[str, str] | Message | None) -> float | None:
    """Seconds to wait from ``retry-after-ms`` (OpenAI) or ``Retry-After`` (seconds or an
    HTTP date). ``headers`` must look up case-insensitively (httpx headers do)."""
    if not headers:
        return None
    value = headers.get("retry-after-ms")
    if value:
        try:
            return max(float(value) / 1000.0, 0.0)
        except ValueError:
            pass
    value = headers.get("retry-after")
    if not value:
        return None
    try:
        return max(float(value), 0.0)
    except ValueError:
        pass
    try:
        return max(parsedate_to_datetime(value).timestamp() - time.time(), 0.0)
    except (TypeError, ValueError):
        return None
