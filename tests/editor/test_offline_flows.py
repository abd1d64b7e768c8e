"""The editor against AicePS's offline models (the template prompt writer and the offline
editor): no keys, no network. Real edits come back; what the offline editor cannot do
(a texture it cannot draw, decades: new clothes and hair) is refused with a message that
says so and costs nothing."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from accounts.selectors import credits_balance
from tests.catalogue.providers.offline.photos import portrait_image

from .conftest import COSTS, photo_file

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _offline(settings):
    settings.AICEPS_PROMPT_WRITER = "template"
    settings.AICEPS_IMAGE_PROVIDER = "offline"


@pytest.fixture(scope="module")
def portrait_jpeg() -> bytes:
    buffer = io.BytesIO()
    portrait_image(320).save(buffer, format="JPEG", quality=92)
    return buffer.getvalue()


def result(editor, body) -> Image.Image:
    response = editor.http.get(body["imageUrl"].removeprefix("http://testserver"))
    return Image.open(io.BytesIO(b"".join(response.streaming_content)))


def test_black_and_white_filter(editor, alice, portrait_jpeg):
    body = editor.post(
        "/api/edit-image", {"image": photo_file(portrait_jpeg), "prompt": "黑白", "type": "filter"}
    ).json()
    assert body["success"] is True, body
    rgb = np.asarray(result(editor, body).convert("RGB"), dtype=np.int16)
    assert np.abs(rgb[..., 0] - rgb[..., 2]).max() <= 2  # grey
    assert credits_balance(user=alice) == 10 - COSTS["default"]


def test_cut_out_gives_transparency_at_its_price(editor, alice, portrait_jpeg):
    body = editor.post(
        "/api/edit-image",
        {"image": photo_file(portrait_jpeg), "prompt": "", "type": "remove-background"},
    ).json()
    assert body["success"] is True, body
    alpha = np.asarray(result(editor, body).convert("RGBA"))[..., 3]
    assert alpha.min() == 0 and alpha.max() == 255
    assert credits_balance(user=alice) == 10 - COSTS["remove_background"]


def test_film_grain_texture_works_offline(editor, portrait_jpeg):
    body = editor.post(
        "/api/edit-image",
        {"image": photo_file(portrait_jpeg), "prompt": "film grain", "type": "texture"},
    ).json()
    assert body["success"] is True, body


@pytest.mark.parametrize(
    ("kind", "prompt"),
    [
        ("texture", "overlay a snake skin texture"),
        (
            "decade",
            "Reimagine the person in this photo in the style of the 1950s. This includes "
            "clothing, hairstyle, photo quality, and the overall aesthetic of that decade.",
        ),
    ],
)
def test_what_the_offline_editor_cannot_do_is_refused_clearly(
    editor, alice, portrait_jpeg, kind, prompt
):
    response = editor.post(
        "/api/edit-image", {"image": photo_file(portrait_jpeg), "prompt": prompt, "type": kind}
    )
    assert response.status_code == 422
    body = response.json()
    message = body["message"]
    assert message.startswith("The offline editor ")
    assert "cannot do" in message or "did not understand" in message
    assert any(word in message for word in ("snake", "clothing"))  # the user's own words
    assert "Gemini" in message and "diffusers" in message  # who can
    assert credits_balance(user=alice) == 10  # refunded


@pytest.mark.parametrize("kind", ["filter", "adjustment", "texture"])
def test_offline_suggestions_are_measured_and_each_one_runs(editor, portrait_jpeg, kind):
    response = editor.post(
        "/api/creative-suggestions", {"image": photo_file(portrait_jpeg), "type": kind}
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["prompt_writer"] == "template" and "brightness" in body["facts"]
    suggestions = body["suggestions"]
    assert len(suggestions) == 4
    for suggestion in suggestions:
        edit = editor.post(
            "/api/edit-image",
            {"image": photo_file(portrait_jpeg), "prompt": suggestion["prompt"], "type": kind},
        )
        assert edit.status_code == 200, (suggestion, edit.json())


def test_suggestions_follow_the_photo(editor):
    dark = Image.new("RGB", (200, 150), (25, 25, 40))
    buffer = io.BytesIO()
    dark.save(buffer, format="PNG")
    names = [
        s["name"]
        for s in editor.post(
            "/api/creative-suggestions",
            {"image": photo_file(buffer.getvalue(), "dark.png"), "type": "adjustment"},
        ).json()["suggestions"]
    ]
    assert names[0] in ("Lift the shadows", "提亮暗部")
