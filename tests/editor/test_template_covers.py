"""Template covers that show what the template does: the offline editor's result on a shipped
public-domain photo, made once and stored; a marked card where no configured provider can do
it, and nothing charged when such a template is tried."""

from __future__ import annotations

import io
import json
from pathlib import Path

import numpy as np
import pytest
from django.core.files.storage import default_storage
from PIL import Image

from accounts.selectors import credits_balance
from generation import template_renders
from generation.models import PromptTemplate

from .conftest import EditorClient, photo_file

pytestmark = pytest.mark.django_db(transaction=True)


SEED = json.loads((Path(template_renders.PHOTOS) / "prompt_templates.json").read_text())


@pytest.fixture(autouse=True)
def _offline(settings):
    settings.AICEPS_PROMPT_WRITER = "template"
    settings.AICEPS_IMAGE_PROVIDER = "offline"


@pytest.fixture(autouse=True)
def _library():
    """The shipped library (a transactional test starts with an empty database)."""
    PromptTemplate.objects.all().delete()
    for entry in SEED:
        PromptTemplate.objects.create(**entry)


def cover(client, slug: str, suffix: str = ".png") -> np.ndarray:
    response = client.http.get(f"/api/templates/covers/{slug}{suffix}")
    assert response.status_code == 200, response.content[:200]
    return np.asarray(Image.open(io.BytesIO(response.content)))


def stored(slug: str) -> list[str]:
    try:
        return default_storage.listdir(f"prompt-templates/{slug}")[1]
    except FileNotFoundError:
        return []


def test_the_shipped_photos_are_small_and_real():
    sizes = [len(template_renders.photo_bytes(n)) for n in ("portrait", "cat", "cup", "launch")]
    assert sum(sizes) < 200_000
    for name in ("portrait", "cat", "cup", "launch"):
        photo = Image.open(io.BytesIO(template_renders.photo_bytes(name)))
        assert photo.size == (480, 360)
        assert len(set(photo.convert("RGB").getdata())) > 5000  # a photo, not a card


def test_a_filter_cover_is_its_result_on_a_photo_made_once_and_stored():
    client = EditorClient()
    template = PromptTemplate.objects.get(slug="black-and-white")
    listed = next(
        t
        for t in client.get("/api/templates").json()["data"]["templates"]
        if t["slug"] == "black-and-white"
    )
    assert listed["cover_image_url"].endswith("/api/templates/covers/black-and-white.png")
    assert listed["example_images"] == [
        "http://testserver/api/templates/covers/black-and-white.before.jpg"
    ]
    before = cover(client, "black-and-white", ".before.jpg").astype(int)
    after = cover(client, "black-and-white").astype(int)
    assert after.shape[:2] == before.shape[:2] == (360, 480)
    assert np.abs(after[..., 0] - after[..., 2]).max() <= 2  # grey
    assert np.abs(before[..., 0] - before[..., 2]).mean() > 10  # from a colour photo
    [name] = stored("black-and-white")
    assert name.startswith("offline-cover-") and name.endswith(".png")
    # made once: served from storage afterwards, and a new prompt gets a new cover
    first = default_storage.get_modified_time(f"prompt-templates/black-and-white/{name}")
    cover(client, "black-and-white")
    assert default_storage.get_modified_time(f"prompt-templates/black-and-white/{name}") == first
    template.prompt_en = "sepia"
    template.save()
    cover(client, "black-and-white")
    assert len(stored("black-and-white")) == 2


def test_cut_out_and_style_covers_show_their_effect():
    client = EditorClient()
    cut = cover(client, "remove-background")
    assert cut.shape == (360, 480, 4)
    assert cut[5, 240, 3] < 20 and cut[200, 210, 3] > 240  # background gone, the person stays
    before = cover(client, "van-gogh", ".before.jpg").astype(np.float32)
    styled = cover(client, "van-gogh")[..., :3].astype(np.float32)
    assert np.abs(styled - before).mean() > 8  # painted ...
    assert np.abs(styled.mean((0, 1)) - before.mean((0, 1))).max() < 12  # ... in its colours


def test_what_no_configured_provider_can_do_gets_a_marked_card_and_costs_nothing(editor, alice):
    client = EditorClient()
    templates = client.get("/api/templates", limit=50).json()["data"]["templates"]
    listed = {t["slug"]: t for t in templates}
    card = cover(client, "doctor-coat")[..., :3].astype(int)
    assert (np.abs(card[180, 5:60] - (32, 32, 36)).max(axis=1) < 4).all()  # the dark band
    assert stored("doctor-coat") == []  # nothing rendered, nothing faked
    text = cover(client, "mountain-sunrise")[..., :3].astype(int)
    assert (np.abs(text[180, 5:60] - (32, 32, 36)).max(axis=1) < 4).all()
    assert listed["mountain-sunrise"]["example_images"] == []  # no "before" for text to image
    # "generate to see the effect" with such a template: refused, and the credit comes back
    response = editor.post(
        "/api/edit-image",
        {
            "image": photo_file(template_renders.photo_bytes("portrait")),
            "prompt": listed["doctor-coat"]["prompt"],
            "type": "edit",
        },
    )
    assert response.status_code == 422
    assert credits_balance(user=alice) == 10


def test_a_card_is_unmarked_where_a_configured_provider_can_do_it(settings):
    settings.AICEPS_IMAGE_PROVIDER = "tests.fakes.providers.InvertImageProvider,offline"
    card = cover(EditorClient(), "doctor-coat")[..., :3].astype(int)
    assert not (np.abs(card[180, 5:60] - (32, 32, 36)).max(axis=1) < 4).all()


def test_the_covers_can_be_made_ahead_of_time():
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("render_template_covers", stdout=out)
    assert "black-and-white: rendered" in out.getvalue()
    assert "mountain-sunrise: no offline result" in out.getvalue()
    assert stored("black-and-white") and not stored("mountain-sunrise")
