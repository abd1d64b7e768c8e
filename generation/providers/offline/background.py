"""Subject segmentation with U-2-Net-p (ONNX) and background removal or replacement.

The matte: U-2-Net-p at 320x320 (ImageNet normalisation, first output, min-max normalised),
resized back, then refined: a contrast curve drops haze, specks away from the subject are
dropped, and a guided filter snaps the edges to the photo's own edges. Composites use an
estimated foreground colour at the edges (blur-fusion) so the old background does not fringe.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict

import cv2
import numpy as np
from PIL import Image

from ..base import ProviderError
from . import models

MODEL_SIZE = 320
CACHE_SIZE = 4  # recent mattes, so trying several backgrounds on one photo segments it once
_cache: OrderedDict[str, np.ndarray] = OrderedDict()
_cache_lock = threading.Lock()
MEAN = np.array([0.485, 0.456, 0.406], np.float32)
STD = np.array([0.229, 0.224, 0.225], np.float32)


def _predict(rgb: np.ndarray) -> np.ndarray:
    """Raw saliency from 0 to 1 at the photo's size."""
    small = np.asarray(
        Image.fromarray(rgb).resize((MODEL_SIZE, MODEL_SIZE), Image.LANCZOS), np.float32
    )
    small = small / max(float(small.max()), 1.0)
    x = ((small - MEAN) / STD).transpose(2, 0, 1)[None].astype(np.float32)
    sess = models.session("u2netp")
    pred = sess.run(None, {sess.get_inputs()[0].name: x})[0][0, 0]
    lo, hi = float(pred.min()), float(pred.max())
    pred = (pred - lo) / (hi - lo) if hi - lo > 1e-6 else np.zeros_like(pred)
    h, w = rgb.shape[:2]
    return cv2.resize(pred.astype(np.float32), (w, h), interpolation=cv2.INTER_CUBIC).clip(0, 1)


def _guided_filter(guide: np.ndarray, src: np.ndarray, radius: int, eps: float) -> np.ndarray:
    """He et al.'s guided filter with a grey guide (box filters, linear time)."""
    size = (2 * radius + 1, 2 * radius + 1)

    def box(a):
        return cv2.boxFilter(a, -1, size, borderType=cv2.BORDER_REFLECT)

    mean_i, mean_p = box(guide), box(src)
    cov_ip = box(guide * src) - mean_i * mean_p
    var_i = box(guide * guide) - mean_i * mean_i
    a = cov_ip / (var_i + eps)
    b = mean_p - a * mean_i
    return box(a) * guide + box(b)


def subject_matte(rgb: np.ndarray) -> np.ndarray:
    """Alpha from 0 to 1 (float32, H x W): 1 on the main subject, 0 on the background."""
    key = hashlib.blake2b(np.ascontiguousarray(rgb).data, digest_size=16).hexdigest()
    key += f"{rgb.shape}"
    with _cache_lock:
        if key in _cache:
            _cache.move_to_end(key)
            return _cache[key].astype(np.float32)
    alpha = _matte(rgb)
    with _cache_lock:
        _cache[key] = alpha.astype(np.float16)
        while len(_cache) > CACHE_SIZE:
            _cache.popitem(last=False)
    return alpha


