"""GeminiImageProvider against the fake Gemini server, through the real
google-genai SDK (only the base URL points elsewhere). The prompt writer:
``test_gemini_writer.py``."""

from __future__ import annotations

import io
import socket
import time
from dataclasses import replace

import pytest
from PIL import Image

from catalogue.providers.base import (
    ASPECT_RATIOS,
    ImageRequest,
    InputImage,
    ProviderError,
    TaskType,
)
from catalogue.providers.gemini import GeminiImageProvider
from generation.pipeline import Pipeline
from tests.fakes.base_server import solid_png
from tests.fakes.fixtures import gemini_server, gemini_service  # noqa: F401
from tests.fakes.gemini_server import SIZES, GeminiFakeServer, request_images, request_texts
from tests.fakes.providers import EchoPromptWriter

KEY = "test-gemini-key"


def photo(color=(10, 20, 30), size=(32, 24)) -> InputImage:
    return InputImage(solid_png(color, size), "image/png", *size)


def decoded(data: bytes) -> Image.Image:
    return Image.open(io.BytesIO(data)).convert("RGB")


@pytest.fixture(scope="module")
def provider(gemini_service):  # noqa: F811
    return GeminiImageProvider(
        api_key=KEY, base_url=gemini_service.base_url, timeout=5, vertexai=False
    )


def edit(*images: InputImage, prompt="Make the sky blue.", instruction="ciel bleu", **kw):
    return ImageRequest(prompt=prompt, instruction=instruction, images=images or (photo(),), **kw)


def test_edit_returns_the_image_the_server_sent(provider, gemini_server):  # noqa: F811
    sent = gemini_server.enqueue_image(color=(1, 2, 3), size=(40, 30), text="Here it is.")
    source = photo()

    result = provider.generate(edit(source))

    assert result.images[0].data == sent
    assert result.images[0].mime_type == "image/png"
    assert (result.model, result.tokens_used, result.text) == (
        "gemini-2.5-flash-image",
        1290,
        "Here it is.",
    )
    [request] = gemini_server.requests
    assert request.path == "/v1/models/gemini-2.5-flash-image:generateContent"
    assert request.headers["x-goog-api-key"] == KEY
    assert request_images(request) == [("image/png", source.data)]
    assert request_texts(request) == ["Make the sky blue."]
    config = request.json["generationConfig"]
    assert set(config["responseModalities"]) == {"TEXT", "IMAGE"}
    assert "imageConfig" not in config


def test_default_answer_is_a_generated_image_not_the_input(provider, gemini_server):  # noqa: F811
    source = photo(color=(0, 0, 0))
    result = provider.generate(edit(source))
    image = decoded(result.images[0].data)
    assert image.getpixel((0, 0)) == gemini_server.color
    assert result.images[0].data != source.data


def test_fusion_sends_every_image_in_order(provider, gemini_server):  # noqa: F811
    images = [photo((i * 40, 0, 0)) for i in range(4)]
    provider.generate(edit(*images, task_type=TaskType.FUSION))
    assert [data for _, data in request_images(gemini_server.requests[0])] == [
        i.data for i in images
    ]


def test_more_images_than_supported_is_permanent(provider, gemini_server):  # noqa: F811
    with pytest.raises(ProviderError) as info:
        provider.generate(edit(*[photo() for _ in range(5)]))
    assert (info.value.permanent, info.value.code) == (True, "too_many_images")
    assert gemini_server.requests == []


def test_count_makes_one_call_per_image(provider, gemini_server):  # noqa: F811
    result = provider.generate(edit(count=2))
    assert len(result.images) == 2
    assert len(gemini_server.requests) == 2


def run_edit(provider, instruction="ciel bleu"):
    """Stage 2 through the pipeline, which owns the one retry with the bare instruction."""
    pipeline = Pipeline(
        prompt_writer=EchoPromptWriter(), image_provider=provider, sleep=lambda s: None
    )
    return pipeline._image_stage(edit(instruction=instruction))


def test_text_only_answer_is_a_permanent_no_image_error(provider, gemini_server):  # noqa: F811
    gemini_server.enqueue_text("Which part of the sky do you mean?")
    with pytest.raises(ProviderError) as info:
        provider.generate(edit())
    error = info.value
    assert (error.permanent, error.code, error.provider) == (True, "no_image", "gemini")
    assert "Which part of the sky" in error.message
    assert len(gemini_server.requests) == 1


