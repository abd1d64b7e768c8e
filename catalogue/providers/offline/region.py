"""Where a point edit (a click, ``ImageRequest.hotspot``) may change the photo.

A square window around the point (``WINDOW`` of the photo's short side) is segmented with
U-2-Net-p on its own; if the window holds an object under the point (a helmet, a face, a
cup), that object is the region. Otherwise (the point is on a wall, or the network takes
the whole window), a disc of ``RADIUS`` of the short side around the point is. Either way
the region, feathering included, stays inside the window: every pixel outside it is left
exactly as it was.
"""

from __future__ import annotations

import cv2
import numpy as np

from .segment import fill_holes, saliency

WINDOW = 0.5  # side of the window around the point, as a share of the short side
RADIUS = 0.08  # radius of the fallback disc, as a share of the short side
SMALLEST, LARGEST = 0.005, 0.4  # an object's share of the window
TOLERANCE = 14  # how far (Lab units) the clicked object's colour may stray
WORK = 384  # the object is looked for at most this big
MARGIN = 8  # pixels kept free inside the window's edge for the feathering


def window(size: tuple[int, int], point: tuple[int, int]) -> tuple[int, int, int, int]:
    """(left, top, right, bottom) of the window around ``point`` in an image of ``size``."""
    w, h = size
    side = min(w, h) if min(w, h) < 64 else max(32, round(min(w, h) * WINDOW))
    x, y = (min(max(int(v), 0), lim - 1) for v, lim in zip(point, (w, h), strict=True))
    left = min(max(x - side // 2, 0), w - side)
    top = min(max(y - side // 2, 0), h - side)
    return left, top, left + side, top + side


def disc(size: tuple[int, int], point: tuple[int, int]) -> np.ndarray:
    w, h = size
    mask = np.zeros((h, w), np.uint8)
    radius = max(6, round(min(w, h) * RADIUS))
    cv2.circle(mask, (int(point[0]), int(point[1])), radius, 255, -1)
    return mask


def _same_colour(crop: np.ndarray, allowed: np.ndarray, point: tuple[int, int]) -> np.ndarray:
    """Pixels of about the clicked colour connected to the point, inside ``allowed``."""
    h, w = crop.shape[:2]
    smooth = cv2.GaussianBlur(crop, (0, 0), max(1.0, min(h, w) / 150))
    lab = cv2.cvtColor(smooth, cv2.COLOR_RGB2LAB)
    mask = np.zeros((h + 2, w + 2), np.uint8)
    mask[1:-1, 1:-1] = (~allowed).astype(np.uint8)  # floodFill does not enter non-zero pixels
    tol = (TOLERANCE,) * 3
    flags = 4 | cv2.FLOODFILL_FIXED_RANGE | cv2.FLOODFILL_MASK_ONLY | (2 << 8)
    cv2.floodFill(lab, mask, point, (0, 0, 0), tol, tol, flags)
    return mask[1:-1, 1:-1] == 2


def _object(crop: np.ndarray, point: tuple[int, int]) -> np.ndarray | None:
    """The salient object under ``point`` inside ``crop`` (bool), or None.

    When the network joins the clicked object to others (a helmet held against a suit), the
    part of that object in about the clicked colour is taken instead."""
    h, w = crop.shape[:2]
    pred = cv2.resize(saliency(crop), (w, h), interpolation=cv2.INTER_LINEAR)
    count, labels = cv2.connectedComponents((pred > 0.5).astype(np.uint8), 8, cv2.CV_32S)
    x, y = point
    reach = max(2, min(h, w) // 40)
    near = labels[max(0, y - reach) : y + reach + 1, max(0, x - reach) : x + reach + 1]
    found = np.bincount(near.ravel(), minlength=count)
    found[0] = 0
    if count <= 1 or found.max() == 0:
        return None
    part = labels == int(found.argmax())
    share = part.mean()
    if share > LARGEST:
        part = fill_holes(_same_colour(crop, part, point), 0.5)
        share = part.mean()
    if not SMALLEST <= share <= LARGEST:
        return None  # a speck, or no one object under the point
    return fill_holes(part, 0.2)


def point_region(rgb: np.ndarray, point: tuple[int, int]) -> tuple[np.ndarray, str]:
    """(mask uint8, 255 = may change; what it is: "object" or "area") for a click."""
    h, w = rgb.shape[:2]
    left, top, right, bottom = window((w, h), point)
    local = (int(point[0]) - left, int(point[1]) - top)
    found, side = None, right - left
    if side >= 32:
        crop = np.ascontiguousarray(rgb[top:bottom, left:right])
        scale = min(1.0, WORK / side)  # the object is found at most WORK px wide
        if scale < 1:
            small = round(side * scale)
            crop = cv2.resize(crop, (small, small), interpolation=cv2.INTER_AREA)
            local = (min(small - 1, int(local[0] * scale)), min(small - 1, int(local[1] * scale)))
        found = _object(crop, local)
    mask = np.zeros((h, w), np.uint8)
    if found is not None:
        grow = max(1, found.shape[0] // 100)
        part = cv2.dilate(found.astype(np.uint8) * 255, np.ones((3, 3), np.uint8), iterations=grow)
        if part.shape[0] != side:
            part = cv2.resize(part, (side, side), interpolation=cv2.INTER_LINEAR)
            part = np.where(part >= 128, 255, 0).astype(np.uint8)
        mask[top:bottom, left:right] = part
        kind = "object"
    else:
        mask = disc((w, h), point)
        kind = "area"
    m = MARGIN if min(right - left, bottom - top) > 4 * MARGIN else 0
    inner = np.zeros_like(mask)  # room for the feathering, except along the photo's edges
    inner[
        top + (m if top else 0) : bottom - (m if bottom < h else 0),
        left + (m if left else 0) : right - (m if right < w else 0),
    ] = 255
    return cv2.bitwise_and(mask, inner), kind


def cut_by_window(mask: np.ndarray, point: tuple[int, int]) -> bool:
    """Whether the region found for a click reaches the edge of the window looked at (where
    that edge is not the photo's), so the object goes on beyond what was segmented."""
    h, w = mask.shape[:2]
    left, top, right, bottom = window((w, h), point)
    m = MARGIN if min(right - left, bottom - top) > 4 * MARGIN else 0
    inner_top, inner_left = top + (m if top else 0), left + (m if left else 0)
    inner_bottom = bottom - (m if bottom < h else 0)
    inner_right = right - (m if right < w else 0)
    part = mask[inner_top:inner_bottom, inner_left:inner_right] > 0
    if not part.any():
        return False
    edges = [
        (top > 0, part[0]),
        (bottom < h, part[-1]),
        (left > 0, part[:, 0]),
        (right < w, part[:, -1]),
    ]
    return any(inside and line.any() for inside, line in edges)
