"""Artistic operations: pencil sketch and painterly looks, pixelation, skin smoothing and glitch
(the neural styles live in :mod:`.styles`, watercolour, oil paint and cartoon in
:mod:`.painting`)."""

from __future__ import annotations

import cv2
import numpy as np

from ..base import ProviderError
from .analysis import detect_faces


def sketch(rgb: np.ndarray, color: bool = False) -> np.ndarray:
    """Pencil sketch: clean lines and light shading on white paper, for any exposure.

    The photo's lightness is first spread to its full range (a night photo is not drawn
    black) and smoothed while keeping edges, so fur and sensor noise do not turn into
    scribbles. Lines come from a thresholded difference of Gaussians (XDoG, Winnemöller
    2012); the shading is a light wash of the tones, never darker than mid-grey."""
    h, w = rgb.shape[:2]
    scale = min(1.0, 1024 / max(h, w))
    size = (round(w * scale), round(h * scale))
    small = cv2.resize(rgb, size, interpolation=cv2.INTER_AREA) if scale < 1 else rgb
    light = cv2.cvtColor(small, cv2.COLOR_RGB2LAB)[..., 0].astype(np.float32) / 255.0
    lo, hi = (float(v) for v in np.percentile(light, (1, 99)))
    light = np.clip((light - lo) / max(hi - lo, 0.1), 0, 1)
    side = min(light.shape)
    smooth = cv2.bilateralFilter(light, 9, 0.08, max(3.0, side / 150))
    sigma = max(0.8, side / 500)
    fine = cv2.GaussianBlur(smooth, (0, 0), sigma)
    wide = cv2.GaussianBlur(smooth, (0, 0), sigma * 1.6)
    edge = wide - fine  # positive on the dark side of an edge (a difference of Gaussians)
    strong = max(float(np.percentile(edge, 99)), 0.02)
    lines = np.clip((edge - 0.12 * strong) / (0.8 * strong), 0, 1) ** 0.8  # faint edges drop out
    shade = cv2.GaussianBlur(smooth, (0, 0), max(2.0, side / 120))
    paper = 0.6 + 0.4 * np.clip(shade, 0, 1) ** 0.7  # shading between mid-grey and white
    drawing = np.clip(paper * (1 - 0.85 * lines), 0, 1)
    if scale < 1:
        drawing = cv2.resize(drawing, (w, h), interpolation=cv2.INTER_CUBIC)
    drawing = np.clip(drawing, 0, 1)
    if color:
        tint = rgb.astype(np.float32) / 255.0
        grey = tint.mean(axis=2, keepdims=True)
        wash = 0.75 + 0.25 * (grey + 1.4 * (tint - grey))  # pale coloured pencil
        coloured = np.clip(drawing[..., None] * np.clip(wash, 0, 1.1), 0, 1)
        return (coloured * 255 + 0.5).astype(np.uint8)
    grey8 = (drawing * 255 + 0.5).astype(np.uint8)
    return np.repeat(grey8[..., None], 3, axis=2)


def painterly(rgb: np.ndarray) -> np.ndarray:
    bgr = cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR)
    return cv2.cvtColor(cv2.stylization(bgr, sigma_s=60, sigma_r=0.45), cv2.COLOR_BGR2RGB)


def face_region(rgb: np.ndarray, grow: float = 1.25) -> np.ndarray | None:
    """A soft elliptical mask (float 0..1) over detected faces, or None without faces."""
    faces = detect_faces(rgb)
    if not faces:
        return None
    mask = np.zeros(rgb.shape[:2], np.uint8)
    for x, y, fw, fh in faces:
        centre = (x + fw // 2, y + fh // 2)
        cv2.ellipse(mask, centre, (int(fw * grow / 2), int(fh * grow * 0.6)), 0, 0, 360, 255, -1)
    sigma = max(2.0, min(f[2] for f in faces) / 12)
    return cv2.GaussianBlur(mask, (0, 0), sigma).astype(np.float32) / 255.0


def pixelate(rgb: np.ndarray, mask: np.ndarray | None = None, faces: bool = False) -> np.ndarray:
    """Mosaic (打码) inside the mask, over faces, or over the whole photo."""
    h, w = rgb.shape[:2]
    region = None
    if mask is not None:
        region = (mask > 127).astype(np.float32)
    elif faces:
        region = face_region(rgb, grow=1.4)
        if region is None:
            raise ProviderError(
                "No face was found to pixelate. Paint over the area with the mask instead.",
                permanent=True,
                code="no_face_found",
                provider="offline",
            )
        region = (region > 0.05).astype(np.float32)
    block = max(6, min(h, w) // (20 if region is not None else 48))
    small = cv2.resize(rgb, (max(1, w // block), max(1, h // block)), interpolation=cv2.INTER_AREA)
    mosaic = cv2.resize(small, (w, h), interpolation=cv2.INTER_NEAREST)
    if region is None:
        return mosaic
    region = region[..., None]
    return (rgb * (1 - region) + mosaic * region + 0.5).astype(np.uint8)


def smooth_skin(rgb: np.ndarray, amount: float = 1.0) -> np.ndarray:
    """Bilateral smoothing limited to skin tones (and faces where they are found)."""
    ycrcb = cv2.cvtColor(rgb, cv2.COLOR_RGB2YCrCb)
    skin = cv2.inRange(ycrcb, (40, 135, 80), (250, 175, 130)).astype(np.float32) / 255.0
    skin = cv2.GaussianBlur(skin, (0, 0), max(1.5, min(rgb.shape[:2]) / 300))
    faces = face_region(rgb)
    if faces is not None:
        skin = np.maximum(skin * 0.5, skin * faces)
    diameter = max(5, min(rgb.shape[:2]) // 90)
    smooth = cv2.bilateralFilter(rgb, diameter, 25 + 15 * amount, diameter * 1.5)
    weight = (np.clip(skin * 0.85 * min(amount, 1.5), 0, 1))[..., None]
    return (rgb * (1 - weight) + smooth * weight + 0.5).astype(np.uint8)


def glitch(rgb: np.ndarray, amount: float = 1.0, seed: int = 11) -> np.ndarray:
    """Digital glitch: red and blue channels pulled apart, displaced bands, scan lines."""
    h, w = rgb.shape[:2]
    shift = max(2, int(w * 0.006 * amount))
    out = rgb.copy()
    out[..., 0] = np.roll(rgb[..., 0], shift, axis=1)
    out[..., 2] = np.roll(rgb[..., 2], -shift, axis=1)
    rng = np.random.default_rng(seed)
    for _ in range(int(6 * amount) + 2):
        top = int(rng.integers(0, h))
        band = int(rng.integers(max(2, h // 80), max(3, h // 25)))
        out[top : top + band] = np.roll(
            out[top : top + band], int(rng.integers(-w // 20, w // 20 + 1)), axis=1
        )
    step = max(2, h // 240)
    out[:: step * 2] = (out[:: step * 2].astype(np.float32) * 0.82).astype(np.uint8)
    return out
