"""The one way out (``core.outbound``) against a real HTTP server on 127.0.0.1: the connection
goes to the address the SSRF policy vetted, redirects are checked again, bodies are capped,
time is bounded, and retries happen through ``core.retry`` only when asked for."""

from __future__ import annotations

import socket
import ssl
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from core import outbound
from core.destinations import DestinationError, Policy
from core.retry import RetryPolicy
from tests.fakes.base_server import Canned, FakeServer, Received
from tests.fakes.certificates import self_signed

PRIVATE = Policy(allow_private=True)  # the server listens on 127.0.0.1
QUICK = outbound.Timeouts(connect=2, read=2, total=5)


class Origin(FakeServer):
    routes = {"page": r"^/page", "hop": r"^/hop", "slow": r"^/slow"}

    def default(self, request: Received) -> Canned:
        return Canned(200, b"hello " * 10, {"Content-Type": "text/plain"})


@pytest.fixture
def origin():
    with Origin() as server:
        yield server


def get(url: str, **options) -> outbound.Response:
    return outbound.get(url, **{"policy": PRIVATE, "timeouts": QUICK, "max_bytes": 1000, **options})


def dns(monkeypatch, address: str, seen: list | None = None):
    """Play DNS: every name resolves to ``address``."""

    def lookup(host, port):
        if seen is not None:
            seen.append(host)
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port))]

    monkeypatch.setattr("core.destinations.lookup", lookup)


def test_the_connection_goes_to_the_vetted_address_with_the_name_in_host(origin, monkeypatch):
    seen: list[str] = []
    dns(monkeypatch, "127.0.0.1", seen)
    port = origin.url.rsplit(":", 1)[1]
    policy = Policy.of(private_hosts=["images.example.test"])

    answer = get(f"http://images.example.test:{port}/page?x=1", policy=policy)

    assert answer.status == 200 and answer.body == b"hello " * 10
    assert seen == ["images.example.test"]  # resolved once, then connected to the address
    (request,) = origin.requests
    assert request.headers["host"] == f"images.example.test:{port}"
    assert request.headers["user-agent"] == "AicePS" and request.query == {"x": ["1"]}


def test_a_name_resolving_to_loopback_is_refused_before_any_connection(origin, monkeypatch):
    dns(monkeypatch, "127.0.0.1")
    port = origin.url.rsplit(":", 1)[1]

    with pytest.raises(DestinationError) as caught:
        get(f"http://rebound.example.test:{port}/page", policy=Policy(), param="url")

    assert caught.value.code == "destination_not_public" and caught.value.param == "url"
    assert origin.requests == []


@pytest.mark.parametrize(
    "target",
    ["http://169.254.169.254/latest/meta-data/", "http://metadata.google.internal/", "file:///x"],
)
def test_redirects_are_checked_again_and_metadata_is_refused_even_on_a_closed_network(
    origin, target
):
    origin.enqueue("hop", 302, b"", headers={"Location": target})

    with pytest.raises(DestinationError):
        get(f"{origin.url}/hop", redirects=3)

    assert [r.path for r in origin.requests] == ["/hop"]


def test_redirects_are_followed_up_to_the_limit_and_not_by_default(origin):
    origin.enqueue("hop", 307, b"", headers={"Location": "/page"})
    assert get(f"{origin.url}/hop").status == 307  # not followed: the 3xx is the answer

    origin.enqueue("hop", 303, b"", headers={"Location": "/page"})
    answer = outbound.post(
        f"{origin.url}/hop", b"{}", policy=PRIVATE, timeouts=QUICK, max_bytes=100, redirects=1
    )
    assert answer.status == 200 and answer.url == f"{origin.url}/page"
    assert [r.method for r in origin.requests[-2:]] == ["POST", "GET"]  # 303: GET, no body

    for _ in range(3):
        origin.enqueue("hop", 302, b"", headers={"Location": "/hop"})
    with pytest.raises(outbound.TooManyRedirects):
        get(f"{origin.url}/hop", redirects=2)


