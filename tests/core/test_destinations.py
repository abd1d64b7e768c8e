"""Which URLs AicePS calls for a user: public addresses only, every resolved address checked."""

from __future__ import annotations

import ipaddress
import socket

import pytest

from core.destinations import (
    DestinationError,
    Policy,
    check_destination,
    is_public,
    parse_destination,
    resolve_destination,
)

NOT_PUBLIC = [
    "127.0.0.1",
    "127.10.0.5",
    "0.0.0.0",
    "10.1.2.3",
    "172.16.0.1",
    "192.168.1.10",
    "169.254.169.254",  # cloud metadata
    "169.254.1.1",
    "100.64.0.1",  # CGNAT
    "100.100.100.200",  # Alibaba's metadata, in CGNAT
    "224.0.0.1",
    "240.0.0.1",
    "192.0.2.1",  # documentation
    "::1",
    "::",
    "fe80::1",
    "fc00::1",
    "fd00:ec2::254",  # AWS's IPv6 metadata
    "::ffff:127.0.0.1",
    "::ffff:10.0.0.1",
    "64:ff9b::a00:1",  # NAT64 of 10.0.0.1
    "2002:a00:1::1",  # 6to4 of 10.0.0.1
    "64:ff9b::808:808",  # NAT64, even of a public address (the stricter of the two old rules)
    "::ffff:0:808:808",  # IPv4-translated
    "::7f00:1",  # IPv4-compatible 127.0.0.1
]
PUBLIC = ["93.184.215.14", "1.1.1.1", "2606:4700:4700::1111", "::ffff:8.8.8.8"]


@pytest.mark.parametrize("address", NOT_PUBLIC)
def test_private_loopback_link_local_cgnat_and_metadata_are_not_public(address):
    assert not is_public(ipaddress.ip_address(address))


@pytest.mark.parametrize("address", PUBLIC)
def test_public_addresses_are(address):
    assert is_public(ipaddress.ip_address(address))


def answers(*addresses):
    def resolver(host, port, **kwargs):
        family = lambda a: socket.AF_INET6 if ":" in a else socket.AF_INET  # noqa: E731
        return [(family(a), socket.SOCK_STREAM, 6, "", (a, port)) for a in addresses]

    return resolver


def test_a_name_is_refused_when_any_of_its_addresses_is_private():
    with pytest.raises(DestinationError) as caught:
        resolve_destination(
            "https://hooks.example.com/x", resolver=answers("93.184.215.14", "10.0.0.7")
        )
    assert caught.value.code == "destination_not_public" and "10.0.0.7" in caught.value.message


def test_a_public_name_gives_the_addresses_to_connect_to():
    destination, addresses = resolve_destination(
        "https://hooks.example.com:8443/in?x=1", resolver=answers("93.184.215.14")
    )
    assert addresses == ["93.184.215.14"]
    assert (destination.host, destination.port, destination.target) == (
        "hooks.example.com",
        8443,
        "/in?x=1",
    )
    assert destination.host_header == "hooks.example.com:8443"


def test_literal_addresses_and_localhost_are_checked_without_a_resolver():
    for url in ("http://127.0.0.1:8000/", "http://[::1]/", "http://169.254.169.254/latest/"):
        with pytest.raises(DestinationError):
            check_destination(url)
    with pytest.raises(DestinationError):
        check_destination("http://localhost/hook")  # /etc/hosts: loopback
    assert check_destination("http://127.0.0.1:8000/hook", allow_private=True)


@pytest.mark.parametrize(
    "url",
    ["", "ftp://example.com/", "http:///nohost", "http://user:pw@example.com/", "x" * 3000],
)
def test_malformed_urls_are_refused(url):
    with pytest.raises(DestinationError) as caught:
        parse_destination(url, param="webhook")
    assert caught.value.code == "invalid_url" and caught.value.param == "webhook"


def test_an_unresolvable_host_is_refused():
    def failing(*args, **kwargs):
        raise socket.gaierror("no such name")

    with pytest.raises(DestinationError) as caught:
        resolve_destination("https://nowhere.invalid/", resolver=failing)
    assert caught.value.code == "unresolvable_host"


@pytest.mark.parametrize(
    "host",
    ["2130706433", "0177.0.0.1", "0x7f.0.0.1", "0x7f000001", "127.1", "017700000001", "0q", "a.9x"],
)
def test_numbers_that_are_not_dotted_quads_are_refused_however_they_resolve(host):
    """Or anything whose last label starts with a digit, as no top-level domain does."""
    with pytest.raises(DestinationError) as caught:
        resolve_destination(f"http://{host}/", allow_private=True, resolver=answers("1.1.1.1"))
    assert caught.value.code == "invalid_url"


@pytest.mark.parametrize(
    "url",
    [
        "http://169.254.169.254/latest/meta-data/",
        "http://[::ffff:169.254.169.254]/",
        "http://[fd00:ec2::254]/",
        "http://100.100.100.200/",
        "http://[fe80::1]/",
        "http://metadata.google.internal/",
        "http://instance-data/",
    ],
)
def test_metadata_is_refused_even_where_private_addresses_are_allowed(url):
    with pytest.raises(DestinationError) as caught:
        resolve_destination(url, allow_private=True, resolver=answers("10.0.0.1"))
    assert caught.value.code == "destination_not_public"


def test_a_name_resolving_to_metadata_is_refused_even_where_private_addresses_are_allowed():
    with pytest.raises(DestinationError):
        resolve_destination(
            "http://sneaky.example.com/", allow_private=True, resolver=answers("169.254.169.254")
        )


def test_private_hosts_and_only_hosts():
    policy = Policy.of(only_hosts=["*.example.com", "img.test."], private_hosts=["Img.Test"])
    inside = answers("10.0.0.5")

    assert resolve_destination("http://IMG.test/x.png", policy=policy, resolver=inside)[1] == [
        "10.0.0.5"
    ]
    with pytest.raises(DestinationError) as caught:
        resolve_destination("http://a.example.com/", policy=policy, resolver=inside)
    assert caught.value.code == "destination_not_public"  # listed, but not a private host
    assert resolve_destination("http://a.example.com/", policy=policy, resolver=answers("1.1.1.1"))
    for url in ("http://example.org/", "http://example.com.evil.org/", "http://1.1.1.1/"):
        with pytest.raises(DestinationError) as caught:
            resolve_destination(url, policy=policy, resolver=answers("1.1.1.1"))
        assert caught.value.code == "destination_not_allowed"
    with pytest.raises(DestinationError):  # .internal names: private hosts only
        resolve_destination("http://db.internal/", resolver=answers("1.1.1.1"))
