"""May AicePS send a request to this URL? The one SSRF policy, for every request AicePS makes
(:mod:`core.outbound` applies it before each connection, redirects included).

A URL someone gives is a request AicePS will make from inside its own network, so it is
refused when:

* it is not ``http``/``https`` with a host, carries a user name or password, or is longer than
  :data:`MAX_URL_LENGTH`;
* its host is neither a plain dotted-quad or IPv6 address nor a name whose last label starts
  with a letter (as every top-level domain does): so no number however spelled
  (``2130706433``, ``0177.0.0.1``, ``0x7f.1``, ``127.1``: libraries read such spellings
  differently, the classic way past a filter);
* its host is a cloud metadata name (``metadata.google.internal``, ``instance-data``…), always,
  or ends in ``.internal`` where private addresses are not allowed;
* a list of hosts is given (:attr:`Policy.only_hosts`) and the host is not on it;
* any address the name resolves to is not on the public internet: loopback (``127.0.0.0/8``,
  ``::1``), private (RFC 1918, ``fc00::/7``), link-local (``169.254.0.0/16`` with the cloud
  metadata service ``169.254.169.254``, ``fe80::/10``), shared address space (CGNAT
  ``100.64.0.0/10``, with Alibaba's metadata ``100.100.100.200``), AWS's IPv6 metadata
  ``fd00:ec2::254``, unspecified, multicast, reserved and documentation ranges, and IPv4
  inside IPv6 (mapped ``::ffff:10.0.0.1``, NAT64 ``64:ff9b::/96`` always, 6to4 of a private
  address). Every address must pass, not just one of them.

Where private addresses are allowed (:attr:`Policy.allow_private` for tests' servers on
127.0.0.1 and closed networks, or :attr:`Policy.private_hosts` by name), link-local addresses
and the metadata services are still refused: no deployment sends a webhook or fetches an
image there.

The check runs when a URL is given and again right before each request: a DNS answer can
change between the two (DNS rebinding), so :func:`resolve_destination` gives the addresses it
vetted and the caller connects to those, never to the name again.
"""

from __future__ import annotations

import ipaddress
import re
import socket
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

from .errors import ValidationError

MAX_URL_LENGTH = 2000
Address = ipaddress.IPv4Address | ipaddress.IPv6Address
NAT64 = ipaddress.ip_network("64:ff9b::/96")
# Shared address space (RFC 6598) and NAT64 are not "private" to the ipaddress module.
_NOT_PUBLIC = (
    ipaddress.ip_network("100.64.0.0/10"),
    NAT64,
    ipaddress.ip_network("64:ff9b:1::/48"),
    ipaddress.ip_network("fd00:ec2::254/128"),
)
# Never reached, whatever a deployment allows: the cloud metadata services.
_METADATA = (
    ipaddress.ip_network("169.254.0.0/16"),  # all link-local (AWS, GCP, Azure, ECS 169.254.170.2)
    ipaddress.ip_network("fe80::/10"),
    ipaddress.ip_network("fd00:ec2::254/128"),
    ipaddress.ip_network("100.100.100.200/32"),  # Alibaba
)
METADATA_NAMES = frozenset(
    {
        "metadata.google.internal",
        "metadata",
        "metadata.goog",
        "instance-data",
        "instance-data.ec2.internal",
    }
)
# A name's last label starts with a letter, as every top-level domain's does; a host whose
# last label starts with a digit is a number however it is spelled (``0x7f.1``, ``127.1``),
# or reads like one to some library.
_NUMBER_LIKE_HOST = re.compile(r"(^|\.)[0-9][^.]*$")


class DestinationError(ValidationError):
    """A URL that AicePS will not call; ``code`` says why."""

    code = "invalid_destination"


@dataclass(frozen=True)
class Policy:
    """Which destinations one caller may reach. The default: public addresses only."""

    allow_private: bool = False  # loopback, private and CGNAT addresses too (never metadata)
    private_hosts: frozenset[str] = frozenset()  # these names may resolve to private addresses
    only_hosts: tuple[str, ...] | None = None  # these names only (``*.example.com``); None: any

    @classmethod
    def of(
        cls,
        *,
        allow_private: bool = False,
        private_hosts: Iterable[str] = (),
        only_hosts: Iterable[str] | None = None,
    ) -> Policy:
        """A policy from settings' lists (names compared lower-case, without a final dot)."""
        return cls(
            allow_private=allow_private,
            private_hosts=frozenset(_name(host) for host in private_hosts if host.strip()),
            only_hosts=None if only_hosts is None else tuple(_name(h) for h in only_hosts),
        )

    def private_ok(self, host: str) -> bool:
        return self.allow_private or host in self.private_hosts

    def listed(self, host: str) -> bool:
        if self.only_hosts is None:
            return True
        return any(
            host == allowed or (allowed.startswith("*.") and host.endswith(allowed[1:]))
            for allowed in self.only_hosts
        )


PUBLIC = Policy()
# URLs the operator configured (SUPABASE_URL, the midjourney-proxy): often on the same closed
# network as AicePS, so private addresses are fine; metadata services still are not.
CONFIGURED = Policy(allow_private=True)


