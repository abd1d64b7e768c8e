"""One way out: every HTTP request AicePS makes itself goes through :func:`request`.

Webhook deliveries, ``/api/proxy-image``, the JWKS of a Supabase project, the midjourney-proxy
and the photos an agent names by URL all call it (SDKs such as ``openai`` and ``google-genai``
keep their own clients for their own APIs; no module of AicePS imports ``requests``,
``httpx``, ``urllib3``, ``urllib.request`` or ``http.client`` but this one:
``tests/core/test_one_way_out.py``). One client stack, urllib3, under these rules:

* every URL, and every redirect's target, passes the SSRF policy of :mod:`core.destinations`
  (``policy``) first;
* the connection goes to an address that policy vetted, never to the name again, so a DNS
  answer that changes in between (rebinding) cannot send it elsewhere; TLS still verifies the
  certificate for the host name (certifi's roots). When the name has several addresses, the
  next is tried only when one refuses the connection;
* connect and read timeouts are explicit (:class:`Timeouts`), with an optional bound on the
  whole call, redirects and retries included;
* the body is read up to ``max_bytes``: beyond it, :class:`TooLarge`, or the first
  ``max_bytes`` with ``truncate=True`` (a webhook answer's excerpt);
* redirects are followed by hand, at most ``redirects`` (none by default: a 3xx is then the
  answer); ``Authorization`` and cookies are dropped when a redirect changes host;
* retries only through :mod:`core.retry`, when the caller passes a ``retry`` policy (for
  idempotent calls): a failed connection, a timeout, or 429/502/503/504 (``Retry-After``
  honoured) are tried again; a refused destination or a too-large body never are.

Errors: :class:`~core.destinations.DestinationError` for a URL the policy refuses, and
:class:`OutboundError` (:class:`TimedOut`, :class:`Unreachable`, :class:`TooLarge`,
:class:`TooManyRedirects`) when no usable answer came. Any status is an answer: the caller
decides what a 404 means.
"""

from __future__ import annotations

import json
import time
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

import certifi
import urllib3

from .destinations import Destination, Policy, resolve_destination
from .retry import RetryPolicy, call_with_retries, parse_retry_after

REDIRECTS = (301, 302, 303, 307, 308)
RETRIED_STATUSES = (429, 502, 503, 504)
CHUNK_BYTES = 64 * 1024
USER_AGENT = "AicePS"
_CREDENTIALS = ("authorization", "cookie", "proxy-authorization")


@dataclass(frozen=True)
class Timeouts:
    connect: float  # seconds to open the connection (TLS included)
    read: float  # seconds to wait for each piece of the answer
    total: float | None = None  # the whole call: redirects, retries and waits between them

    @classmethod
    def each(cls, seconds: float) -> Timeouts:
        """``seconds`` to connect, to wait for each read, and for the whole call."""
        return cls(connect=seconds, read=seconds, total=seconds)


@dataclass(frozen=True)
class Response:
    status: int
    headers: Mapping[str, str]  # case-insensitive
    body: bytes
    url: str  # the last URL asked, after redirects
    truncated: bool = False

    def json(self):
        """The body as JSON; ``ValueError`` when it is not."""
        return json.loads(self.body)

    def excerpt(self, length: int = 300) -> str:
        return self.body[:length].decode("utf-8", "replace")


class OutboundError(Exception):
    """No usable answer came (see the subclasses); ``retryable`` for :mod:`core.retry`."""

    code = "connection_error"
    retryable = True
    retry_after: float | None = None


class Unreachable(OutboundError):
    """Refused, reset, TLS failed, or the answer was not HTTP."""


class TimedOut(OutboundError):
    code = "timeout"


class TooLarge(OutboundError):
    code = "too_large"
    retryable = False


class TooManyRedirects(OutboundError):
    code = "too_many_redirects"
    retryable = False


class _RetryableAnswer(Exception):
    """A 429/502/503/504 while retries are allowed: try again, or give it back at the end."""

    retryable = True

    def __init__(self, response: Response) -> None:
        super().__init__(f"answered {response.status}")
        self.response = response
        self.retry_after = parse_retry_after(response.headers)


@dataclass(frozen=True)
class _Rules:
    policy: Policy
    timeouts: Timeouts
    deadline: float | None
    max_bytes: int
    truncate: bool
    param: str | None


def request(
    method: str,
    url: str,
    *,
    policy: Policy,
    timeouts: Timeouts,
    max_bytes: int,
    headers: Mapping[str, str] | None = None,
    body: bytes | None = None,
    redirects: int = 0,
    truncate: bool = False,
    retry: RetryPolicy | None = None,
    param: str | None = None,
) -> Response:
    """Send one request under the rules above and read its answer. ``param`` names the
    request's field in a :class:`~core.destinations.DestinationError`."""
    deadline = None if timeouts.total is None else time.monotonic() + timeouts.total
    rules = _Rules(policy, timeouts, deadline, max_bytes, truncate, param)
    headers = {"User-Agent": USER_AGENT, **(headers or {})}

    def once() -> Response:
        response = _follow(rules, method, url, headers, body, redirects)
        if retry is not None and response.status in RETRIED_STATUSES:
            raise _RetryableAnswer(response)
        return response

    if retry is None:
        return once()

    def retryable(error: BaseException) -> bool:
        return getattr(error, "retryable", False) and _left(deadline) > 0

    def sleep(seconds: float) -> None:
        time.sleep(min(seconds, max(_left(deadline), 0.0)))

    try:
        return call_with_retries(once, policy=retry, retryable=retryable, sleep=sleep)[0]
    except _RetryableAnswer as last:
        return last.response