def test_text_only_answer_is_retried_once_with_the_bare_instruction(provider, gemini_server):  # noqa: F811
    gemini_server.enqueue_text("Which part of the sky do you mean?")
    sent = gemini_server.enqueue_image(color=(0, 0, 255))

    result, record = run_edit(provider, instruction="ciel bleu")

    assert result.images[0].data == sent
    assert record.tokens == 1290
    first, second = gemini_server.requests
    assert request_texts(first) == ["Make the sky blue."]
    assert request_texts(second) == ["ciel bleu"]
    assert request_images(second) == request_images(first)


def test_text_only_twice_is_a_permanent_no_image_error(provider, gemini_server):  # noqa: F811
    gemini_server.enqueue_text("I cannot see a sky.")
    gemini_server.enqueue_text("Still no sky here.")

    with pytest.raises(ProviderError) as info:
        run_edit(provider)

    error = info.value
    assert (error.permanent, error.code, error.provider) == (True, "no_image", "gemini")
    assert "Still no sky here." in error.message
    assert len(gemini_server.requests) == 2


def test_blocked_answer_is_content_blocked(provider, gemini_server):  # noqa: F811
    blocked = {"promptFeedback": {"blockReason": "PROHIBITED_CONTENT"}}
    gemini_server.enqueue("generateContent", 200, blocked)
    gemini_server.enqueue("generateContent", 200, blocked)
    with pytest.raises(ProviderError) as info:
        run_edit(provider)
    assert (info.value.permanent, info.value.code) == (True, "content_blocked")
    assert "PROHIBITED_CONTENT" in info.value.message


def test_429_with_retry_after_is_transient(provider, gemini_server):  # noqa: F811
    gemini_server.enqueue_error(429, "Resource exhausted", "RESOURCE_EXHAUSTED", retry_after="7")
    with pytest.raises(ProviderError) as info:
        provider.generate(edit())
    error = info.value
    assert (error.permanent, error.retry_after, error.code) == (False, 7.0, "rate_limited")
    assert len(gemini_server.requests) == 1  # the SDK's own retries are off


def test_429_retry_info_in_body_gives_retry_after(provider, gemini_server):  # noqa: F811
    body = {
        "error": {
            "code": 429,
            "message": "Quota exceeded",
            "status": "RESOURCE_EXHAUSTED",
            "details": [{"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": "31s"}],
        }
    }
    gemini_server.enqueue("generateContent", 429, body)
    with pytest.raises(ProviderError) as info:
        provider.generate(edit())
    assert (info.value.permanent, info.value.retry_after) == (False, 31.0)


def test_500_is_transient(provider, gemini_server):  # noqa: F811
    gemini_server.enqueue_error(500, "Internal error", "INTERNAL")
    with pytest.raises(ProviderError) as info:
        provider.generate(edit())
    assert (info.value.permanent, info.value.code) == (False, "server_error")
    assert len(gemini_server.requests) == 1


@pytest.mark.parametrize("status", [400, 401, 403, 404])
def test_client_errors_are_permanent(provider, gemini_server, status):  # noqa: F811
    gemini_server.enqueue_error(status, "nope", "INVALID_ARGUMENT")
    with pytest.raises(ProviderError) as info:
        provider.generate(edit())
    assert info.value.permanent is True
    assert "nope" in info.value.message


def test_wrong_key_is_permanent():
    with GeminiFakeServer(api_key="right") as server:
        provider = GeminiImageProvider(api_key="wrong", base_url=server.base_url, vertexai=False)
        with pytest.raises(ProviderError) as info:
            provider.generate(edit())
    assert (info.value.permanent, info.value.code) == (True, "unauthorized")


def test_timeout_is_transient(gemini_server):  # noqa: F811
    provider = GeminiImageProvider(
        api_key=KEY, base_url=gemini_server.base_url, timeout=0.5, vertexai=False
    )
    gemini_server.enqueue("generateContent", 200, {}, delay=4)
    started = time.monotonic()
    with pytest.raises(ProviderError) as info:
        provider.generate(edit())
    # Gave up long before the answer came (0.5 s each try); the margin is for a loaded machine.
    assert time.monotonic() - started < 3
    assert (info.value.permanent, info.value.code) == (False, "timeout")


def test_connection_refused_is_transient():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    provider = GeminiImageProvider(api_key=KEY, base_url=f"http://127.0.0.1:{port}", vertexai=False)
    with pytest.raises(ProviderError) as info:
        provider.generate(edit())
    assert (info.value.permanent, info.value.code) == (False, "connection_error")


