"""The background seen through a subject (inside a bicycle's wheels, its frame) is cut out;
the subject's own enclosed parts are not.

The bicycle is drawn (a 5 px rim, 1 px spokes, 3 px tubes) and pasted on scikit-image's grass
texture; U-2-Net-p fills both wheels, so before the openings the cut-out's intersection over
union with the truth was 0.28 (measured 0.92 with them)."""

from __future__ import annotations

import math

import cv2
import numpy as np
import pytest

from catalogue.providers.offline import openings, segment


def bicycle_on_grass() -> tuple[np.ndarray, np.ndarray, list[tuple[int, int, int]]]:
    """(photo, alpha truth, the wheels as (x, y, radius))."""
    data = pytest.importorskip("skimage.data")
    grey = data.grass().astype(np.float32)[:384, :512] / 255
    back = cv2.resize(grey[..., None] * np.array((90, 160, 70), np.float32) * 1.4, (600, 450))
    back = cv2.GaussianBlur(back.clip(0, 255).astype(np.uint8), (0, 0), 1.5)
    alpha = np.zeros((450, 600), np.uint8)
    wheels = [(190, 260, 80), (410, 260, 80)]
    for x, y, r in wheels:
        cv2.circle(alpha, (x, y), r, 255, 5, cv2.LINE_AA)
        for k in range(12):
            t = k * math.pi / 6
            cv2.line(alpha, (x, y), (x + round(r * math.cos(t)), y + round(r * math.sin(t))), 255)
    seat, bar = (270, 170), (380, 150)
    for p, q in [((190, 260), seat), (seat, (370, 260)), ((190, 260), (370, 260))]:
        cv2.line(alpha, p, q, 255, 3, cv2.LINE_AA)
    cv2.line(alpha, (410, 260), bar, 255, 3, cv2.LINE_AA)
    cv2.line(alpha, (240, 170), (300, 170), 255, 6)
    a = alpha[..., None].astype(np.float32) / 255
    photo = back * (1 - a) + np.array((20, 60, 160), np.float32) * a
    return (photo + 0.5).astype(np.uint8), alpha.astype(np.float32) / 255, wheels


def test_the_grass_inside_the_wheels_is_background_and_the_spokes_are_kept():
    photo, truth, wheels = bicycle_on_grass()
    alpha = segment.subject_matte(photo)
    got, want = alpha > 127, truth > 0.5
    iou = (got & want).sum() / (got | want).sum()
    assert iou > 0.8, iou  # 0.28 with the wheels filled
    for x, y, r in wheels:
        ring = np.zeros_like(alpha)
        cv2.circle(ring, (x, y), r, 255, 3)
        assert (alpha[ring > 0] > 127).mean() > 0.9  # the rim
        between = np.zeros_like(alpha)
        cv2.circle(between, (x, y), r // 2, 255, -1)
        between[(truth > 0.05) | (cv2.dilate((truth > 0.05).astype(np.uint8), None) > 0)] = 0
        assert (alpha[between > 0] < 64).mean() > 0.9  # the grass between the spokes
    spokes = (truth > 0.5) & (cv2.morphologyEx(truth, cv2.MORPH_OPEN, np.ones((5, 5))) < 0.5)
    assert (alpha[spokes] > 127).mean() > 0.8  # thin lines, the spokes among them


@pytest.mark.parametrize("name", ["astronaut", "chelsea", "coffee", "camera"])
def test_photos_without_openings_keep_their_subject_whole(name):
    """The astronaut's dark collar inside its ring, the cup's handle, the tripod's grey legs
    against grey grass: enclosed or thin, but the subject's own."""
    data = pytest.importorskip("skimage.data")
    image = getattr(data, name)()
    image = np.ascontiguousarray(np.dstack([image] * 3) if image.ndim == 2 else image[..., :3])
    scale = segment.WORK / max(image.shape[:2])
    small = cv2.resize(image, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    p = cv2.resize(segment.saliency(image), small.shape[1::-1])
    tri, solid = segment.trimap(p)
    around = segment.background_around(tri, solid)
    assert solid.any() and not openings.openings(small, solid, around).any()