def test_credentials_are_not_sent_to_another_host_on_a_redirect(origin):
    elsewhere = origin.url.replace("127.0.0.1", "localhost")
    origin.enqueue("hop", 302, b"", headers={"Location": f"{elsewhere}/page"})

    get(f"{origin.url}/hop", redirects=1, headers={"Authorization": "Bearer secret"})

    first, second = origin.requests
    assert first.headers["authorization"] == "Bearer secret"
    assert "authorization" not in second.headers


def test_bodies_are_capped_or_truncated(origin):
    origin.enqueue("page", 200, b"x" * 5000)
    with pytest.raises(outbound.TooLarge):
        get(f"{origin.url}/page")

    origin.enqueue("page", 200, b"x" * 5000)
    answer = get(f"{origin.url}/page", truncate=True, max_bytes=100)
    assert answer.body == b"x" * 100 and answer.truncated


def test_a_slow_answer_times_out_within_the_bound(origin):
    origin.enqueue("slow", 200, b"late", delay=3)
    started = time.monotonic()

    with pytest.raises(outbound.TimedOut):
        get(f"{origin.url}/slow", timeouts=outbound.Timeouts(connect=1, read=0.5))

    assert time.monotonic() - started < 2


def test_retries_go_through_core_retry_only_when_asked_for(origin):
    retry = RetryPolicy(max_attempts=3, backoff_seconds=0.01, max_backoff_seconds=0.05)
    origin.enqueue("page", 503, b"busy")
    assert get(f"{origin.url}/page").status == 503  # no retry policy: the answer as it is
    origin.enqueue("page", 503, b"busy")
    origin.enqueue("page", 502, b"busy")

    answer = get(f"{origin.url}/page", retry=retry)

    assert answer.status == 200 and len(origin.requests) == 4
    for _ in range(3):
        origin.enqueue("page", 429, b"later", headers={"Retry-After": "0"})
    assert get(f"{origin.url}/page", retry=retry).status == 429  # attempts used up


def test_a_refused_connection_is_unreachable_and_retryable():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # closed once the block ends: nothing listens
    retry = RetryPolicy(max_attempts=2, backoff_seconds=0.01)

    with pytest.raises(outbound.Unreachable) as caught:
        get(f"http://127.0.0.1:{port}/", retry=retry)

    assert caught.value.retryable and caught.value.code == "connection_error"


class Hello(BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200)
        self.send_header("Content-Length", "5")
        self.end_headers()
        self.wfile.write(self.headers["Host"].encode()[:5])

    def log_message(self, *args):
        pass


@pytest.fixture
def tls_server(tmp_path):
    """An HTTPS server on 127.0.0.1 whose certificate names ``tls.example.test``; no public
    authority signed it."""
    cert, key = self_signed(tmp_path, "tls.example.test")
    server = ThreadingHTTPServer(("127.0.0.1", 0), Hello)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server.server_address[1], cert
    server.shutdown()
    server.server_close()


def test_tls_verifies_the_certificate_against_the_name(tls_server, monkeypatch):
    port, cert = tls_server
    dns(monkeypatch, "127.0.0.1")

    with pytest.raises(outbound.Unreachable) as caught:  # no verify=False anywhere
        get(f"https://tls.example.test:{port}/")
    assert "CERTIFICATE_VERIFY_FAILED" in str(caught.value)

    monkeypatch.setattr("certifi.where", lambda: cert)  # trust it, as a private CA would be
    answer = get(f"https://tls.example.test:{port}/")  # pinned to 127.0.0.1, SNI the name
    assert answer.status == 200 and answer.body == b"tls.e"
    with pytest.raises(outbound.Unreachable) as caught:
        get(f"https://127.0.0.1:{port}/")  # the right server, not the certificate's name
    assert "127.0.0.1" in str(caught.value)
