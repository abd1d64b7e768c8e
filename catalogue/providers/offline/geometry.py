"""Operations that change the frame (rotate, flip, crop, pad) and object removal (its fill is in
:mod:`.fill`, upscaling in :mod:`.upscale`).

Frame operations take a list of same-sized planes (RGB, alpha, the user's mask) and transform
them all alike, so a mask still lines up after a crop.
"""

from __future__ import annotations

import math

import cv2
import numpy as np

from . import fill
from .analysis import detect_faces


def rotate(planes: list, degrees: int) -> list:
    """Clockwise. Right angles are exact; other angles crop to the largest upright rectangle."""
    degrees %= 360
    if degrees % 90 == 0:
        return [
            None if p is None else np.ascontiguousarray(np.rot90(p, -degrees // 90)) for p in planes
        ]
    h, w = planes[0].shape[:2]
    angle = math.radians(degrees)
    matrix = cv2.getRotationMatrix2D((w / 2, h / 2), -degrees, 1.0)
    sin, cos = abs(math.sin(angle)), abs(math.cos(angle))
    bw, bh = int(h * sin + w * cos), int(h * cos + w * sin)
    matrix[0, 2] += bw / 2 - w / 2
    matrix[1, 2] += bh / 2 - h / 2
    # largest axis-aligned rectangle inside the rotated frame
    long_side, short_side = max(w, h), min(w, h)
    if short_side <= 2 * sin * cos * long_side or abs(sin - cos) < 1e-10:
        x = 0.5 * short_side
        cw, ch = (x / sin, x / cos) if w >= h else (x / cos, x / sin)
    else:
        cos2 = cos * cos - sin * sin
        cw, ch = (w * cos - h * sin) / cos2, (h * cos - w * sin) / cos2
    left, top = int((bw - cw) / 2), int((bh - ch) / 2)
    out: list[np.ndarray | None] = []
    for p in planes:
        if p is None:
            out.append(None)
            continue
        turned = cv2.warpAffine(
            p, matrix, (bw, bh), flags=cv2.INTER_CUBIC, borderMode=cv2.BORDER_REFLECT
        )
        out.append(np.ascontiguousarray(turned[top : top + int(ch), left : left + int(cw)]))
    return out


def flip(planes: list, axis: str = "horizontal") -> list:
    return [
        None if p is None else np.ascontiguousarray(p[::-1] if axis == "vertical" else p[:, ::-1])
        for p in planes
    ]


def _ratio(ratio: str) -> float:
    w, h = (float(v) for v in ratio.split(":"))
    return w / h


def crop(planes: list, ratio: str | None = None, centre: bool = False) -> list:
    """Crop to the ratio: centred on the biggest face (if any), or on the middle with
    ``centre``. Without a ratio (``centre`` only), the middle 75% of each side is kept."""
    h, w = planes[0].shape[:2]
    if ratio:
        target = _ratio(ratio)
        if abs(w / h - target) < 0.5 / min(w, h):
            return planes
        if w / h > target:
            nw, nh = max(1, round(h * target)), h
        else:
            nw, nh = w, max(1, round(w / target))
    else:
        nw, nh = max(1, round(w * 0.75)), max(1, round(h * 0.75))
    cx, cy = w / 2, h / 2
    faces = [] if centre else detect_faces(planes[0][..., :3])
    if faces:
        x, y, fw, fh = max(faces, key=lambda f: f[2] * f[3])
        cx, cy = x + fw / 2, y + fh / 2 + fh * 0.3
    left = int(min(max(cx - nw / 2, 0), w - nw))
    top = int(min(max(cy - nh / 2, 0), h - nh))
    return [
        None if p is None else np.ascontiguousarray(p[top : top + nh, left : left + nw])
        for p in planes
    ]


def pad(planes: list, ratio: str) -> list:
    """Extend the canvas to the ratio: a blurred, darkened copy of the photo fills the sides
    (transparent where the photo has an alpha plane); the mask is padded with zeros."""
    rgb = planes[0]
    h, w = rgb.shape[:2]
    target = _ratio(ratio)
    nw, nh = (round(h * target), h) if w / h < target else (w, round(w / target))
    if (nw, nh) == (w, h):
        return planes
    left, top = (nw - w) // 2, (nh - h) // 2
    from .background import cover

    fill = cv2.GaussianBlur(cover(rgb, (nw, nh)), (0, 0), max(8.0, max(nw, nh) / 40))
    fill = (fill.astype(np.float32) * 0.85).astype(np.uint8)
    out: list[np.ndarray | None] = []
    for i, p in enumerate(planes):
        if p is None:
            out.append(None)
            continue
        canvas = fill.copy() if i == 0 else np.zeros((nh, nw, *p.shape[2:]), p.dtype)
        canvas[top : top + h, left : left + w] = p
        out.append(canvas)
    return out


def inpaint(rgb: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Fill the masked area (mask > 127) from its surroundings; nothing outside it changes.

    Exemplar-based (PatchMatch), see :mod:`.fill`; ``fill.fillable(mask, grow=False)`` says
    beforehand whether a hole is small enough to be filled plausibly (a larger one raises a
    ``removal_unfillable`` error). Object removal widens the mask over the object's rim
    first (``fill.inpaint(rgb, mask, grow=True)``)."""
    return fill.inpaint(rgb, mask, grow=False)
