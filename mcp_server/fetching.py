"""Fetching a photo an agent names by URL, through AicePS's one way out (:mod:`core.outbound`).

Under the SSRF policy of ``core.destinations`` (public addresses only, unless
``AICEPS_MCP_URL_ALLOW_PRIVATE``), connected to a checked address, never to the name again (no
DNS rebinding in between); TLS still verifies the name. Redirects are followed, at most three,
each target checked like the first. The body is read up to ``AICEPS_MAX_UPLOAD_BYTES`` and the
whole fetch bounded in time.
"""

from __future__ import annotations

from django.conf import settings

from core import outbound
from core.destinations import Policy
from core.errors import ValidationError

MAX_REDIRECTS = 3
TIMEOUT_SECONDS = 15.0
USER_AGENT = "AicePS-MCP/1"


class FetchError(ValidationError):
    code = "image_url_failed"


def fetch_url(url: str, *, param: str) -> bytes:
    """The body of ``url`` (at most ``AICEPS_MAX_UPLOAD_BYTES``), or a ValidationError naming
    ``param`` (a :class:`~core.destinations.DestinationError` for a refused address)."""
    limit = settings.AICEPS_MAX_UPLOAD_BYTES
    try:
        response = outbound.get(
            url,
            policy=Policy(allow_private=settings.AICEPS_MCP_URL_ALLOW_PRIVATE),
            timeouts=outbound.Timeouts.each(TIMEOUT_SECONDS),
            max_bytes=limit,
            redirects=MAX_REDIRECTS,
            headers={"Accept": "image/*", "User-Agent": USER_AGENT},
            param=param,
        )
    except outbound.TooLarge:
        raise ValidationError(
            f"The image is larger than the {limit / (1024 * 1024):g} MB limit.",
            code="file_too_large",
            status=413,
            param=param,
        ) from None
    except outbound.TimedOut:
        raise FetchError("The image host is too slow.", param=param) from None
    except outbound.TooManyRedirects:
        raise FetchError("The image host redirected too often.", param=param) from None
    except outbound.OutboundError as exc:
        raise FetchError(
            f"The image URL could not be fetched ({type(exc).__name__}).", param=param
        ) from None
    if response.status != 200:
        raise FetchError(f"The image host answered {response.status}.", param=param)
    return response.body
