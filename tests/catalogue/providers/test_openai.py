"""OpenAIImageProvider against the fake OpenAI server, through the real openai SDK (only the
base URL points elsewhere). The prompt writer: ``test_openai_writer.py``."""

from __future__ import annotations

import io
import socket
import time
from dataclasses import replace

import pytest
from PIL import Image

from catalogue.providers import openai as openai_provider
from catalogue.providers.base import (
    ImageRequest,
    InputImage,
    ProviderError,
)
from catalogue.providers.openai import OpenAIImageProvider
from tests.fakes.fixtures import openai_server, openai_service  # noqa: F401
from tests.fakes.openai_server import OpenAIFakeServer

KEY = "sk-test"


def photo(color=(10, 20, 30), size=(32, 24), fmt="PNG") -> InputImage:
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, format=fmt)
    return InputImage(buffer.getvalue(), f"image/{fmt.lower()}", *size)


def decoded(data: bytes) -> Image.Image:
    return Image.open(io.BytesIO(data))


def make(cls=OpenAIImageProvider, server=None, **kwargs):
    return cls(api_key=KEY, base_url=server.base_url, timeout=kwargs.pop("timeout", 5), **kwargs)


@pytest.fixture(scope="module")
def provider(openai_service):  # noqa: F811
    return make(server=openai_service)


def edit(*images, prompt="Replace the sky with a sunset.", **kwargs) -> ImageRequest:
    return ImageRequest(prompt=prompt, instruction="coucher de soleil", images=images, **kwargs)


def test_module_imports_the_real_sdk():
    assert openai_provider._sdk().__name__ == "openai"
    assert hasattr(openai_provider._sdk(), "OpenAI")


def test_edit_returns_the_image_the_server_sent(provider, openai_server):  # noqa: F811
    sent = openai_server.enqueue_image("edits", color=(9, 8, 7), size=(48, 32))
    source = photo()

    result = provider.generate(edit(source))

    assert result.images[0].data == sent
    assert (result.images[0].mime_type, result.model, result.tokens_used) == (
        "image/png",
        "gpt-image-1",
        272,
    )
    [request] = openai_server.requests
    assert request.path == "/v1/images/edits"
    assert request.headers["authorization"] == f"Bearer {KEY}"
    assert request.field("prompt") == "Replace the sky with a sunset."
    assert request.field("model") == "gpt-image-1"
    assert request.field("response_format") is None  # GPT image models reject it
    assert [f.data for f in request.files["image[]"]] == [source.data]


def test_default_answer_is_a_generated_image(provider, openai_server):  # noqa: F811
    result = provider.generate(edit(photo(color=(0, 0, 0))))
    image = decoded(result.images[0].data).convert("RGB")
    assert image.getpixel((0, 0)) == openai_server.color


def test_fusion_sends_every_image(provider, openai_server):  # noqa: F811
    images = [photo((i * 50, 0, 0)) for i in range(3)]
    provider.generate(edit(*images))
    assert [f.data for f in openai_server.requests[0].files["image[]"]] == [i.data for i in images]


@pytest.mark.parametrize("mode", ["white", "opaque"])
def test_edit_with_mask_sends_an_rgba_mask_transparent_where_to_edit(
    provider,
    openai_server,  # noqa: F811
    mode,
):
    # Our mask marks the left half as editable, at half the image's resolution.
    if mode == "white":
        mask_img = Image.new("L", (16, 12), 0)
        mask_img.paste(255, (0, 0, 8, 12))
    else:
        mask_img = Image.new("RGBA", (16, 12), (0, 0, 0, 0))
        mask_img.paste((0, 0, 0, 255), (0, 0, 8, 12))
    buffer = io.BytesIO()
    mask_img.save(buffer, format="PNG")
    mask = InputImage(buffer.getvalue(), "image/png", 16, 12)

    provider.generate(edit(photo(size=(32, 24)), mask=mask))

    [upload] = openai_server.requests[0].files["mask"]
    sent = decoded(upload.data)
    assert (sent.format, sent.mode, sent.size) == ("PNG", "RGBA", (32, 24))
    assert sent.getpixel((2, 2))[3] == 0  # editable: fully transparent
    assert sent.getpixel((30, 20))[3] == 255  # kept: opaque


