"""``/api/proxy-image`` serves AicePS's own images and allowed hosts only: no server-side
request forgery through it (loopback, private, link-local and metadata addresses, other
schemes and redirects to any of them are refused)."""

from __future__ import annotations

import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import unquote

import pytest
from django.core.files.base import ContentFile

from generation.models import PromptTemplate, TaskHistory
from generation.storage import file_url
from tests.conftest import make_photo

from .conftest import EditorClient, photo_file

pytestmark = pytest.mark.django_db
PNG = make_photo(40, 30, fmt="PNG")


class ImageHost(BaseHTTPRequestHandler):
    hits: list[str] = []

    def do_GET(self):
        ImageHost.hits.append(self.path)
        if self.path.startswith("/cat.png"):
            self._send(200, PNG, "image/png")
        elif self.path.startswith("/to/"):
            self.send_response(302)
            target = unquote(self.path.removeprefix("/to/")).replace("|", "/")
            self.send_header("Location", target)
            self.end_headers()
        elif self.path == "/page":
            self._send(200, b"<html>not an image</html>", "text/html")
        elif self.path == "/huge":
            self._send(200, PNG + b"\0" * 200_000, "image/png")
        else:
            self._send(404, b"", "text/plain")

    def _send(self, status, body, content_type):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def image_host():
    server = ThreadingHTTPServer(("127.0.0.1", 0), ImageHost)
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    )
    thread.start()
    ImageHost.hits = []
    yield server.server_address[1]
    server.shutdown()
    server.server_close()


def proxy(url: str):
    return EditorClient().get("/api/proxy-image", url=url)


def test_an_allowed_host_is_fetched(settings, image_host):
    settings.AICEPS_PROXY_IMAGE_HOSTS = ["localhost"]
    settings.AICEPS_PROXY_IMAGE_PRIVATE_HOSTS = ["localhost"]  # an internal image host
    response = proxy(f"http://localhost:{image_host}/cat.png")
    assert response.status_code == 200
    assert response.content == PNG and response["Content-Type"] == "image/png"
    assert response["Content-Security-Policy"] == "sandbox"


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:{port}/cat.png",
        "http://localhost:{port}/cat.png",  # allow-listed below, but it is loopback
        "http://[::1]:{port}/cat.png",
        "http://169.254.169.254/latest/meta-data/iam/security-credentials/",
        "http://[fd00:ec2::254]/latest/meta-data/",
        "http://metadata.google.internal/computeMetadata/v1/",
        "http://[::ffff:169.254.169.254]/",
        "http://100.100.100.200/latest/meta-data/",
        "http://10.0.0.1/cat.png",
        "http://user:pw@localhost:{port}/cat.png",
        "http://images.example.test/cat.png",  # not on the allow-list
    ],
)
def test_ssrf_targets_are_refused(settings, image_host, url):
    settings.AICEPS_PROXY_IMAGE_HOSTS = [
        "localhost",
        "169.254.169.254",
        "fd00:ec2::254",
        "metadata.google.internal",
        "::ffff:169.254.169.254",
        "100.100.100.200",
        "10.0.0.1",
        "::1",
    ]
    response = proxy(url.format(port=image_host))
    assert response.status_code in (400, 403), response.content
    assert response.json()["code"] == "proxy_refused"
    assert ImageHost.hits == []


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "gopher://localhost:{port}/",
        "cat.png",
        "//localhost:{port}/cat.png",
        "http://",
        "http://localhost:99999/cat.png",
        "http://[::1/cat.png",
        "javascript:alert(1)",
    ],
)
def test_a_url_that_is_not_an_http_url_or_a_path_is_a_400(settings, image_host, url):
    settings.AICEPS_PROXY_IMAGE_HOSTS = ["localhost"]
    response = proxy(url.format(port=image_host))
    assert response.status_code == 400, response.content
    body = response.json()
    assert body["code"] == "invalid_url" and body["param"] == "url"
    assert body["success"] is False and body["message"] == body["error"]
    assert ImageHost.hits == []


def test_a_path_on_this_server_that_is_no_image_is_a_404():
    response = proxy("/api/v1/tasks")
    assert response.status_code == 404, response.content
    assert response.json()["code"] == "proxy_refused"


@pytest.mark.parametrize(
    "target",
    [
        "http://127.0.0.1:{port}/cat.png",
        "http://169.254.169.254/latest/meta-data/",
        "http://[fd00:ec2::254]/latest/meta-data/",
        "http://metadata.google.internal/computeMetadata/v1/",
        "file:///etc/passwd",
    ],
)
def test_redirects_to_forbidden_targets_are_not_followed(settings, image_host, target):
    settings.AICEPS_PROXY_IMAGE_HOSTS = ["localhost"]
    settings.AICEPS_PROXY_IMAGE_PRIVATE_HOSTS = ["localhost"]
    location = target.format(port=image_host).replace("/", "|")
    response = proxy(f"http://localhost:{image_host}/to/{location}")
    assert response.status_code == 403, response.content
    # The redirect was asked for, never its target.
    assert [unquote(hit) for hit in ImageHost.hits] == [f"/to/{location}"]


def test_a_name_that_resolves_to_a_private_address_is_refused(settings, monkeypatch, image_host):
    settings.AICEPS_PROXY_IMAGE_HOSTS = ["images.example.test"]
    monkeypatch.setattr(
        "core.destinations.lookup",
        lambda host, port: [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", port))],
    )
    response = proxy(f"http://images.example.test:{image_host}/cat.png")
    assert response.status_code == 403
    assert ImageHost.hits == []


def test_not_an_image_and_too_large_are_refused(settings, image_host):
    settings.AICEPS_PROXY_IMAGE_HOSTS = ["localhost"]
    settings.AICEPS_PROXY_IMAGE_PRIVATE_HOSTS = ["localhost"]
    settings.AICEPS_PROXY_IMAGE_MAX_BYTES = 100_000
    assert proxy(f"http://localhost:{image_host}/page").status_code == 502
    assert proxy(f"http://localhost:{image_host}/huge").status_code == 413


@pytest.mark.django_db(transaction=True)
def test_aiceps_own_images_are_served_from_storage(editor, alice):
    PromptTemplate.objects.all().delete()
    template = PromptTemplate.objects.create(slug="film", name_en="Film", prompt_en="film")
    template.cover_image.save("after.png", ContentFile(PNG), save=True)
    cover = EditorClient().get("/api/templates").json()["data"]["templates"][0]["cover_image_url"]
    response = proxy(cover)
    assert response.status_code == 200 and response.content == PNG
    assert (
        editor.post("/api/edit-image", {"image": photo_file(), "type": "filter"}).status_code == 200
    )
    task = TaskHistory.objects.get(user=alice)
    signed = "http://testserver" + file_url(task.generated_image.name)
    assert proxy(signed).status_code == 200
    forged = signed.replace("signature=", "signature=x")
    assert proxy(forged).status_code == 404
    unsigned = signed.split("?")[0]
    assert proxy(unsigned).status_code == 404
