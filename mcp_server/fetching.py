"""Fetching a photo an agent names by URL, under the SSRF policy of ``core.destinations``.

The host is resolved and every address checked (public addresses only, unless
``AICEPS_MCP_URL_ALLOW_PRIVATE``), and the connection goes to a checked address, never to the
name again (no DNS rebinding in between); TLS still verifies the name. Redirects are followed
by hand, at most three, each target checked like the first. The body is read up to
``AICEPS_MAX_UPLOAD_BYTES`` and the whole fetch bounded in time.
"""

from __future__ import annotations

import http.client
import time
from urllib.parse import urljoin

from django.conf import settings

from core.destinations import resolve_destination
from core.errors import ValidationError
from core.pinned_http import pinned_connection_class

MAX_REDIRECTS = 3
TIMEOUT_SECONDS = 15.0
USER_AGENT = "AicePS-MCP/1"


class FetchError(ValidationError):
    code = "image_url_failed"


def fetch_url(url: str, *, param: str) -> bytes:
    """The body of ``url`` (at most ``AICEPS_MAX_UPLOAD_BYTES``), or a ValidationError naming
    ``param``."""
    deadline = time.monotonic() + TIMEOUT_SECONDS
    limit = settings.AICEPS_MAX_UPLOAD_BYTES
    for _hop in range(MAX_REDIRECTS + 1):
        destination, addresses = resolve_destination(
            url, allow_private=settings.AICEPS_MCP_URL_ALLOW_PRIVATE, param=param
        )
        left = deadline - time.monotonic()
        if left <= 0:
            raise FetchError("The image host is too slow.", param=param)
        kind = pinned_connection_class(destination.scheme)
        connection = kind(destination.host, destination.port, addresses[0], left)
        try:
            connection.request(
                "GET",
                destination.target,
                headers={
                    "Host": destination.host_header,
                    "Accept": "image/*",
                    "User-Agent": USER_AGENT,
                },
            )
            response = connection.getresponse()
            if response.status in (301, 302, 303, 307, 308):
                location = response.getheader("Location")
                if not location:
                    raise FetchError("The image host redirected nowhere.", param=param)
                url = urljoin(url, location)
                continue
            if response.status != 200:
                raise FetchError(f"The image host answered {response.status}.", param=param)
            return _read(response, limit=limit, deadline=deadline, param=param)
        except (OSError, http.client.HTTPException) as exc:
            raise FetchError(
                f"The image URL could not be fetched ({type(exc).__name__}).", param=param
            ) from None
        finally:
            connection.close()
    raise FetchError("The image host redirected too often.", param=param)


def _read(response, *, limit: int, deadline: float, param: str) -> bytes:
    declared = response.getheader("Content-Length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise _too_large(limit, param)
    chunks, size = [], 0
    while chunk := response.read(64 * 1024):
        size += len(chunk)
        if size > limit:
            raise _too_large(limit, param)
        if time.monotonic() > deadline:
            raise FetchError("The image host is too slow.", param=param)
        chunks.append(chunk)
    return b"".join(chunks)


def _too_large(limit: int, param: str) -> ValidationError:
    return ValidationError(
        f"The image is larger than the {limit / (1024 * 1024):g} MB limit.",
        code="file_too_large",
        status=413,
        param=param,
    )
