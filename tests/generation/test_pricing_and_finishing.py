"""Prices by provider, task type, quality and size; what AicePS does to any provider's images
before storing them (size, background, format)."""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import ImproperlyConfigured
from PIL import Image

from catalogue.imaging.resizing import fit
from catalogue.providers.base import GeneratedImage
from generation.services.finishing import Finish, finish_images
from generation.services.pricing import task_price

PRICES = {
    "default": 1,
    "gemini": 14,
    "offline:filter": 0,
    "openai": 4,
    "openai:high": 8,
    "openai:high:1536x1024": 12,
    "text_to_image:high": 5,
    "1024x1024": 2,
}


@pytest.mark.parametrize(
    ("provider", "task_type", "quality", "size", "price"),
    [
        ("offline", "edit", None, None, 1),
        ("offline", "filter", None, None, 0),
        ("gemini", "edit", "high", "1024x1024", 14),  # the provider beats a lone size
        ("openai", "edit", None, None, 4),
        ("openai", "edit", "auto", "auto", 4),
        ("openai", "edit", "high", None, 8),
        ("openai", "edit", "high", "1536x1024", 12),
        ("openai", "edit", "high", "1024x1536", 8),
        ("diffusers", "text_to_image", "high", None, 5),  # two parts beat one
        ("diffusers", "edit", None, "1024x1024", 2),
    ],
)
def test_the_most_specific_key_wins(settings, provider, task_type, quality, size, price):
    settings.AICEPS_TASK_COSTS = PRICES
    kwargs = {"task_type": task_type, "image_provider": provider, "quality": quality, "size": size}
    assert task_price(**kwargs) == price
    assert task_price(**kwargs, count=3) == 3 * price


def test_a_bad_price_is_a_configuration_error(settings):
    settings.AICEPS_TASK_COSTS = {"default": 1, "openai:low": -1}
    with pytest.raises(ImproperlyConfigured):
        task_price(task_type="edit", image_provider="openai", quality="low")


def png(size=(80, 40), mode="RGB", colour=(200, 30, 30)) -> GeneratedImage:
    buffer = io.BytesIO()
    Image.new(mode, size, colour).save(buffer, format="PNG")
    return GeneratedImage(buffer.getvalue(), "image/png")


def opened(image: GeneratedImage) -> Image.Image:
    picture = Image.open(io.BytesIO(image.data))
    picture.load()
    return picture


def test_size_is_cropped_to_its_shape_then_resized():
    source = Image.new("RGB", (200, 100), (0, 0, 0))
    source.paste((255, 255, 255), (50, 0, 150, 100))  # a white centre of 100x100
    assert fit(source, (64, 64)).getpixel((2, 32)) == (255, 255, 255)  # the sides are gone
    [(image, facts)] = finish_images((png(),), Finish(size=(32, 48)))
    assert opened(image).size == (32, 48)
    assert facts == {"size": "32x48", "background": "opaque", "format": "png"}


def test_an_image_already_as_asked_is_kept_as_it_came():
    original = png()
    [(image, facts)] = finish_images((original,), Finish(size=(80, 40), format="png"))
    assert image is original and facts["size"] == "80x40"


def test_opaque_flattens_transparency_onto_white_and_jpeg_takes_compression():
    clear = png(mode="RGBA", colour=(0, 0, 0, 0))
    [(image, facts)] = finish_images((clear,), Finish(background="opaque"))
    assert opened(image).convert("RGB").getpixel((5, 5)) == (255, 255, 255)
    assert facts["background"] == "opaque"
    small, large = (
        finish_images((png((256, 256)),), Finish(format="jpeg", compression=value))[0][0]
        for value in (5, 100)
    )
    assert small.mime_type == large.mime_type == "image/jpeg"


def test_transparent_uses_the_background_remover_only_when_needed():
    calls = []

    def remover(data: bytes) -> bytes:
        calls.append(data)
        return png(mode="RGBA", colour=(1, 2, 3, 0)).data

    [(_, facts)] = finish_images(
        (png(),), Finish(background="transparent"), remove_background=remover
    )
    assert facts["background"] == "transparent" and len(calls) == 1
    already = png(mode="RGBA", colour=(1, 2, 3, 0))
    [(image, _)] = finish_images(
        (already,), Finish(background="transparent"), remove_background=remover
    )
    assert image is already and len(calls) == 1
