"""Which address a request comes from: X-Forwarded-For is believed only from trusted
proxies (AICEPS_TRUSTED_PROXIES), counted from the right."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import RequestFactory

from core.client_address import client_address, parse_trusted_proxies


def request(peer: str, forwarded: str | None = None):
    extra = {"REMOTE_ADDR": peer}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **extra)


def test_nobody_is_trusted_by_default(settings):
    assert settings.AICEPS_TRUSTED_PROXIES == "0"
    assert client_address(request("198.51.100.4", "203.0.113.1")) == "198.51.100.4"


@pytest.mark.parametrize(
    ("count", "forwarded", "expected"),
    [
        ("1", "203.0.113.7", "203.0.113.7"),  # nginx appended what it saw
        ("1", "6.6.6.6, 203.0.113.7", "203.0.113.7"),  # the client's own entry is ignored
        ("2", "6.6.6.6, 203.0.113.7, 10.0.0.2", "203.0.113.7"),  # a balancer, then nginx
        ("2", "203.0.113.7", "203.0.113.7"),  # fewer entries than proxies: the leftmost
        ("1", "not-an-address", "127.0.0.1"),  # garbage: the nearest proxy's view
        ("1", "", "127.0.0.1"),
    ],
)
def test_a_count_of_proxies_takes_the_address_they_saw(settings, count, forwarded, expected):
    settings.AICEPS_TRUSTED_PROXIES = count
    assert client_address(request("127.0.0.1", forwarded)) == expected


def test_listed_proxies_are_skipped_from_the_right(settings):
    settings.AICEPS_TRUSTED_PROXIES = "127.0.0.1, 10.0.0.0/8"
    chain = "6.6.6.6, 203.0.113.7, 10.1.2.3"
    assert client_address(request("127.0.0.1", chain)) == "203.0.113.7"
    # From a peer that is not a trusted proxy, the header is not read at all.
    assert client_address(request("198.51.100.9", chain)) == "198.51.100.9"
    # Every hop trusted: the leftmost one is the client.
    assert client_address(request("10.0.0.1", "10.0.0.5")) == "10.0.0.5"


def test_ipv6_and_ports_are_read_as_addresses(settings):
    settings.AICEPS_TRUSTED_PROXIES = "::1"
    assert client_address(request("::1", "[2001:db8::7]:443")) == "2001:db8::7"
    assert client_address(request("::ffff:127.0.0.1")) == "127.0.0.1"
    settings.AICEPS_TRUSTED_PROXIES = "1"
    assert client_address(request("127.0.0.1", "203.0.113.7:5123")) == "203.0.113.7"


def test_a_bad_setting_is_refused():
    with pytest.raises(ImproperlyConfigured):
        parse_trusted_proxies("nginx")
