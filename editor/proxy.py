"""``/api/proxy-image``: the template page's images, without a server-side request forgery.

It serves images AicePS stores itself (template images, signed task-file links: read from
the storage, never over the network), and fetches anything else through AicePS's one way out
(:mod:`core.outbound`) under its one SSRF policy (:mod:`core.destinations`), with these
settings:

* ``AICEPS_PROXY_IMAGE_HOSTS``: the only hosts fetched from (``*.example.com`` for
  subdomains), redirects' targets included;
* ``AICEPS_PROXY_IMAGE_PRIVATE_HOSTS``: of those, the ones allowed to resolve to private
  addresses (an internal image server); any other must resolve to public addresses only, and
  metadata names and addresses are refused for all;
* redirects are followed, at most three, each target checked like the first URL;
* ``AICEPS_PROXY_IMAGE_TIMEOUT_SECONDS`` for the whole fetch, ``AICEPS_PROXY_IMAGE_MAX_BYTES``
  for the body, and the body must be an image (checked from its header).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings

from catalogue.imaging import ImageError, inspect_upload
from core import outbound
from core.destinations import DestinationError, Policy
from core.errors import DomainError

MAX_REDIRECTS = 3
USER_AGENT = "AicePS image proxy"


class ProxyRefused(DomainError):
    code = "proxy_refused"
    status = 403


@dataclass(frozen=True)
class Fetched:
    data: bytes
    content_type: str


def policy() -> Policy:
    return Policy.of(
        only_hosts=settings.AICEPS_PROXY_IMAGE_HOSTS,
        private_hosts=settings.AICEPS_PROXY_IMAGE_PRIVATE_HOSTS,
    )


def fetch_image(url: str) -> Fetched:
    limit = settings.AICEPS_PROXY_IMAGE_MAX_BYTES
    try:
        response = outbound.get(
            url,
            policy=policy(),
            timeouts=outbound.Timeouts.each(settings.AICEPS_PROXY_IMAGE_TIMEOUT_SECONDS),
            max_bytes=limit,
            redirects=MAX_REDIRECTS,
            headers={"Accept": "image/*", "User-Agent": USER_AGENT},
        )
    except DestinationError as exc:
        status = 502 if exc.code == "unresolvable_host" else 403
        raise ProxyRefused(exc.message, status=status) from None
    except outbound.TooLarge:
        raise ProxyRefused("The image is too large.", status=413) from None
    except outbound.TimedOut:
        raise ProxyRefused("The image host is too slow.", status=504) from None
    except outbound.TooManyRedirects:
        raise ProxyRefused("The image host redirected too often.", status=502) from None
    except outbound.OutboundError as exc:
        raise ProxyRefused("The image host could not be reached.", status=502) from exc
    if response.status != 200:
        raise ProxyRefused(f"The image host answered {response.status}.", status=502)
    try:
        image = inspect_upload(response.body, max_bytes=limit)
    except ImageError as exc:
        raise ProxyRefused("The URL does not point at an image.", status=502) from exc
    return Fetched(response.body, image.mime_type)
