"""scikit-image's public-domain sample photos, and composites with a known alpha.

The ``dev`` extra installs scikit-image, whose wheel ships astronaut, chelsea (a cat), coffee,
rocket (a night launch) and the stereo motorcycle pair; nothing is downloaded. Tests that use
them skip where scikit-image is missing.

The composites paste a subject with a known, anti-aliased mask onto another photo, so a
cut-out can be scored against the truth:

* ``cat_in_garage``: chelsea's cat, cut along a polygon drawn a little inside its outline
  (so everything inside is cat: fur, eyes, chest), on the motorcycle photo's garage.
* ``cat_head_on_blur``: a cat-head shape (two ears, a round face) cut from chelsea, on a
  softly blurred part of the garage, like a portrait with a shallow depth of field.
"""

from __future__ import annotations

import cv2
import numpy as np
import pytest
from PIL import Image, ImageDraw

SUPERSAMPLE = 4
# Inside the cat's outline in chelsea (451 x 300): ears and forehead at the top edge, the
# right cheek, the chest down to the bottom edge, the shoulder at the left edge.
CAT_OUTLINE = (
    (40, 0), (392, 0), (372, 50), (355, 100), (352, 150), (335, 200), (325, 250), (310, 299),
    (0, 299), (0, 200), (5, 160), (15, 120), (30, 80), (35, 40),
)  # fmt: skip


def photo(name: str) -> np.ndarray:
    """One of the sample photos as RGB uint8 (``motorcycle`` is the stereo pair's left)."""
    data = pytest.importorskip("skimage.data")
    if name == "motorcycle":
        return np.ascontiguousarray(data.stereo_motorcycle()[0])
    return np.ascontiguousarray(getattr(data, name)()[..., :3])


def image(name: str) -> Image.Image:
    return Image.fromarray(photo(name))


def _alpha(shapes, size: tuple[int, int]) -> np.ndarray:
    """Anti-aliased alpha (float32 0..1) of polygons and ellipses drawn 4x bigger."""
    k = SUPERSAMPLE
    mask = Image.new("L", (size[0] * k, size[1] * k), 0)
    draw = ImageDraw.Draw(mask)
    for kind, points in shapes:
        scaled = [(x * k, y * k) for x, y in points]
        if kind == "polygon":
            draw.polygon(scaled, fill=255)
        elif kind == "ellipse":
            draw.ellipse([*scaled[0], *scaled[1]], fill=255)
        else:
            draw.rectangle([*scaled[0], *scaled[1]], fill=255)
    small = mask.resize(size, Image.Resampling.LANCZOS)
    return np.asarray(small).astype(np.float32) / 255.0


def _paste(subject, alpha, background, left, top) -> tuple[np.ndarray, np.ndarray]:
    h, w = alpha.shape
    full = np.zeros(background.shape[:2], np.float32)
    full[top : top + h, left : left + w] = alpha
    fg = np.zeros(background.shape, np.float32)
    fg[top : top + h, left : left + w] = subject
    a = full[..., None]
    out = fg * a + background.astype(np.float32) * (1 - a)
    return (out + 0.5).astype(np.uint8), full


def cat_in_garage() -> tuple[np.ndarray, np.ndarray]:
    """(RGB 600x400, alpha 0..1)."""
    alpha = _alpha([("polygon", CAT_OUTLINE)], (451, 300))
    garage = cv2.resize(photo("motorcycle"), (600, 400), interpolation=cv2.INTER_AREA)
    return _paste(photo("chelsea").astype(np.float32), alpha, garage, 75, 100)


def cat_head_on_blur() -> tuple[np.ndarray, np.ndarray]:
    """(RGB 451x300, alpha 0..1)."""
    shapes = [
        ("ellipse", ((95, 40), (355, 290))),
        ("polygon", ((110, 120), (120, 0), (200, 60))),
        ("polygon", ((260, 60), (345, 0), (345, 130))),
    ]
    alpha = _alpha(shapes, (451, 300))
    garage = photo("motorcycle")[:300, 290:741]
    garage = cv2.GaussianBlur(garage, (0, 0), 3)
    return _paste(photo("chelsea").astype(np.float32), alpha, garage, 0, 0)


def iou(alpha: np.ndarray, truth: np.ndarray) -> float:
    """Intersection over union of alpha > 0.5 against truth > 0.5 (both 0..1)."""
    a, t = alpha > 0.5, truth > 0.5
    return float((a & t).sum() / (a | t).sum())


def holes_and_ghosts(alpha: np.ndarray, truth: np.ndarray) -> tuple[float, float]:
    """(share of the subject's inside, 2 px in, that is not solid (alpha < 0.9); share of the
    background, 2 px out, that is not clear (alpha > 0.1))."""
    t = (truth > 0.5).astype(np.uint8)
    inside = cv2.erode(t, np.ones((5, 5), np.uint8)) > 0
    outside = cv2.dilate(t, np.ones((5, 5), np.uint8)) == 0
    return float((alpha[inside] < 0.9).mean()), float((alpha[outside] > 0.1).mean())
