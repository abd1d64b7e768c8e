"""May AicePS send a request to this URL? Destinations that users name (webhooks).

A URL a user gives is a request AicePS will make from inside its own network, so it is
refused when the host resolves to an address that is not on the public internet: loopback
(``127.0.0.0/8``, ``::1``), private (RFC 1918, ``fc00::/7``), link-local (``169.254.0.0/16``
with the cloud metadata service ``169.254.169.254``, ``fe80::/10``), shared address space
(CGNAT ``100.64.0.0/10``, with Alibaba's metadata ``100.100.100.200``), AWS's IPv6 metadata
``fd00:ec2::254``, unspecified, multicast, reserved and documentation ranges, and IPv4
mapped or translated into IPv6 (``::ffff:10.0.0.1``, ``64:ff9b::/96``). Every address the
name resolves to must be public, not just one of them.

The check runs when the URL is given and again right before each request
(:func:`resolve_destination`): a DNS answer can change between the two (DNS rebinding), so
the caller connects to the addresses vetted here, not to the name.
``allow_private`` (a deployment setting, for tests and closed networks) lets every address
through.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

from .errors import ValidationError

MAX_URL_LENGTH = 2000
Address = ipaddress.IPv4Address | ipaddress.IPv6Address
# Shared address space (RFC 6598) and NAT64 are not "private" to the ipaddress module.
_NOT_PUBLIC = (
    ipaddress.ip_network("100.64.0.0/10"),
    ipaddress.ip_network("64:ff9b::/96"),
    ipaddress.ip_network("64:ff9b:1::/48"),
    ipaddress.ip_network("fd00:ec2::254/128"),
)


class DestinationError(ValidationError):
    """A URL that AicePS will not call; ``code`` says why."""

    code = "invalid_destination"


@dataclass(frozen=True)
class Destination:
    scheme: str  # "http" or "https"
    host: str  # as written (a name or an address), without brackets
    port: int
    target: str  # path and query, what goes on the request line

    @property
    def host_header(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        default = 443 if self.scheme == "https" else 80
        return host if self.port == default else f"{host}:{self.port}"


def parse_destination(url: str, *, param: str | None = None) -> Destination:
    """``url`` split into what a request needs, or a :class:`DestinationError`."""
    url = (url or "").strip()
    if not url or len(url) > MAX_URL_LENGTH:
        raise DestinationError(
            f"Give an http or https URL of at most {MAX_URL_LENGTH} characters.",
            code="invalid_url",
            param=param,
        )
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise DestinationError(
            "This URL cannot be read.", code="invalid_url", param=param
        ) from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise DestinationError(
            "The URL must start with http:// or https:// and name a host.",
            code="invalid_url",
            param=param,
        )
    if parts.username or parts.password:
        raise DestinationError(
            "The URL must not carry a user name or password.", code="invalid_url", param=param
        )
    target = parts.path or "/"
    if parts.query:
        target += f"?{parts.query}"
    return Destination(
        scheme=parts.scheme,
        host=parts.hostname,
        port=port or (443 if parts.scheme == "https" else 80),
        target=target,
    )


def is_public(address: Address) -> bool:
    """Whether ``address`` is on the public internet (see the module's list)."""
    if isinstance(address, ipaddress.IPv6Address):
        embedded = address.ipv4_mapped or address.sixtofour
        if embedded is not None:
            return is_public(embedded)
    if any(address in network for network in _NOT_PUBLIC if network.version == address.version):
        return False
    return address.is_global and not (
        address.is_multicast or address.is_reserved or address.is_link_local
    )


Resolver = Callable[..., list]


def resolve_destination(
    url: str,
    *,
    allow_private: bool = False,
    param: str | None = None,
    resolver: Resolver = socket.getaddrinfo,
) -> tuple[Destination, list[str]]:
    """The destination and the addresses to connect to, every one of them checked.

    Raises :class:`DestinationError` with code ``invalid_url``, ``unresolvable_host`` or
    ``destination_not_public``."""
    destination = parse_destination(url, param=param)
    try:
        literal = ipaddress.ip_address(destination.host)
    except ValueError:
        literal = None
    if literal is not None:
        addresses = [literal]
    else:
        try:
            answers = resolver(destination.host, destination.port, type=socket.SOCK_STREAM)
        except (OSError, UnicodeError):
            raise DestinationError(
                f"The host {destination.host!r} cannot be resolved.",
                code="unresolvable_host",
                param=param,
            ) from None
        addresses = []
        for *_, sockaddr in answers:
            address = ipaddress.ip_address(sockaddr[0].split("%", 1)[0])
            if address not in addresses:
                addresses.append(address)
        if not addresses:
            raise DestinationError(
                f"The host {destination.host!r} has no address.",
                code="unresolvable_host",
                param=param,
            )
    if not allow_private:
        refused = [address for address in addresses if not is_public(address)]
        if refused:
            raise DestinationError(
                "This URL leads to a private, loopback or link-local network address "
                f"({refused[0]}); give a public address.",
                code="destination_not_public",
                param=param,
            )
    return destination, [str(address) for address in addresses]


def check_destination(url: str, *, allow_private: bool = False, param: str | None = None) -> str:
    """``url`` (stripped) when AicePS may call it now; a :class:`DestinationError` otherwise."""
    resolve_destination(url, allow_private=allow_private, param=param)
    return url.strip()
