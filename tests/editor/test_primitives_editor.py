"""The editor's ``/api/edit-image`` takes the editing primitives too (``type=upscale``,
``expand``, ``inpaint`` with ``scale``, ``aspectRatio`` or pixels per side, ``mask``): the
image result has the asked size, credits move by the price list, refusals charge nothing."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image, ImageDraw

from accounts.selectors import credits_balance
from generation.models import TaskHistory
from generation.storage import read_bytes
from tests.conftest import make_photo

from .conftest import photo_file

pytestmark = pytest.mark.django_db(transaction=True)
PHOTO = make_photo(320, 240, fmt="PNG")


@pytest.fixture(autouse=True)
def _primitives(settings):
    settings.AICEPS_IMAGE_PROVIDER = "tests.fakes.providers.SloppyPrimitivesProvider"


def stored() -> np.ndarray:
    task = TaskHistory.objects.latest("created_at")
    return np.asarray(Image.open(io.BytesIO(read_bytes(task.generated_image.name))).convert("RGB"))


def test_edit_image_upscales_expands_and_inpaints(editor, alice):
    before = credits_balance(user=alice)
    answer = editor.post(
        "/api/edit-image", {"image": photo_file(PHOTO, "p.png"), "type": "upscale", "scale": 2}
    )
    assert answer.status_code == 200, answer.json()
    assert stored().shape[:2] == (480, 640)

    answer = editor.post(
        "/api/edit-image",
        {"image": photo_file(PHOTO, "p.png"), "type": "expand", "aspectRatio": "1:1"},
    )
    assert answer.status_code == 200, answer.json()
    result = stored()
    assert result.shape[:2] == (320, 320)
    original = np.asarray(Image.open(io.BytesIO(PHOTO)).convert("RGB"))
    assert np.array_equal(result[40:280], original)

    mask = Image.new("L", (320, 240), 0)
    ImageDraw.Draw(mask).rectangle((0, 0, 99, 99), fill=255)
    buffer = io.BytesIO()
    mask.save(buffer, format="PNG")
    answer = editor.post(
        "/api/edit-image",
        {
            "image": photo_file(PHOTO, "p.png"),
            "mask": photo_file(buffer.getvalue(), "m.png"),
            "type": "inpaint",
        },
    )
    assert answer.status_code == 200, answer.json()
    result = stored()
    assert np.array_equal(result[100:], original[100:])
    assert credits_balance(user=alice) == before - 3

    refused = editor.post(
        "/api/edit-image", {"image": photo_file(PHOTO, "p.png"), "type": "upscale", "scale": 3}
    )
    assert refused.status_code == 400 and credits_balance(user=alice) == before - 3
