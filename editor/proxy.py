"""``/api/proxy-image``: the template page's images, without a server-side request forgery.

It serves images AicePS stores itself (template images, signed task-file links: read from
the storage, never over the network), and fetches from the hosts in
``AICEPS_PROXY_IMAGE_HOSTS`` only, under these rules:

* ``http``/``https`` only, no user name or password in the URL;
* the host is resolved once and every address checked: loopback, private, link-local (cloud
  metadata at 169.254.169.254 too), shared, multicast, reserved and unspecified addresses are
  refused, IPv4 inside IPv6 (mapped, NAT64, 6to4) included, and known metadata names outright,
  unless the host is one of ``AICEPS_PROXY_IMAGE_PRIVATE_HOSTS``;
* the connection goes to the checked address (the name is not resolved a second time, so a
  DNS answer that changes in between cannot point it elsewhere), TLS verified for the name;
* redirects are followed by hand, at most three, each target checked like the first URL;
* ``AICEPS_PROXY_IMAGE_TIMEOUT_SECONDS`` for the whole fetch, ``AICEPS_PROXY_IMAGE_MAX_BYTES``
  for the body, and the body must be an image (checked from its header).
"""

from __future__ import annotations

import ipaddress
import socket
import time
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

import certifi
import urllib3
from django.conf import settings

from catalogue.imaging import ImageError, inspect_upload
from core.errors import DomainError

MAX_REDIRECTS = 3
METADATA_NAMES = frozenset(
    {
        "metadata.google.internal",
        "metadata",
        "metadata.goog",
        "instance-data",
        "instance-data.ec2.internal",
    }
)
NAT64 = ipaddress.ip_network("64:ff9b::/96")


class ProxyRefused(DomainError):
    code = "proxy_refused"
    status = 403


@dataclass(frozen=True)
class Fetched:
    data: bytes
    content_type: str


def host_allowed(host: str) -> bool:
    host = host.lower().rstrip(".")
    for allowed in settings.AICEPS_PROXY_IMAGE_HOSTS:
        allowed = allowed.lower().strip().rstrip(".")
        if host == allowed or (allowed.startswith("*.") and host.endswith(allowed[1:])):
            return True
    return False


def address_is_public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address):
        embedded = ip.ipv4_mapped or ip.sixtofour
        if embedded is None and ip in NAT64:
            embedded = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
        if embedded is not None and not address_is_public(str(embedded)):
            return False
    return ip.is_global and not ip.is_multicast


def resolve_addresses(host: str, port: int) -> list[str]:
    """Every address ``host`` resolves to (the one seam tests replace to play DNS)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise ProxyRefused(f"The image host {host} cannot be found.", status=502) from exc
    return list(dict.fromkeys(info[4][0] for info in infos))


def checked_target(url: str) -> tuple[str, str, int, str, str]:
    """(scheme, host, port, path and query, address to connect to) or ProxyRefused."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise ProxyRefused("That is not a valid image URL.", status=400) from exc
    scheme, host = parts.scheme.lower(), (parts.hostname or "").lower().rstrip(".")
    if scheme not in ("http", "https") or not host:
        raise ProxyRefused("Only http and https image URLs can be shown.")
    if parts.username is not None or parts.password is not None:
        raise ProxyRefused("Image URLs with a user name or password are refused.")
    private_ok = host in {h.lower().strip() for h in settings.AICEPS_PROXY_IMAGE_PRIVATE_HOSTS}
    if host in METADATA_NAMES or (host.endswith(".internal") and not private_ok):
        raise ProxyRefused("That host is refused.")
    if not host_allowed(host):
        raise ProxyRefused(f"Images from {host} are not shown here.")
    port = port or (443 if scheme == "https" else 80)
    addresses = resolve_addresses(host, port)
    if not addresses or not (private_ok or all(address_is_public(a) for a in addresses)):
        raise ProxyRefused(f"{host} resolves to a private or reserved address; refused.")
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return scheme, host, port, path, addresses[0]


def _pool(scheme: str, host: str, port: int, address: str, timeout):
    if scheme == "https":
        return urllib3.HTTPSConnectionPool(
            address,
            port,
            timeout=timeout,
            retries=False,
            server_hostname=host,
            assert_hostname=host,
            cert_reqs="CERT_REQUIRED",
            ca_certs=certifi.where(),
        )
    return urllib3.HTTPConnectionPool(address, port, timeout=timeout, retries=False)


def fetch_image(url: str) -> Fetched:
    deadline = time.monotonic() + settings.AICEPS_PROXY_IMAGE_TIMEOUT_SECONDS
    limit = settings.AICEPS_PROXY_IMAGE_MAX_BYTES
    for _hop in range(MAX_REDIRECTS + 1):
        scheme, host, port, path, address = checked_target(url)
        left = deadline - time.monotonic()
        if left <= 0:
            raise ProxyRefused("The image host is too slow.", status=504)
        default_port = port == (443 if scheme == "https" else 80)
        headers = {
            "Host": host if default_port else f"{host}:{port}",
            "Accept": "image/*",
            "User-Agent": "AicePS image proxy",
        }
        pool = _pool(scheme, host, port, address, urllib3.Timeout(connect=left, read=left))
        try:
            response = pool.urlopen(
                "GET", path, headers=headers, redirect=False, preload_content=False
            )
        except urllib3.exceptions.HTTPError as exc:
            raise ProxyRefused("The image host could not be reached.", status=502) from exc
        try:
            if response.status in (301, 302, 303, 307, 308):
                location = response.headers.get("Location")
                if not location:
                    raise ProxyRefused("The image host redirected nowhere.", status=502)
                url = urljoin(url, location)
                continue
            if response.status != 200:
                raise ProxyRefused(f"The image host answered {response.status}.", status=502)
            data = _read(response, limit=limit, deadline=deadline)
        finally:
            response.release_conn()
            pool.close()
        try:
            image = inspect_upload(data, max_bytes=limit)
        except ImageError as exc:
            raise ProxyRefused("The URL does not point at an image.", status=502) from exc
        return Fetched(data, image.mime_type)
    raise ProxyRefused("The image host redirected too often.", status=502)


def _read(response, *, limit: int, deadline: float) -> bytes:
    declared = response.headers.get("Content-Length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise ProxyRefused("The image is too large.", status=413)
    chunks, size = [], 0
    for chunk in response.stream(64 * 1024):
        size += len(chunk)
        if size > limit:
            raise ProxyRefused("The image is too large.", status=413)
        if time.monotonic() > deadline:
            raise ProxyRefused("The image host is too slow.", status=504)
        chunks.append(chunk)
    return b"".join(chunks)
