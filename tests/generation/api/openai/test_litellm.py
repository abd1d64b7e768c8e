"""LiteLLM's SDK (``litellm.image_edit``, ``litellm.image_generation``) pointed at AicePS
gets images back: it accepts AicePS's whole answer, usage included."""

from __future__ import annotations

import base64
import os

import pytest

from accounts.selectors import credits_balance

from .conftest import decoded, photo_file

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


@pytest.fixture(scope="module")
def litellm():
    os.environ["LITELLM_LOCAL_MODEL_COST_MAP"] = "True"  # never fetch the price list
    os.environ.setdefault("LITELLM_LOG", "ERROR")
    return pytest.importorskip("litellm")


def test_litellm_image_edit(litellm, asgi_server, token, user, tmp_path, settings):
    settings.AICEPS_PROMPT_WRITER = "template"
    settings.AICEPS_IMAGE_PROVIDER = "offline"
    path = tmp_path / "photo.png"
    path.write_bytes(photo_file()[1])
    with path.open("rb") as image:
        response = litellm.image_edit(
            model="openai/offline",
            image=image,
            prompt="黑白",
            api_base=f"{asgi_server.url}/v1",
            api_key=token,
            size="256x192",
        )
    picture = decoded(base64.b64decode(response.data[0].b64_json))
    assert picture.size == (256, 192)
    red, green, blue = picture.convert("RGB").getpixel((128, 96))
    assert red == green == blue
    assert response.usage.total_tokens >= 0
    assert credits_balance(user=user) == 9


def test_litellm_image_generation(litellm, asgi_server, token, user):
    response = litellm.image_generation(
        model="openai/auto",
        prompt="a green square",
        api_base=f"{asgi_server.url}/v1",
        api_key=token,
        n=2,
        size="128x128",
    )
    assert len(response.data) == 2
    assert decoded(base64.b64decode(response.data[0].b64_json)).size == (128, 128)
    assert credits_balance(user=user) == 8