def get(url: str, **options) -> Response:
    return request("GET", url, **options)


def post(url: str, body: bytes, **options) -> Response:
    return request("POST", url, body=body, **options)


def multipart(
    fields: Mapping[str, object], files: Mapping[str, tuple[str, bytes, str]]
) -> tuple[bytes, str]:
    """A ``multipart/form-data`` body and its ``Content-Type``: ``fields`` name to value,
    ``files`` name to ``(filename, data, content type)``."""
    parts: dict[str, str | tuple[str, bytes, str]] = {k: str(v) for k, v in fields.items()}
    parts.update(files)
    return urllib3.encode_multipart_formdata(parts)


def _follow(rules: _Rules, method: str, url: str, headers: dict, body, redirects: int) -> Response:
    for _hop in range(redirects + 1):
        destination, addresses = resolve_destination(url, policy=rules.policy, param=rules.param)
        response = _send(rules, destination, addresses, method, url, headers, body)
        location = response.headers.get("Location")
        if redirects == 0 or response.status not in REDIRECTS or not location:
            return response
        following = urljoin(url, location)
        if response.status == 303 or (response.status in (301, 302) and method == "POST"):
            method, body = "GET", None
        if _host(following) != destination.host:
            headers = {k: v for k, v in headers.items() if k.lower() not in _CREDENTIALS}
        url = following
    raise TooManyRedirects(f"more than {redirects} redirects, the last to {url[:200]}")


def _send(
    rules: _Rules,
    destination: Destination,
    addresses: list[str],
    method: str,
    url: str,
    headers: dict,
    body: bytes | None,
) -> Response:
    last: Exception | None = None
    for address in addresses:
        left = _left(rules.deadline)
        if left <= 0:
            raise TimedOut(f"{destination.host} took longer than {rules.timeouts.total:g} s")
        timeout = urllib3.Timeout(
            connect=min(rules.timeouts.connect, left), read=min(rules.timeouts.read, left)
        )
        pool = _pool(destination, address, timeout)
        try:
            answer = pool.urlopen(
                method,
                destination.target,
                body=body,
                headers={**headers, "Host": destination.host_header},
                redirect=False,
                retries=False,
                preload_content=False,
                assert_same_host=False,
            )
        except urllib3.exceptions.NewConnectionError as exc:
            last = exc  # refused (or unreachable): the name's next address, if any
            pool.close()
            continue
        except urllib3.exceptions.TimeoutError as exc:
            pool.close()
            raise TimedOut(f"{destination.host} timed out: {exc}") from None
        except urllib3.exceptions.HTTPError as exc:
            pool.close()
            raise Unreachable(f"{destination.host}: {type(exc).__name__}: {exc}"[:300]) from None
        try:
            data, truncated = _read(rules, answer, destination)
            return Response(answer.status, answer.headers, data, url, truncated)
        finally:
            answer.release_conn()
            pool.close()
    raise Unreachable(f"{destination.host} cannot be reached: {last}"[:300])


def _pool(destination: Destination, address: str, timeout: urllib3.Timeout):
    if destination.scheme == "https":
        return urllib3.HTTPSConnectionPool(
            address,
            destination.port,
            timeout=timeout,
            retries=False,
            maxsize=1,
            server_hostname=destination.host,
            assert_hostname=destination.host,
            cert_reqs="CERT_REQUIRED",
            ca_certs=certifi.where(),
        )
    return urllib3.HTTPConnectionPool(
        address, destination.port, timeout=timeout, retries=False, maxsize=1
    )


def _read(rules: _Rules, answer, destination: Destination) -> tuple[bytes, bool]:
    limit = rules.max_bytes
    declared = answer.headers.get("Content-Length", "")
    if not rules.truncate and declared.isdigit() and int(declared) > limit:
        raise TooLarge(f"{destination.host} announced {declared} bytes, over {limit}")
    chunks, size = [], 0
    try:
        for chunk in answer.stream(CHUNK_BYTES):
            if size + len(chunk) > limit:
                if rules.truncate:
                    chunks.append(chunk[: limit - size])
                    return b"".join(chunks), True
                raise TooLarge(f"{destination.host} sent more than {limit} bytes")
            size += len(chunk)
            chunks.append(chunk)
            if _left(rules.deadline) <= 0:
                raise TimedOut(f"{destination.host} is too slow to send its answer")
    except urllib3.exceptions.TimeoutError as exc:
        raise TimedOut(f"{destination.host} timed out while answering: {exc}") from None
    except urllib3.exceptions.HTTPError as exc:
        raise Unreachable(f"{destination.host} broke off its answer: {exc}"[:300]) from None
    return b"".join(chunks), False


def _left(deadline: float | None) -> float:
    return float("inf") if deadline is None else deadline - time.monotonic()


def _host(url: str) -> str:
    try:
        return (urlsplit(url).hostname or "").lower().rstrip(".")
    except ValueError:
        return ""
