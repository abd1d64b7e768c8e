"""The names and addresses this machine answers to, for development's ALLOWED_HOSTS."""

from __future__ import annotations

import socket


def local_host_names() -> list[str]:
    """This machine's host name, its fully qualified name and the addresses they resolve to
    (IPv6 in brackets, as a Host header carries them). No network is asked but the resolver."""
    names: set[str] = set()
    for name in {socket.gethostname(), socket.getfqdn()}:
        if not name:
            continue
        names.add(name)
        try:
            infos = socket.getaddrinfo(name, None)
        except OSError:
            continue
        for family, *_rest, address in infos:
            host = address[0]
            names.add(f"[{host}]" if family == socket.AF_INET6 else host)
    names.update(_interface_addresses())
    return sorted(names)


def _interface_addresses() -> set[str]:
    """The address used for outgoing traffic (a UDP socket's local end: nothing is sent)."""
    found: set[str] = set()
    for family, target in ((socket.AF_INET, "192.0.2.1"), (socket.AF_INET6, "2001:db8::1")):
        try:
            with socket.socket(family, socket.SOCK_DGRAM) as probe:
                probe.connect((target, 9))
                host = probe.getsockname()[0]
        except OSError:
            continue
        found.add(f"[{host}]" if family == socket.AF_INET6 else host)
    return found
