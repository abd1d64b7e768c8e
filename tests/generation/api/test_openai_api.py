import base64
import io

import openai
import pytest
from PIL import Image
from rest_framework.authtoken.models import Token

from accounts.selectors import credits_balance
from tests.conftest import make_photo

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def client(live_server, user):
    token = Token.objects.create(user=user).key
    return openai.OpenAI(base_url=f"{live_server.url}/v1", api_key=token, max_retries=0)


def test_official_client_edits_an_image(client, user, tmp_path):
    path = tmp_path / "photo.png"
    path.write_bytes(make_photo(fmt="PNG"))
    with path.open("rb") as image:
        result = client.images.edit(image=image, prompt="黑白")
    assert result.created > 0
    item = result.data[0]
    assert item.revised_prompt == "Professional prompt: 黑白"
    png = base64.b64decode(item.b64_json)
    assert png.startswith(b"\x89PNG")
    assert Image.open(io.BytesIO(png)).size == (320, 240)
    assert credits_balance(user=user) == 9


def test_several_images_url_format_and_jpeg(client, tmp_path):
    files = []
    for index in range(2):
        path = tmp_path / f"p{index}.png"
        path.write_bytes(make_photo(fmt="PNG"))
        files.append(path.open("rb"))
    result = client.images.edit(
        image=files, prompt="fuse them", response_format="url", output_format="jpeg", n=2
    )
    assert len(result.data) == 2
    import requests

    download = requests.get(result.data[0].url, timeout=10)
    assert download.status_code == 200
    assert download.content.startswith(b"\xff\xd8")


def test_generation_from_text(client):
    result = client.images.generate(prompt="a green square", size="1024x1024")
    assert base64.b64decode(result.data[0].b64_json).startswith(b"\x89PNG")


def test_errors_reach_the_client_as_openai_errors(client, settings, user):
    settings.AICEPS_TASK_COSTS = {"default": 50}
    with pytest.raises(openai.APIStatusError) as caught:
        client.images.generate(prompt="a cat")
    assert caught.value.status_code == 402
    assert "Insufficient credits" in caught.value.message
    with pytest.raises(openai.NotFoundError):
        client.images.generate(prompt="a cat", model="no-such-model")


def test_bad_key_is_authentication_error(live_server):
    bad = openai.OpenAI(base_url=f"{live_server.url}/v1", api_key="wrong", max_retries=0)
    with pytest.raises(openai.AuthenticationError):
        bad.images.generate(prompt="a cat")
