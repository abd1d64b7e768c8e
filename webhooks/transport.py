"""One POST to a webhook destination, through AicePS's one way out (:mod:`core.outbound`).

The destination is checked again right before the request (the SSRF policy of
``core.destinations``: public addresses only unless ``AICEPS_WEBHOOK_ALLOW_PRIVATE``), and the
connection goes to an address so checked, never to the name again. Redirects are not
followed (a 3xx is a failed attempt), and at most a little of the answer is read. Retries are
the delivery schedule's (``webhooks.services.delivery``), not immediate ones.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from core import outbound
from core.destinations import DestinationError, Policy

READ_LIMIT = 4096
USER_AGENT = "AicePS-Webhooks/1"


@dataclass(frozen=True)
class Answer:
    status: int
    latency_ms: int
    excerpt: str


class DeliveryError(Exception):
    """The request did not get an answer (refused, timed out, TLS, reset)."""

    def __init__(self, message: str, *, latency_ms: int) -> None:
        super().__init__(message)
        self.latency_ms = latency_ms


def post(url: str, body: bytes, headers: dict, *, timeout: float, allow_private: bool) -> Answer:
    """POST ``body``; the answer, :class:`DeliveryError` without one, or
    :class:`~core.destinations.DestinationError` for a destination not allowed now."""
    started = time.perf_counter()
    try:
        response = outbound.post(
            url,
            body,
            policy=Policy(allow_private=allow_private),
            timeouts=outbound.Timeouts.each(timeout),
            max_bytes=READ_LIMIT,
            truncate=True,
            headers={**headers, "Content-Type": "application/json", "User-Agent": USER_AGENT},
        )
    except outbound.OutboundError as exc:
        message = f"{type(exc).__name__}: {exc}"[:300]
        raise DeliveryError(message, latency_ms=_since(started)) from None
    return Answer(response.status, _since(started), response.excerpt(500))


def _since(started: float) -> int:
    return round((time.perf_counter() - started) * 1000)


__all__ = ["Answer", "DeliveryError", "DestinationError", "post"]
