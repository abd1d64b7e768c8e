"""The address a request comes from: the one function sign-in lockouts (django-axes, the
sign-in gate), throttles and log lines all use.

``X-Forwarded-For`` is believed only as far as ``AICEPS_TRUSTED_PROXIES`` says:

* ``0`` (the default): never; the address is the peer's (``REMOTE_ADDR``).
* a count ``N``: every request passes through ``N`` proxies that each append the address
  they saw (nginx's ``$proxy_add_x_forwarded_for``); the client is the ``N``-th address from
  the right. Anything a client wrote itself is further left and ignored. Use it only when
  nothing else can reach the app's port.
* addresses or networks (``127.0.0.1,10.0.0.0/8``): the header is read only when the peer
  is one of them, from the right, skipping addresses that are themselves trusted proxies;
  the first address that is not is the client. A peer that is not trusted is the client,
  whatever it sent.

A value that is not an IP address (a forged ``unknown``, garbage) is never returned: the
nearest trusted hop's view is used instead.
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
UNKNOWN = "0.0.0.0"  # a peer without an address (a Unix socket with nothing in front)


@lru_cache(maxsize=8)
def parse_trusted_proxies(value: str) -> int | tuple[Network, ...]:
    """``"1"`` -> 1; ``"127.0.0.1, 10.0.0.0/8"`` -> networks. ImproperlyConfigured otherwise."""
    text = (value or "").strip()
    if not text:
        return 0
    if text.isdigit():
        return int(text)
    networks = []
    for item in text.replace(";", ",").split(","):
        if item.strip():
            try:
                networks.append(ipaddress.ip_network(item.strip(), strict=False))
            except ValueError as exc:
                raise ImproperlyConfigured(
                    f"AICEPS_TRUSTED_PROXIES: {item.strip()!r} is neither a count nor an "
                    "address or network"
                ) from exc
    return tuple(networks)


def _address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    text = text.strip()
    if text.startswith("[") and "]" in text:  # [2001:db8::1]:443
        text = text[1 : text.index("]")]
    elif text.count(":") == 1:  # 203.0.113.7:51234
        text = text.split(":", 1)[0]
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    mapped = getattr(address, "ipv4_mapped", None)
    return mapped or address


def _forwarded(request) -> list[str]:
    header = request.META.get("HTTP_X_FORWARDED_FOR", "")
    return [part.strip() for part in header.split(",") if part.strip()]


def client_address(request) -> str:
    """The client's IP address as text (see the module's note on trusted proxies)."""
    peer = _address(request.META.get("REMOTE_ADDR") or "")
    if peer is None:
        return UNKNOWN
    trusted = parse_trusted_proxies(str(settings.AICEPS_TRUSTED_PROXIES))
    if not trusted:
        return str(peer)
    hops = _forwarded(request)
    if isinstance(trusted, int):
        if not hops:
            return str(peer)
        # The last `trusted` entries were appended by our proxies; the one they saw first
        # is the client. Fewer entries than proxies: the leftmost one came from a proxy too.
        chosen = _address(hops[-min(trusted, len(hops))])
        return str(chosen or peer)
    if not any(peer in network for network in trusted):
        return str(peer)
    nearest = peer
    for hop in reversed(hops):
        address = _address(hop)
        if address is None:
            return str(nearest)  # garbage where a proxy should have written an address
        if not any(address in network for network in trusted):
            return str(address)
        nearest = address
    return str(nearest)
