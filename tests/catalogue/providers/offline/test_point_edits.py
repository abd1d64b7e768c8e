"""Point edits (a click, ``ImageRequest.hotspot``, no mask) change only the clicked region.

Contract: the region is the object under the point when U-2-Net-p finds one in a window
around it (``region.window``), else a disc; every pixel outside the window is returned
exactly as it was, whatever the operation.
"""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from catalogue.providers.base import TaskType
from catalogue.providers.offline import region

from . import samples
from .photos import as_input, pixels, request

FLAG = (30, 120)  # on the flag, left of the astronaut (512 x 512)
FACE = (250, 100)
HELMET = (400, 430)  # the black helmet she holds


def click(editor, text, photo, point):
    result = editor.generate(
        request(text, Image.fromarray(photo), task_type=TaskType.HOTSPOT, hotspot=point)
    )
    return result, pixels(result.images[0].data)


def outside(photo, point) -> np.ndarray:
    left, top, right, bottom = region.window((photo.shape[1], photo.shape[0]), point)
    keep = np.ones(photo.shape[:2], bool)
    keep[top:bottom, left:right] = False
    return keep


@pytest.mark.parametrize(
    ("text", "point"),
    [
        ("Pixelate what I click", FLAG),
        ("blur this", FACE),
        ("把这里变亮", FACE),
        ("make this black and white", FACE),
        ("remove this", HELMET),
        ("make this red", HELMET),
        ("in the style of Van Gogh", FACE),
    ],
)
def test_pixels_away_from_the_click_are_unchanged(editor, text, point):
    photo = samples.photo("astronaut")
    result, out = click(editor, text, photo, point)
    far = outside(photo, point)
    assert far.mean() > 0.7  # the window is a quarter of the photo at most
    assert (out[far] == photo[far]).all(), text
    x, y = point
    near = np.abs(
        out[y - 6 : y + 7, x - 6 : x + 7].astype(int) - photo[y - 6 : y + 7, x - 6 : x + 7]
    )
    assert near.mean() > 3, text  # and the clicked spot did change
    assert "point" in result.text


def test_clicking_the_flag_leaves_the_face_alone(editor):
    """Before, "Pixelate what I click" on the flag pixelated the whole photo, face included."""
    photo = samples.photo("astronaut")
    _, out = click(editor, "Pixelate what I click", photo, FLAG)
    assert (out[60:200, 170:330] == photo[60:200, 170:330]).all()  # her face
    assert np.abs(out[100:140, 10:50].astype(int) - photo[100:140, 10:50]).mean() > 5


def test_remove_this_takes_the_whole_object(editor):
    """Before, "remove this" on the helmet erased a 20 px disc and left a smudge; now the
    helmet's black dome (found by the network and the clicked colour) is filled."""
    photo = samples.photo("astronaut")
    mask, kind = region.point_region(photo, HELMET)
    assert kind == "object"
    dome = mask > 0
    assert dome.sum() > 15 * np.pi * 20**2  # far more than the old disc
    _, out = click(editor, "remove this", photo, HELMET)
    assert out[dome].mean() > photo[dome].mean() + 30  # the black is gone


def test_a_click_on_plain_background_changes_a_disc():
    photo = np.full((300, 400, 3), 120, np.uint8)
    mask, kind = region.point_region(photo, (200, 150))
    assert kind == "area"
    ys, xs = np.nonzero(mask)
    radius = np.hypot(xs - 200, ys - 150).max()
    assert abs(radius - region.RADIUS * 300) <= 2


def test_masked_adjustments_keep_everything_outside_the_mask(editor, landscape):
    mask = Image.new("L", landscape.size, 0)
    mask.paste(255, (100, 80, 200, 180))
    result = editor.generate(request("make it brighter", landscape, mask=as_input(mask)))
    out = pixels(result.images[0].data)
    original = np.asarray(landscape)
    keep = np.ones(original.shape[:2], bool)
    keep[80:180, 100:200] = False
    assert (out[keep] == original[keep]).all()
    assert out[120:140, 140:160].mean() > original[120:140, 140:160].mean() + 10