@pytest.mark.parametrize(
    ("ratio", "size"),
    [
        ("1:1", "1024x1024"),
        ("16:9", "1536x1024"),
        ("4:3", "1536x1024"),
        ("9:16", "1024x1536"),
        ("3:4", "1024x1536"),
    ],
)
def test_generation_maps_aspect_ratio_to_size(provider, openai_server, ratio, size):  # noqa: F811
    result = provider.generate(
        ImageRequest(prompt="A fox.", instruction="renard", aspect_ratio=ratio)
    )

    [sent] = openai_server.requests
    assert sent.path == "/v1/images/generations"
    assert sent.json == {"model": "gpt-image-1", "prompt": "A fox.", "n": 1, "size": size}
    width, height = map(int, size.split("x"))
    assert decoded(result.images[0].data).size == (width, height)


def test_explicit_size_and_count_win(openai_server):  # noqa: F811
    # gpt-image-2 makes any multiple of 16; AicePS crops and resizes the rest.
    provider = make(server=openai_server, model="gpt-image-2")
    request = ImageRequest(
        prompt="A fox.", instruction="x", aspect_ratio="16:9", size="64x48", count=2
    )
    result = provider.generate(request)
    assert openai_server.requests[0].json["size"] == "64x48"
    assert openai_server.requests[0].json["n"] == 2
    assert len(result.images) == 2
    provider.generate(replace(request, size="250x100"))
    assert openai_server.requests[1].json["size"] == "256x96"


def test_older_gpt_image_models_get_the_nearest_standard_size(provider, openai_server):  # noqa: F811
    for size, sent in (("64x48", "1536x1024"), ("500x500", "1024x1024"), ("300x900", "1024x1536")):
        provider.generate(ImageRequest(prompt="A fox.", instruction="x", size=size))
        assert openai_server.requests[-1].json["size"] == sent


def test_dall_e_3_generates_in_its_sizes_and_cannot_edit(openai_server):  # noqa: F811
    provider = make(server=openai_server, model="dall-e-3")
    assert provider.capabilities.edit is False
    provider.generate(ImageRequest(prompt="A fox.", instruction="x", aspect_ratio="9:16", count=3))
    body = openai_server.requests[0].json
    assert (body["size"], body["n"], body["response_format"]) == ("1024x1792", 1, "b64_json")

    with pytest.raises(ProviderError) as info:
        provider.generate(edit(photo()))
    assert (info.value.permanent, info.value.code) == (True, "invalid_request")
    assert len(openai_server.requests) == 1


def test_dall_e_2_edits_one_png(openai_server):  # noqa: F811
    provider = make(server=openai_server, model="dall-e-2")
    provider.generate(edit(photo(fmt="JPEG")))
    request = openai_server.requests[0]
    assert "image[]" not in request.files
    [upload] = request.files["image"]
    assert decoded(upload.data).format == "PNG"
    assert (request.field("response_format"), request.field("size")) == ("b64_json", "1024x1024")
    with pytest.raises(ProviderError) as info:
        provider.generate(edit(photo(), photo()))
    assert info.value.code == "too_many_images"


@pytest.mark.parametrize(
    "body",
    [{"created": 1, "data": []}, {"created": 1, "data": [{"url": "https://x/1.png"}]}],
)
def test_answer_without_image_is_no_image(provider, openai_server, body):  # noqa: F811
    openai_server.enqueue("generations", 200, body)
    with pytest.raises(ProviderError) as info:
        provider.generate(ImageRequest(prompt="A fox.", instruction="x"))
    assert (info.value.permanent, info.value.code) == (True, "no_image")


@pytest.mark.parametrize(
    ("headers", "expected"), [({"retry-after": "3"}, 3.0), ({"retry-after-ms": "2500"}, 2.5)]
)
def test_429_is_transient_with_retry_after(provider, openai_server, headers, expected):  # noqa: F811
    openai_server.enqueue_error(
        "edits", 429, "Slow down", code="rate_limit_exceeded", headers=headers
    )
    with pytest.raises(ProviderError) as info:
        provider.generate(edit(photo()))
    error = info.value
    assert (error.permanent, error.retry_after, error.code) == (False, expected, "rate_limited")
    assert len(openai_server.requests) == 1  # max_retries=0


