"""Point edits (a click, ``ImageRequest.hotspot``, no mask) change only the clicked region.

Contract: the region is the object under the point when U-2-Net-p finds one in a window
around it (the box ``region.point_region`` returns: a smaller window where the first finds
nothing or too much, a wider one where the object goes on beyond it), else a disc; every pixel
outside that box is returned exactly as it was, whatever the operation.
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
RIM = (450, 380)  # the white rim of that helmet
ORBITER = (395, 150)  # the white orbiter of the shuttle model, right of her head
WING = (461, 256)  # the tip of the orbiter's right wing, by the booster


def click(editor, text, photo, point):
    result = editor.generate(
        request(text, Image.fromarray(photo), task_type=TaskType.HOTSPOT, hotspot=point)
    )
    return result, pixels(result.images[0].data)


def outside(photo, point, thorough: bool = False) -> np.ndarray:
    left, top, right, bottom = region.point_region(photo, point, thorough=thorough)[2]
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
    far = outside(photo, point, thorough=text in ("remove this", "make this red"))
    assert far.mean() > 1 - region.LARGEST_WINDOW**2 - 0.01  # the box is 0.8 x 0.8 at most
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
    mask, kind, _, _ = region.point_region(photo, HELMET)
    assert kind == "object"
    dome = mask > 0
    assert dome.sum() > 15 * np.pi * 20**2  # far more than the old disc
    _, out = click(editor, "remove this", photo, HELMET)
    assert out[dome].mean() > photo[dome].mean() + 30  # the black is gone


def test_a_click_on_the_shuttle_takes_the_shuttle_not_a_disc():
    """The network, looking at the usual window, sees the astronaut and the shuttle's tank and
    nothing under a click on the white orbiter: that gave a disc. A smaller window makes the
    orbiter the main subject. It goes on beyond that window, but a wider window would hold
    all of the first, where the network saw nothing under the click: no third look."""
    photo = samples.photo("astronaut")
    mask, kind, _, cut = region.point_region(photo, ORBITER)
    assert kind == "object"
    taken = mask > 0
    assert taken[100:230, 385:405].mean() > 0.9  # the orbiter from nose to tail
    ys, xs = np.nonzero(taken)
    assert ys.max() - ys.min() > 150 and xs.max() - xs.min() > 80  # with its wings
    assert not taken[:, :330].any()  # not the astronaut
    assert cut  # the tank above it was not taken: removal is refused, not half done


def _looks(monkeypatch) -> list[int]:
    """Counts the network's passes (one per window looked at)."""
    passes: list[int] = []
    seen = region.saliency

    def counted(crop):
        passes.append(crop.shape[0])
        return seen(crop)

    monkeypatch.setattr(region, "saliency", counted)
    return passes


def test_the_orbiter_takes_two_looks_and_its_wing_tip_three(monkeypatch):
    """The third look (a wider window) is saved only where it would hold all of a window in
    which the network saw nothing under the click (the orbiter). On the wing's tip the first
    window sees nothing either and the smaller one's find reaches its edge, but the wider
    window, centred on that find, does not hold all of the first: it is looked at, and its
    reading is taken."""
    photo = samples.photo("astronaut")
    passes = _looks(monkeypatch)
    region.point_region(photo, ORBITER)
    assert len(passes) == 2
    passes.clear()
    _, kind, box, _ = region.point_region(photo, WING)
    assert len(passes) == 3 and kind == "object"
    smaller = region._box((512, 512), WING, round(512 * region.SMALL))
    assert box != smaller  # the wider window's reading was taken


def test_a_blur_at_a_click_looks_once():
    """Blurring or pixelating at a click is as good on a disc: no second look (each is a pass
    of the network), so the orbiter, unseen at the first look, gets the disc."""
    photo = samples.photo("astronaut")
    _, kind, box, _ = region.point_region(photo, ORBITER, thorough=False)
    assert kind == "area" and box == region.window((512, 512), ORBITER)


def test_a_click_on_the_helmet_rim_takes_the_whole_helmet():
    """Before, a click on the helmet's white rim took the rim only (the network joined the
    helmet to the suit, and only the clicked colour was kept)."""
    photo = samples.photo("astronaut")
    mask, kind, _, _ = region.point_region(photo, RIM)
    taken = mask > 0
    assert kind == "object"
    assert taken[400:480, 330:440].mean() > 0.95  # the black dome
    assert taken[375:390, 440:460].mean() > 0.9  # and the rim clicked
    assert not taken[200:330, :].any()  # not the suit above it


def test_a_click_on_plain_background_changes_a_disc():
    photo = np.full((300, 400, 3), 120, np.uint8)
    mask, kind, _, _ = region.point_region(photo, (200, 150))
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
