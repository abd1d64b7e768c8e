"""Simple facts about a photo: faces, brightness, dominant colours."""

from __future__ import annotations

import threading
from typing import cast

import cv2
import numpy as np
from PIL import Image

from .vocabulary import PALETTE

_cascade = None
_cascade_lock = threading.Lock()  # CascadeClassifier is not safe to share between threads


def _classifier():
    global _cascade
    if _cascade is None:
        data = getattr(cv2, "data", None)
        folder = getattr(data, "haarcascades", "") if data else ""
        classifier = cv2.CascadeClassifier(folder + "haarcascade_frontalface_default.xml")
        _cascade = classifier if not classifier.empty() else False
    return _cascade


def detect_faces(rgb: np.ndarray) -> list[tuple[int, int, int, int]]:
    """Frontal faces as (x, y, w, h) in the image's pixels; [] if the cascade is missing."""
    h, w = rgb.shape[:2]
    scale = min(1.0, 640 / max(h, w))
    small = (
        cv2.resize(
            rgb, (max(1, round(w * scale)), max(1, round(h * scale))), interpolation=cv2.INTER_AREA
        )
        if scale < 1
        else rgb
    )
    gray = cv2.equalizeHist(cv2.cvtColor(small, cv2.COLOR_RGB2GRAY))
    with _cascade_lock:
        classifier = _classifier()
        if not classifier:
            return []
        found = classifier.detectMultiScale(gray, scaleFactor=1.1, minNeighbors=5, minSize=(24, 24))
    return [tuple(round(float(v) / scale) for v in face) for face in found]


def mean_brightness(rgb: np.ndarray) -> float:
    """Mean luma from 0 to 1."""
    luma = rgb[..., :3].astype(np.float32) @ np.array([0.299, 0.587, 0.114], np.float32)
    return float(luma.mean() / 255.0)


def dominant_colours(rgb: np.ndarray, count: int = 3) -> list[str]:
    """Names of the most common colours, most common first, without repeats."""
    small = Image.fromarray(np.ascontiguousarray(rgb[..., :3])).resize((64, 64))
    quant = small.quantize(colors=8, method=Image.Quantize.MEDIANCUT)
    palette = (quant.getpalette() or [])[: 8 * 3]
    # A palette image's colours are (count, palette index) pairs.
    colours = cast("list[tuple[int, int]]", quant.getcolors() or [])
    names: list[str] = []
    for _, index in sorted(colours, reverse=True):
        colour = np.array(palette[index * 3 : index * 3 + 3], np.float32)
        name = min(PALETTE, key=lambda p: float(((np.array(p[1]) - colour) ** 2).sum()))[0]
        if name not in names:
            names.append(name)
        if len(names) == count:
            break
    return names
