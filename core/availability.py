"""Whether an exception means a service AicePS depends on is away (Redis: the cache that
holds throttle counters, the queue's broker), rather than a bug.

Such a request is answered 503 with ``Retry-After`` (a JSON error in the endpoint's shape),
never a 500: a limit that cannot be counted refuses instead of letting everything through,
and the client knows to try again.
"""

from __future__ import annotations

RETRY_AFTER_SECONDS = 5
MESSAGE = "A service AicePS needs is briefly unavailable; try again soon."


def _redis_errors() -> tuple[type[BaseException], ...]:
    try:
        from redis import exceptions
    except ImportError:  # pragma: no cover - redis is a dependency, but optional here
        return ()
    return (exceptions.ConnectionError, exceptions.TimeoutError, exceptions.BusyLoadingError)


UNAVAILABLE = _redis_errors()


def is_unavailable(exc: BaseException) -> bool:
    return bool(UNAVAILABLE) and isinstance(exc, UNAVAILABLE)
