"""Background removal and replacement over a subject matte (see :mod:`.segment`).

Only the edge band (0 < alpha < 255) is computed in floating point. There the subject's own
colour is estimated so the old background does not fringe the new one: a smooth foreground
and background estimate (blur-fusion, Forte and Pitié 2021) at the matte's working size, then
per pixel the compositing equation solved for the foreground, ``F = (I - (1 - a) B) / a``,
where the subject dominates, and the smooth estimate where the old background does.
Elsewhere pixels are copied: inside from the photo, outside from the new background.
"""

from __future__ import annotations

import cv2
import numpy as np
from PIL import Image

from .segment import WORK, nonzero, sample, subject_matte

__all__ = ["cover", "remove", "subject_matte", "with_blur", "with_colour", "with_image"]


def _blur_fusion(image, fg, bg, alpha, radius):
    size = (radius, radius)
    blurred_alpha = cv2.blur(alpha, size)[..., None]
    blurred_f = cv2.blur(fg * alpha[..., None], size) / (blurred_alpha + 1e-5)
    blurred_b = cv2.blur(bg * (1 - alpha[..., None]), size) / ((1 - blurred_alpha) + 1e-5)
    a = alpha[..., None]
    fg = blurred_f + a * (image - a * blurred_f - (1 - a) * blurred_b)
    return np.clip(fg, 0, 1), blurred_b


def _estimates(rgb: np.ndarray, alpha: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Smooth foreground and background colours (float32, working size)."""
    h, w = rgb.shape[:2]
    scale = min(1.0, WORK / max(h, w))
    size = (max(1, round(w * scale)), max(1, round(h * scale)))
    image = cv2.resize(rgb, size, interpolation=cv2.INTER_AREA).astype(np.float32) / 255.0
    a = cv2.resize(alpha, size, interpolation=cv2.INTER_AREA).astype(np.float32) / 255.0
    big = max(9, max(size) // 20)
    fg, bg = _blur_fusion(image, image, image, a, big)
    fg, _ = _blur_fusion(image, fg, bg, a, 5)
    return fg, bg


def edge_band(rgb: np.ndarray, alpha: np.ndarray):
    """(rows, cols, alpha 0..1, decontaminated foreground colour 0..1) of the edge band."""
    ys, xs = nonzero(cv2.inRange(alpha, 1, 254))
    if not len(ys):
        return ys, xs, np.zeros(0, np.float32), np.zeros((0, 3), np.float32)
    fg, bg = _estimates(rgb, alpha)
    h, w = rgb.shape[:2]
    sx, sy = fg.shape[1] / w, fg.shape[0] / h
    px, py = (xs + 0.5) * sx - 0.5, (ys + 0.5) * sy - 0.5
    smooth_f, smooth_b = sample(fg, px, py), sample(bg, px, py)
    a = alpha[ys, xs].astype(np.float32)[:, None] / 255.0
    image = rgb[ys, xs].astype(np.float32) / 255.0
    solved = (image - (1 - a) * smooth_b) / np.maximum(a, 0.05)
    trust = np.clip((a - 0.25) / 0.5, 0, 1)
    colour = np.clip(trust * solved + (1 - trust) * smooth_f, 0, 1)
    return ys, xs, a[:, 0], colour


def _composite(rgb: np.ndarray, alpha: np.ndarray, background: np.ndarray) -> np.ndarray:
    out = background if background.flags.writeable else background.copy()
    cv2.copyTo(rgb, cv2.inRange(alpha, 255, 255), out)
    ys, xs, a, colour = edge_band(rgb, alpha)
    if len(ys):
        under = background[ys, xs].astype(np.float32) / 255.0
        mixed = colour * a[:, None] + under * (1 - a[:, None])
        out[ys, xs] = (mixed * 255 + 0.5).astype(np.uint8)
    return out


def remove(rgb: np.ndarray, alpha: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(RGB with clean edge colours, alpha uint8) for a transparent PNG."""
    out = np.zeros_like(rgb)  # fully transparent pixels: no hidden copy of the old background
    cv2.copyTo(rgb, cv2.inRange(alpha, 1, 255), out)
    ys, xs, _, colour = edge_band(rgb, alpha)
    if len(ys):
        out[ys, xs] = (colour * 255 + 0.5).astype(np.uint8)
    return out, alpha


def with_colour(rgb: np.ndarray, alpha: np.ndarray, colour: tuple[int, int, int]) -> np.ndarray:
    background = np.full_like(rgb, np.array(colour[:3], np.uint8))
    return _composite(rgb, alpha, background)


def with_blur(rgb: np.ndarray, alpha: np.ndarray, radius: float = 1.0) -> np.ndarray:
    """Blur only the background; the subject is left out of the blur so it does not halo.

    The blur is wide, so it is computed at reduced size and scaled back up."""
    h, w = rgb.shape[:2]
    sigma = max(2.0, radius * min(h, w) / 60)
    k = max(1, int(sigma / 3))
    size = (max(1, w // k), max(1, h // k))
    small = cv2.resize(rgb, size, interpolation=cv2.INTER_AREA).astype(np.float32)
    weight = (1 - cv2.resize(alpha, size, interpolation=cv2.INTER_AREA) / 255.0) ** 2
    weight = weight.astype(np.float32)
    num = cv2.GaussianBlur(small * weight[..., None], (0, 0), sigma / k)
    den = cv2.GaussianBlur(weight, (0, 0), sigma / k)[..., None]
    plain = cv2.GaussianBlur(small, (0, 0), sigma / k)
    blurred = np.where(den > 1e-3, num / np.maximum(den, 1e-3), plain)
    background = cv2.resize(np.clip(blurred + 0.5, 0, 255).astype(np.uint8), (w, h))
    return _composite(rgb, alpha, background)


def cover(image: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """Scale and centre-crop an image to fill ``size`` (width, height)."""
    w, h = size
    ih, iw = image.shape[:2]
    scale = max(w / iw, h / ih)
    nw, nh = max(w, round(iw * scale)), max(h, round(ih * scale))
    if scale < 1:
        resized = cv2.resize(image, (nw, nh), interpolation=cv2.INTER_AREA)
    else:
        resized = np.asarray(Image.fromarray(image).resize((nw, nh), Image.Resampling.LANCZOS))
    top, left = (nh - h) // 2, (nw - w) // 2
    return np.ascontiguousarray(resized[top : top + h, left : left + w])


def with_image(rgb: np.ndarray, alpha: np.ndarray, background: np.ndarray) -> np.ndarray:
    h, w = rgb.shape[:2]
    return _composite(rgb, alpha, cover(background[..., :3], (w, h)))