def _matte(rgb: np.ndarray) -> np.ndarray:
    h, w = rgb.shape[:2]
    alpha = np.clip((_predict(rgb) - 0.1) / 0.8, 0, 1)
    solid = (alpha > 0.5).astype(np.uint8)
    if solid.sum() < 0.002 * h * w:
        raise ProviderError(
            "No clear main subject was found to separate from the background.",
            permanent=True,
            code="no_subject",
            provider="offline",
        )
    count, labels, stats, _ = cv2.connectedComponentsWithStats(solid, connectivity=8)
    areas = stats[1:, cv2.CC_STAT_AREA]
    keep = np.zeros(count, bool)
    keep[1:] = areas >= 0.05 * areas.max()
    near = cv2.dilate(
        keep[labels].astype(np.uint8),
        np.ones((3, 3), np.uint8),
        iterations=max(2, min(h, w) // 100),
    )
    alpha *= near
    gray = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY).astype(np.float32) / 255.0
    refined = _guided_filter(gray, alpha.astype(np.float32), max(2, min(h, w) // 160), 1e-3)
    # Trust the network well inside and far outside; let the filter decide near edges.
    edge = (alpha > 0.02) & (alpha < 0.98)
    edge = cv2.dilate(edge.astype(np.uint8), np.ones((3, 3), np.uint8), iterations=2) > 0
    alpha = np.where(edge, refined, alpha)
    return np.clip((alpha - 0.04) / 0.92, 0, 1).astype(np.float32)  # no faint haze around it


def _blur_fusion(image, fg, bg, alpha, radius):
    size = (radius, radius)
    blurred_alpha = cv2.blur(alpha, size)[..., None]
    blurred_f = cv2.blur(fg * alpha[..., None], size) / (blurred_alpha + 1e-5)
    blurred_b = cv2.blur(bg * (1 - alpha[..., None]), size) / ((1 - blurred_alpha) + 1e-5)
    a = alpha[..., None]
    fg = blurred_f + a * (image - a * blurred_f - (1 - a) * blurred_b)
    return np.clip(fg, 0, 1), blurred_b


def foreground(rgb: np.ndarray, alpha: np.ndarray) -> np.ndarray:
    """Foreground colour without the old background mixed into the edges (float 0..1)."""
    image = rgb.astype(np.float32) / 255.0
    big = max(15, min(rgb.shape[:2]) // 12)
    fg, blurred_bg = _blur_fusion(image, image, image, alpha, big)
    fg, _ = _blur_fusion(image, fg, blurred_bg, alpha, 6)
    return np.where(alpha[..., None] > 0.98, image, fg)


def _composite(rgb: np.ndarray, alpha: np.ndarray, background: np.ndarray) -> np.ndarray:
    a = alpha[..., None]
    out = foreground(rgb, alpha) * a + background.astype(np.float32) / 255.0 * (1 - a)
    return (np.clip(out, 0, 1) * 255 + 0.5).astype(np.uint8)


def remove(rgb: np.ndarray, alpha: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(RGB with clean edge colours, alpha uint8) for a transparent PNG."""
    fg = (foreground(rgb, alpha) * 255 + 0.5).astype(np.uint8)
    return fg, (alpha * 255 + 0.5).astype(np.uint8)


def with_colour(rgb: np.ndarray, alpha: np.ndarray, colour: tuple[int, int, int]) -> np.ndarray:
    background = np.empty_like(rgb)
    background[:] = np.array(colour[:3], np.uint8)
    return _composite(rgb, alpha, background)


def _big_blur(image: np.ndarray, sigma: float) -> np.ndarray:
    """A wide Gaussian blur, computed at reduced size (fast for any sigma)."""
    h, w = image.shape[:2]
    k = max(1, int(sigma / 4))
    if k == 1:
        return cv2.GaussianBlur(image, (0, 0), sigma)
    small = cv2.resize(image, (max(1, w // k), max(1, h // k)), interpolation=cv2.INTER_AREA)
    small = cv2.GaussianBlur(small, (0, 0), sigma / k)
    return cv2.resize(small, (w, h), interpolation=cv2.INTER_LINEAR)


def with_blur(rgb: np.ndarray, alpha: np.ndarray, radius: float = 1.0) -> np.ndarray:
    """Blur only the background; the subject is cut out first so it does not halo."""
    sigma = max(2.0, radius * min(rgb.shape[:2]) / 60)
    weight = (1 - alpha) ** 2
    num = _big_blur(rgb.astype(np.float32) * weight[..., None], sigma)
    den = _big_blur(weight, sigma)[..., None]
    plain = _big_blur(rgb.astype(np.float32), sigma)
    blurred = np.where(den > 1e-3, num / np.maximum(den, 1e-3), plain)
    return _composite(rgb, alpha, np.clip(blurred, 0, 255))


def cover(image: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """Scale and centre-crop an image to fill ``size`` (width, height)."""
    w, h = size
    ih, iw = image.shape[:2]
    scale = max(w / iw, h / ih)
    nw, nh = max(w, round(iw * scale)), max(h, round(ih * scale))
    resized = np.asarray(Image.fromarray(image).resize((nw, nh), Image.LANCZOS))
    top, left = (nh - h) // 2, (nw - w) // 2
    return resized[top : top + h, left : left + w]


def with_image(rgb: np.ndarray, alpha: np.ndarray, background: np.ndarray) -> np.ndarray:
    h, w = rgb.shape[:2]
    return _composite(rgb, alpha, cover(background[..., :3], (w, h)))
