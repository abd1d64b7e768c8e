"""Studio lighting on the subject: a key light from the upper left on the person or product the
matte finds, the background dimmed behind it, as a photographer's lit set looks.

It relights only what is there (no new shadows are cast, faces are not re-modelled): the
subject is brightened by a soft key-light falloff and given a little more contrast, the
background is darkened and slightly desaturated, and the edges fall off into a vignette.
"""

from __future__ import annotations

import cv2
import numpy as np


def studio_light(rgb: np.ndarray, matte: np.ndarray, amount: float = 1.0) -> np.ndarray:
    h, w = rgb.shape[:2]
    alpha = cv2.GaussianBlur(matte.astype(np.float32) / 255.0, (0, 0), max(1.0, min(h, w) / 200))
    ys, xs = np.nonzero(matte > 127)
    cy, cx = (ys.mean(), xs.mean()) if len(ys) else (h / 2, w / 2)
    y = (np.arange(h, dtype=np.float32)[:, None] - (cy - 0.25 * h)) / h
    x = (np.arange(w, dtype=np.float32)[None, :] - (cx - 0.2 * w)) / w
    key = np.exp(-(x * x + y * y) * 2.2)  # brightest up and to the left of the subject
    across = ((np.arange(w, dtype=np.float32)[None, :] - w / 2) / (w / 2)) ** 2
    down = ((np.arange(h, dtype=np.float32)[:, None] - h / 2) / (h / 2)) ** 2
    vignette = 1 - 0.35 * np.clip(across + down, 0, 1)
    photo = rgb.astype(np.float32) / 255.0
    grey = photo.mean(axis=2, keepdims=True)
    lit = np.clip(0.5 + (photo - 0.5) * (1 + 0.25 * amount), 0, 1)  # a little more contrast
    lit = lit * (1 + 0.35 * amount * key[..., None])
    dim = (grey + 0.7 * (photo - grey)) * (1 - 0.45 * min(amount, 1.5))
    a = alpha[..., None]
    out = (lit * a + dim * (1 - a)) * vignette[..., None].astype(np.float32)
    return (np.clip(out, 0, 1) * 255 + 0.5).astype(np.uint8)