def test_429_out_of_quota_is_permanent(provider, openai_server):  # noqa: F811
    openai_server.enqueue_error("edits", 429, "No credit", code="insufficient_quota")
    with pytest.raises(ProviderError) as info:
        provider.generate(edit(photo()))
    assert (info.value.permanent, info.value.code) == (True, "quota_exhausted")


@pytest.mark.parametrize("status", [500, 502, 503])
def test_server_errors_are_transient(provider, openai_server, status):  # noqa: F811
    openai_server.enqueue_error("edits", status, "upstream trouble", type_="server_error")
    with pytest.raises(ProviderError) as info:
        provider.generate(edit(photo()))
    assert (info.value.permanent, info.value.code) == (False, "server_error")
    assert len(openai_server.requests) == 1


@pytest.mark.parametrize("status", [400, 401, 403, 404])
def test_client_errors_are_permanent(provider, openai_server, status):  # noqa: F811
    openai_server.enqueue_error("edits", status, "nope")
    with pytest.raises(ProviderError) as info:
        provider.generate(edit(photo()))
    assert info.value.permanent is True
    assert "nope" in info.value.message


def test_content_policy_is_content_blocked(provider, openai_server):  # noqa: F811
    openai_server.enqueue_error("edits", 400, "Rejected", code="moderation_blocked")
    with pytest.raises(ProviderError) as info:
        provider.generate(edit(photo()))
    assert (info.value.permanent, info.value.code) == (True, "content_blocked")


def test_wrong_key_is_permanent():
    with OpenAIFakeServer(api_key="right") as server, pytest.raises(ProviderError) as info:
        make(server=server).generate(edit(photo()))
    assert (info.value.permanent, info.value.code) == (True, "unauthorized")


def test_timeout_is_transient(openai_server):  # noqa: F811
    provider = make(server=openai_server, timeout=0.5)
    openai_server.enqueue("edits", 200, {}, delay=1.5)
    started = time.monotonic()
    with pytest.raises(ProviderError) as info:
        provider.generate(edit(photo()))
    assert time.monotonic() - started < 1.4
    assert (info.value.permanent, info.value.code) == (False, "timeout")


def test_connection_refused_is_transient():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    provider = OpenAIImageProvider(api_key=KEY, base_url=f"http://127.0.0.1:{port}/v1")
    with pytest.raises(ProviderError) as info:
        provider.generate(edit(photo()))
    assert (info.value.permanent, info.value.code) == (False, "connection_error")


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        ("{not json", "application/json"),
        ("<html>gateway</html>", "text/html"),
        ({"created": 1, "data": [{"b64_json": "!!not base64!!"}]}, "application/json"),
        ({"created": 1, "data": [{"b64_json": "aGVsbG8="}]}, "application/json"),
    ],
)
def test_malformed_answers(provider, openai_server, body, content_type):  # noqa: F811
    openai_server.enqueue("edits", 200, body, headers={"Content-Type": content_type})
    with pytest.raises(ProviderError) as info:
        provider.generate(edit(photo()))
    assert (info.value.code, info.value.permanent) == ("malformed_response", False)


def test_from_settings_reads_django_settings(settings, openai_server):  # noqa: F811
    settings.OPENAI_API_KEY = "sk-from-settings"
    settings.OPENAI_BASE_URL = openai_server.base_url
    settings.AICEPS_OPENAI_IMAGE_MODEL = "gpt-image-2"
    OpenAIImageProvider.from_settings().generate(edit(photo()))
    [request] = openai_server.requests
    assert request.field("model") == "gpt-image-2"
    assert request.headers["authorization"] == "Bearer sk-from-settings"


def test_missing_key_without_base_url_is_not_configured(monkeypatch):
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    monkeypatch.delenv("OPENAI_BASE_URL", raising=False)
    with pytest.raises(ProviderError) as info:
        OpenAIImageProvider()
    assert (info.value.permanent, info.value.code) == (True, "not_configured")
