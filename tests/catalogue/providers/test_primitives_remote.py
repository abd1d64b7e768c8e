"""Inpaint and expand on OpenAI and Gemini (the fake servers, through the real SDKs), run
through the pipeline: what each provider is sent, and the pipeline's promise on what it
answers (pixels outside the mask kept, the photo in place on the expanded canvas)."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image, ImageDraw

from catalogue.providers.base import InputImage, ProviderError, TaskType
from catalogue.providers.gemini import GeminiImageProvider
from catalogue.providers.openai import OpenAIImageProvider
from generation.pipeline import Pipeline, PipelineInput
from tests.conftest import make_photo
from tests.fakes.fixtures import (  # noqa: F401
    gemini_server,
    gemini_service,
    openai_server,
    openai_service,
)
from tests.fakes.gemini_server import request_images, request_texts
from tests.fakes.providers import EchoPromptWriter


def png_input(image: Image.Image) -> InputImage:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return InputImage(buffer.getvalue(), "image/png", image.width, image.height)


def photo() -> InputImage:
    return png_input(Image.open(io.BytesIO(make_photo(160, 120, fmt="PNG"))).convert("RGB"))


def mask() -> InputImage:
    plane = Image.new("L", (160, 120), 0)
    ImageDraw.Draw(plane).rectangle((40, 30, 99, 89), fill=255)
    return png_input(plane)


def pixels(data: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(data)).convert("RGB")).astype(int)


def run(provider, **fields):
    pipeline = Pipeline(
        prompt_writer=EchoPromptWriter(), image_provider=provider, sleep=lambda s: None
    )
    data = PipelineInput(instruction="fill it", images=(photo(),), **fields)
    return pipeline.run(data).image.images[0].data


@pytest.fixture
def openai(openai_service):  # noqa: F811
    return OpenAIImageProvider(api_key="sk-test", base_url=openai_service.base_url, timeout=5)


@pytest.fixture
def gemini(gemini_service):  # noqa: F811
    return GeminiImageProvider(
        api_key="k", base_url=gemini_service.base_url, timeout=5, vertexai=False
    )


def test_openai_inpaints_through_its_mask_and_keeps_the_rest(openai, openai_server):  # noqa: F811
    result = pixels(run(openai, task_type=TaskType.INPAINT, mask=mask()))
    [request] = openai_server.requests
    sent_mask = Image.open(io.BytesIO(request.files["mask"][0].data))
    assert sent_mask.getpixel((50, 40))[3] == 0 and sent_mask.getpixel((5, 5))[3] == 255
    assert request.field("size") == "1536x1024"  # the nearest size of the photo's shape
    inside = np.zeros((120, 160), bool)
    inside[30:90, 40:100] = True
    assert np.array_equal(result[~inside], pixels(photo().data)[~inside])
    assert (np.abs(result[inside] - [255, 140, 0]) <= 2).all()  # the server's orange


def test_openai_expands_a_transparent_canvas_under_a_mask(openai, openai_server):  # noqa: F811
    result = pixels(run(openai, task_type=TaskType.EXPAND, padding=(20, 0, 20, 0)))
    [request] = openai_server.requests
    canvas = Image.open(io.BytesIO(request.files["image[]"][0].data))
    sent_mask = Image.open(io.BytesIO(request.files["mask"][0].data))
    assert canvas.size == sent_mask.size == (200, 120)
    assert canvas.mode == "RGBA" and canvas.getpixel((5, 60))[3] == 0
    assert sent_mask.getpixel((5, 60))[3] == 0 and sent_mask.getpixel((100, 60))[3] == 255
    assert result.shape[:2] == (120, 200)
    assert np.array_equal(result[:, 20:180], pixels(photo().data))
    assert (np.abs(result[:, :15] - [255, 140, 0]) <= 2).all()


def test_openai_and_gemini_do_not_upscale(openai, gemini):
    for provider in (openai, gemini):
        with pytest.raises(ProviderError) as caught:
            run(provider, task_type=TaskType.UPSCALE, scale=2)
        assert caught.value.code == "unsupported_task"


def test_gemini_is_shown_the_area_to_inpaint(gemini, gemini_server):  # noqa: F811
    result = pixels(run(gemini, task_type=TaskType.INPAINT, mask=mask()))
    [request] = gemini_server.requests
    images = request_images(request)
    assert len(images) == 2
    marked = pixels(images[1][1])
    assert marked[60, 70, 0] > marked[60, 70, 1] + 60  # tinted magenta inside
    assert np.array_equal(marked[:25], pixels(photo().data)[:25])
    assert "tinted magenta" in " ".join(request_texts(request))
    inside = np.zeros((120, 160), bool)
    inside[30:90, 40:100] = True
    assert np.array_equal(result[~inside], pixels(photo().data)[~inside])


def test_gemini_expands_a_grey_canvas_to_the_ratio(gemini, gemini_server):  # noqa: F811
    result = pixels(
        run(gemini, task_type=TaskType.EXPAND, aspect_ratio="16:9", padding=(27, 0, 26, 0))
    )
    [request] = gemini_server.requests
    [(_, canvas)] = request_images(request)
    assert Image.open(io.BytesIO(canvas)).size == (213, 120)
    assert "grey border" in " ".join(request_texts(request))
    assert result.shape[:2] == (120, 213)
    assert np.array_equal(result[:, 27:187], pixels(photo().data))