def test_malformed_json_is_a_malformed_response(provider, gemini_server):  # noqa: F811
    gemini_server.enqueue(
        "generateContent", 200, "{not json", headers={"Content-Type": "application/json"}
    )
    with pytest.raises(ProviderError) as info:
        provider.generate(edit())
    assert (info.value.code, info.value.permanent) == ("malformed_response", False)


def test_image_part_that_is_not_an_image_is_malformed(provider, gemini_server):  # noqa: F811
    body = {"candidates": [{"content": {"parts": [{"inlineData": {"data": "aGVsbG8="}}]}}]}
    gemini_server.enqueue("generateContent", 200, body)
    with pytest.raises(ProviderError) as info:
        provider.generate(edit())
    assert info.value.code == "malformed_response"


@pytest.mark.parametrize("ratio", ASPECT_RATIOS)
def test_text_to_image_carries_the_aspect_ratio(provider, gemini_server, ratio):  # noqa: F811
    request = ImageRequest(
        prompt="A lighthouse at dawn.",
        instruction="phare",
        task_type=TaskType.TEXT_TO_IMAGE,
        aspect_ratio=ratio,
    )
    result = provider.generate(request)

    [sent] = gemini_server.requests
    assert sent.json["generationConfig"]["imageConfig"] == {"aspectRatio": ratio}
    assert request_images(sent) == []
    assert decoded(result.images[0].data).size == SIZES[ratio]


def test_unknown_aspect_ratio_is_permanent(provider):
    with pytest.raises(ProviderError) as info:
        provider.generate(edit(aspect_ratio="2:1"))
    assert (info.value.permanent, info.value.code) == (True, "invalid_request")


def test_imagen_is_only_used_on_vertex(gemini_server):  # noqa: F811
    common = {"api_key": KEY, "base_url": gemini_server.base_url, "imagen_model": "imagen-4"}
    request = ImageRequest(prompt="A fox.", instruction="renard", aspect_ratio="16:9")

    GeminiImageProvider(vertexai=False, **common).generate(request)
    with pytest.warns(Warning):  # google-genai marks generate_images deprecated
        result = GeminiImageProvider(vertexai=True, **common).generate(request)

    api_key_mode, vertex = gemini_server.requests
    assert api_key_mode.route == "generateContent"
    assert vertex.route == "predict" and vertex.path.endswith("/models/imagen-4:predict")
    assert vertex.json["parameters"]["aspectRatio"] == "16:9"
    assert result.model == "imagen-4"
    assert decoded(result.images[0].data).size == SIZES["16:9"]


def test_from_settings_reads_django_settings(settings, gemini_server):  # noqa: F811
    settings.GEMINI_API_KEY = "from-settings"
    settings.GEMINI_BASE_URL = gemini_server.base_url
    settings.AICEPS_GEMINI_IMAGE_MODEL = "gemini-3-pro-image-preview"
    settings.AICEPS_PROVIDER_CALLS = replace(settings.AICEPS_PROVIDER_CALLS, timeout_seconds=7)

    GeminiImageProvider.from_settings().generate(edit())

    [request] = gemini_server.requests
    assert request.path.endswith("/models/gemini-3-pro-image-preview:generateContent")
    assert request.headers["x-goog-api-key"] == "from-settings"
    assert request.headers["x-server-timeout"] == "7"  # 7 s reached the SDK as 7000 ms


def test_each_image_is_reported_with_a_preview_and_the_named_model_is_asked(
    provider,
    gemini_server,  # noqa: F811
):
    seen = []
    result = provider.generate(
        edit(count=2, partial_images=2, report=seen.append, model="gemini-3-pro-image-preview")
    )
    assert [p.phase.split(" with ")[0] for p in seen] == [
        "generating image 1 of 2",
        "received",
        "generating image 2 of 2",
        "received",
    ]
    assert [p.preview for p in seen if p.phase == "received"] == [
        image.data for image in result.images
    ]
    assert all("gemini-3-pro-image-preview" in r.path for r in gemini_server.requests)
    assert result.model == "gemini-3-pro-image-preview"


def test_low_moderation_blocks_only_high_harm(provider, gemini_server):  # noqa: F811
    provider.generate(edit(options={"moderation": "low"}))
    settings = gemini_server.requests[0].json["safetySettings"]
    assert len(settings) == 4 and {s["threshold"] for s in settings} == {"BLOCK_ONLY_HIGH"}
    provider.generate(edit())
    assert "safetySettings" not in gemini_server.requests[1].json