@dataclass(frozen=True)
class Destination:
    scheme: str  # "http" or "https"
    host: str  # a name (lower case, no final dot) or an address, without brackets
    port: int
    target: str  # path and query, what goes on the request line

    @property
    def host_header(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        default = 443 if self.scheme == "https" else 80
        return host if self.port == default else f"{host}:{self.port}"


def _name(host: str) -> str:
    return host.strip().lower().rstrip(".")


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
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https") or not parts.hostname or not _name(parts.hostname):
        raise DestinationError(
            "The URL must start with http:// or https:// and name a host.",
            code="invalid_url",
            param=param,
        )
    if parts.username is not None or parts.password is not None:
        raise DestinationError(
            "The URL must not carry a user name or password.", code="invalid_url", param=param
        )
    target = parts.path or "/"
    if parts.query:
        target += f"?{parts.query}"
    return Destination(
        scheme=scheme,
        host=_name(parts.hostname),
        port=port or (443 if scheme == "https" else 80),
        target=target,
    )


def is_public(address: Address) -> bool:
    """Whether ``address`` is on the public internet (see the module's list)."""
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return is_public(address.ipv4_mapped)
        embedded = address.sixtofour
        if embedded is None and address in NAT64:
            embedded = ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
        if embedded is not None and not is_public(embedded):
            return False
    if any(address in network for network in _NOT_PUBLIC if network.version == address.version):
        return False
    return address.is_global and not (
        address.is_multicast
        or address.is_reserved
        or address.is_link_local
        or address.is_unspecified
    )


def is_metadata(address: Address) -> bool:
    """Whether ``address`` is (or embeds) a cloud metadata or other link-local address."""
    if isinstance(address, ipaddress.IPv6Address):
        embedded = address.ipv4_mapped or address.sixtofour
        if embedded is None and address in NAT64:
            embedded = ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
        if embedded is not None and is_metadata(embedded):
            return True
    return any(address in network for network in _METADATA if network.version == address.version)


Resolver = Callable[..., list]


def lookup(host: str, port: int) -> list:
    """``getaddrinfo`` for ``host``: the one seam tests replace to play DNS."""
    return socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)


def resolve_destination(
    url: str,
    *,
    policy: Policy | None = None,
    allow_private: bool = False,
    param: str | None = None,
    resolver: Resolver | None = None,
) -> tuple[Destination, list[str]]:
    """The destination and the addresses to connect to, every one of them checked under
    ``policy`` (or, shorter, ``Policy(allow_private=allow_private)``).

    Raises :class:`DestinationError` with code ``invalid_url``, ``destination_not_allowed``
    (not on ``only_hosts``), ``unresolvable_host`` or ``destination_not_public``."""
    policy = policy or Policy(allow_private=allow_private)
    destination = parse_destination(url, param=param)
    host = destination.host
    try:
        literal = ipaddress.ip_address(host)
    except ValueError:
        literal = None
    if literal is None and _NUMBER_LIKE_HOST.search(host):
        raise DestinationError(
            f"Write the address {host!r} as four decimal numbers (or an IPv6 address); a "
            "host name's last label starts with a letter.",
            code="invalid_url",
            param=param,
        )
    if host in METADATA_NAMES or (host.endswith(".internal") and not policy.private_ok(host)):
        raise DestinationError(
            f"The host {host!r} is refused.", code="destination_not_public", param=param
        )
    if not policy.listed(host):
        raise DestinationError(
            f"Requests to {host} are not allowed here.",
            code="destination_not_allowed",
            param=param,
        )
    addresses = (
        [literal] if literal is not None else _resolve(host, destination.port, resolver, param)
    )
    refused = [
        address
        for address in addresses
        if is_metadata(address) or not (policy.private_ok(host) or is_public(address))
    ]
    if refused:
        raise DestinationError(
            "This URL leads to a private, loopback or link-local network address "
            f"({refused[0]}); give a public address.",
            code="destination_not_public",
            param=param,
        )
    return destination, [str(address) for address in addresses]


def _resolve(host: str, port: int, resolver: Resolver | None, param: str | None) -> list[Address]:
    try:
        answers = (resolver or lookup)(host, port)
    except (OSError, UnicodeError):
        raise DestinationError(
            f"The host {host!r} cannot be resolved.", code="unresolvable_host", param=param
        ) from None
    addresses: list[Address] = []
    for *_, sockaddr in answers:
        address = ipaddress.ip_address(sockaddr[0].split("%", 1)[0])
        if address not in addresses:
            addresses.append(address)
    if not addresses:
        raise DestinationError(
            f"The host {host!r} has no address.", code="unresolvable_host", param=param
        )
    return addresses


def check_destination(url: str, *, allow_private: bool = False, param: str | None = None) -> str:
    """``url`` (stripped) when AicePS may call it now; a :class:`DestinationError` otherwise."""
    resolve_destination(url, allow_private=allow_private, param=param)
    return url.strip()
