"""One POST to a webhook destination, checked and pinned, on the standard library.

The host is resolved and every address checked (``core.destinations``) right before the
request, and the connection goes to an address so checked, never to the name again: a DNS
answer that changes in between (rebinding) cannot send it elsewhere. TLS still verifies
the certificate against the host name. Redirects are not followed (a 3xx is a failed
attempt), and at most a little of the answer is read.
"""

from __future__ import annotations

import http.client
import socket
import time
from dataclasses import dataclass

from core.destinations import DestinationError, resolve_destination
from core.pinned_http import pinned_connection_class

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
    destination, addresses = resolve_destination(url, allow_private=allow_private)
    kind = pinned_connection_class(destination.scheme)
    started = time.perf_counter()
    last: Exception | None = None
    for address in addresses:
        connection = kind(destination.host, destination.port, address, timeout)
        try:
            connection.request(
                "POST",
                destination.target,
                body=body,
                headers={
                    **headers,
                    "Host": destination.host_header,
                    "Content-Type": "application/json",
                    "User-Agent": USER_AGENT,
                },
            )
            response = connection.getresponse()
            excerpt = response.read(READ_LIMIT)[:500].decode("utf-8", "replace")
            return Answer(response.status, _since(started), excerpt)
        except (OSError, http.client.HTTPException) as exc:
            last = exc
            if not isinstance(exc, ConnectionRefusedError | socket.gaierror):
                break  # it answered something, or timed out: don't try another address
        finally:
            connection.close()
    raise DeliveryError(f"{type(last).__name__}: {last}"[:300], latency_ms=_since(started))


def _since(started: float) -> int:
    return round((time.perf_counter() - started) * 1000)


__all__ = ["Answer", "DeliveryError", "DestinationError", "post"]
