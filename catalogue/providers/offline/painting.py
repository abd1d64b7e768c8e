"""Painted looks that keep the photo: watercolour, oil paint, cartoon, and colour preservation
for the neural styles.

All are classical image processing on the photo itself, so its colours, light and faces stay
(a neural style network repaints them in the colours of the painting it learnt from):

* ``watercolour``: flat washes (edge-preserving smoothing at half size), transparent pigment on
  white paper, darker "wet edges" where a wash dries at its border, pigment density varied by
  low-frequency turbulence (blooms) and by the paper's grain (granulation), after Curtis et
  al. 1997 and Bousseau et al. 2006; a fine pencil line keeps the drawing.
* ``oil_paint``: a generalised Kuwahara filter (the flattest of eight sectors around each
  pixel wins) gives brush-sized patches with sharp borders; an impasto relief is lit from the
  upper left.
* ``cartoon``: repeated bilateral smoothing, colours quantised in Lab (lightness in steps,
  chroma kept), and clean outlines from a thresholded difference of Gaussians on the smoothed
  lightness, so fur and wood grain do not turn into specks.
* ``keep_colours``: the style's lightness with the photo's chroma (Lab), the colour-preserving
  transfer of Gatys et al. 2016: the style's lightness is matched to the photo's mean and spread
  first, so skin stays skin and the night stays night.

Each works at most ``WORK`` px on the long side and is scaled back, so a 2,048 px photo stays
within the editor's time and memory budget.
"""

from __future__ import annotations

import cv2
import numpy as np

WORK = 1024


def _work(rgb: np.ndarray, longest: int = WORK) -> np.ndarray:
    h, w = rgb.shape[:2]
    scale = min(1.0, longest / max(h, w))
    if scale >= 1.0:
        return rgb
    return cv2.resize(rgb, (round(w * scale), round(h * scale)), interpolation=cv2.INTER_AREA)


def _back(out: np.ndarray, like: np.ndarray) -> np.ndarray:
    h, w = like.shape[:2]
    if out.shape[:2] == (h, w):
        return out
    return cv2.resize(out, (w, h), interpolation=cv2.INTER_CUBIC)


def _noise(shape: tuple[int, int], sigma: float, seed: int) -> np.ndarray:
    """Smooth noise in -1..1 with features about ``sigma`` px across."""
    h, w = shape
    step = max(1.0, sigma / 2)
    small = np.random.default_rng(seed).standard_normal(
        (max(2, int(h / step) + 2), max(2, int(w / step) + 2))
    )
    small = cv2.GaussianBlur(small.astype(np.float32), (0, 0), 0.7)  # blurred small: cheap
    field = cv2.resize(small, (w, h), interpolation=cv2.INTER_CUBIC)
    return field / max(float(np.abs(field).max()), 1e-6)


def keep_colours(photo: np.ndarray, styled: np.ndarray) -> np.ndarray:
    """``styled``'s lightness (matched to the photo's) with ``photo``'s chroma; same size."""
    lab_p = cv2.cvtColor(photo, cv2.COLOR_RGB2LAB).astype(np.float32)
    lab_s = cv2.cvtColor(styled, cv2.COLOR_RGB2LAB).astype(np.float32)
    light_p, light_s = lab_p[..., 0], lab_s[..., 0]
    spread = float(light_p.std()) / max(float(light_s.std()), 1.0)
    lab_p[..., 0] = (light_s - float(light_s.mean())) * spread + float(light_p.mean())
    return cv2.cvtColor(np.clip(lab_p + 0.5, 0, 255).astype(np.uint8), cv2.COLOR_LAB2RGB)


def _dog_lines(light: np.ndarray, sigma: float, keep: float) -> np.ndarray:
    """Dark-side edges of ``light`` (float 0..1) as 0..1 line strength (XDoG-like)."""
    fine = cv2.GaussianBlur(light, (0, 0), sigma)
    wide = cv2.GaussianBlur(light, (0, 0), sigma * 1.6)
    edge = wide - fine
    strong = max(float(np.percentile(edge, 99)), 0.015)
    return np.clip((edge - keep * strong) / ((1 - keep) * strong), 0, 1)


def watercolour(rgb: np.ndarray, seed: int = 5) -> np.ndarray:
    work = _work(rgb)
    h, w = work.shape[:2]
    side = min(h, w)
    # washes: mean shift at half size (flat areas of one colour), bled a little at their edges
    half = cv2.resize(work, (max(32, w // 2), max(32, h // 2)), interpolation=cv2.INTER_AREA)
    half = cv2.cvtColor(half, cv2.COLOR_RGB2BGR)
    for _ in range(2):  # recursive edge-preserving smoothing: ten times faster than mean shift
        half = cv2.edgePreservingFilter(half, flags=cv2.RECURS_FILTER, sigma_s=40, sigma_r=0.35)
    half = cv2.medianBlur(half, 5)
    washes = cv2.resize(half, (w, h), interpolation=cv2.INTER_LINEAR)
    bleed = _noise((h, w), side / 40, seed + 4)
    washes = cv2.GaussianBlur(washes, (0, 0), max(1.0, side / 300))
    colour = cv2.cvtColor(washes, cv2.COLOR_BGR2RGB).astype(np.float32) / 255.0
    # transparent pigment on white paper: lighter, a little more saturated, highlights left
    # as bare paper
    grey = colour.mean(axis=2, keepdims=True)
    colour = np.clip(grey + 1.2 * (colour - grey), 0, 1)
    lift = 0.4 * float(grey.mean())  # a night scene is painted dark, a day scene thin and light
    colour = 1 - (1 - colour) * (1 - lift + 0.08 * bleed[..., None])
    colour = np.where(grey > 0.8, colour + (1 - colour) * np.clip((grey - 0.8) * 4, 0, 1), colour)
    # pigment density: wet edges at wash borders, blooms, and paper granulation
    light = cv2.cvtColor(washes, cv2.COLOR_BGR2GRAY).astype(np.float32) / 255.0
    gx = cv2.Sobel(light, cv2.CV_32F, 1, 0, ksize=3)
    gy = cv2.Sobel(light, cv2.CV_32F, 0, 1, ksize=3)
    border = np.sqrt(gx * gx + gy * gy)
    border = cv2.GaussianBlur(border, (0, 0), max(0.8, side / 600))
    border = np.clip(border / max(float(np.percentile(border, 98)), 1e-3), 0, 1)
    blooms = _noise((h, w), side / 6, seed) * 0.12 + _noise((h, w), side / 25, seed + 1) * 0.06
    grain = _noise((h, w), 1.6, seed + 2) * 0.2 + _noise((h, w), 5.0, seed + 5) * 0.1
    density = 1 + 1.1 * border + blooms + grain
    colour = colour - (colour - colour * colour) * (density[..., None] - 1)  # Bousseau 2006
    # a light pencil drawing under the washes keeps eyes and outlines readable
    original = cv2.cvtColor(work, cv2.COLOR_RGB2GRAY).astype(np.float32) / 255.0
    smooth = cv2.bilateralFilter(original, 7, 0.1, max(3.0, side / 150))
    lines = _dog_lines(smooth, max(0.8, side / 500), 0.3)
    colour *= (1 - 0.3 * lines)[..., None]
    paper = 1 + _noise((h, w), 1.2, seed + 3)[..., None] * 0.015
    out = np.clip(colour * paper, 0, 1)
    return _back((out * 255 + 0.5).astype(np.uint8), rgb)


def _kuwahara(image: np.ndarray, radius: int) -> np.ndarray:
    """Generalised Kuwahara with eight sectors (box-filtered half-planes and quadrants)."""
    img = image.astype(np.float32)
    lum = img.mean(axis=2)
    r = radius
    k = 2 * r + 1
    best_var = None
    best_mean = None
    # sector windows: four quadrants and four half-planes, each a shifted box
    windows = [
        ((r + 1, r + 1), (r, r)),
        ((r + 1, r + 1), (0, r)),
        ((r + 1, r + 1), (r, 0)),
        ((r + 1, r + 1), (0, 0)),
        ((r + 1, k), (r, 0)),
        ((r + 1, k), (0, 0)),
        ((k, r + 1), (0, r)),
        ((k, r + 1), (0, 0)),
    ]
    sq = lum * lum
    for (kh, kw), (ay, ax) in windows:
        anchor = (ax, ay)
        mean = cv2.boxFilter(img, -1, (kw, kh), anchor=anchor, borderType=cv2.BORDER_REFLECT)
        m1 = cv2.boxFilter(lum, -1, (kw, kh), anchor=anchor, borderType=cv2.BORDER_REFLECT)
        m2 = cv2.boxFilter(sq, -1, (kw, kh), anchor=anchor, borderType=cv2.BORDER_REFLECT)
        var = m2 - m1 * m1
        if best_var is None:
            best_var, best_mean = var, mean
        else:
            take = var < best_var
            best_var = np.where(take, var, best_var)
            best_mean = np.where(take[..., None], mean, best_mean)
    assert best_mean is not None, "at least one window"
    return best_mean


def oil_paint(rgb: np.ndarray, seed: int = 9) -> np.ndarray:
    work = _work(rgb)
    h, w = work.shape[:2]
    side = min(h, w)
    radius = max(2, side // 110)
    smooth = cv2.bilateralFilter(work, 7, 30, 5)
    paint = _kuwahara(smooth, radius)
    paint = _kuwahara(paint, max(2, radius // 2))
    paint = np.clip(paint, 0, 255) / 255.0
    grey = paint.mean(axis=2, keepdims=True)
    paint = np.clip(grey + 1.2 * (paint - grey), 0, 1)  # oil colours are rich
    # impasto: strokes as a height field (paint lightness plus brush-sized noise smeared
    # along the paint's edges), lit from the upper left
    light = paint.mean(axis=2).astype(np.float32)
    bristles = _noise((h, w), max(1.5, radius * 0.8), seed)
    height = cv2.GaussianBlur(light, (0, 0), radius * 0.6) * 0.6 + bristles * 0.25
    gx = cv2.Sobel(height, cv2.CV_32F, 1, 0, ksize=3)
    gy = cv2.Sobel(height, cv2.CV_32F, 0, 1, ksize=3)
    shade = -(gx + gy) * 0.7
    shade = np.clip(shade / max(float(np.percentile(np.abs(shade), 99)), 1e-4), -1, 1)
    out = np.clip(paint * (1 + 0.12 * shade[..., None]), 0, 1)
    return _back((out * 255 + 0.5).astype(np.uint8), rgb)


def cartoon(rgb: np.ndarray, colours: int = 16) -> np.ndarray:
    work = _work(rgb)
    h, w = work.shape[:2]
    side = min(h, w)
    small = cv2.resize(work, (max(32, w // 2), max(32, h // 2)), interpolation=cv2.INTER_AREA)
    for _ in range(4):
        small = cv2.bilateralFilter(small, 9, 40, 7)
    smooth = cv2.resize(small, (w, h), interpolation=cv2.INTER_LINEAR)
    smooth = cv2.medianBlur(smooth, max(3, (side // 200) | 1))
    # a palette of flat colours (k-means in Lab on a sample), each region cleaned of specks
    lab = cv2.cvtColor(smooth, cv2.COLOR_RGB2LAB)
    weight = np.array([1.0, 2.5, 2.5], np.float32)  # hue differences count: skin is not grey
    pixels = lab.reshape(-1, 3).astype(np.float32) * weight
    rng = np.random.default_rng(3)
    sample = pixels[rng.choice(len(pixels), min(len(pixels), 20000), replace=False)]
    criteria = (cv2.TERM_CRITERIA_EPS + cv2.TERM_CRITERIA_MAX_ITER, 20, 1.0)
    colours = min(colours, len(sample))  # a photo of a few pixels has fewer to choose from
    _, _, centres = cv2.kmeans(sample, colours, None, criteria, 2, cv2.KMEANS_PP_CENTERS)
    labels = np.empty(len(pixels), np.uint8)
    for start in range(0, len(pixels), 262144):  # bounded memory for big photos
        chunk = pixels[start : start + 262144]
        labels[start : start + len(chunk)] = (
            ((chunk[:, None] - centres[None]) ** 2).sum(2).argmin(1)
        )
    labels = cv2.medianBlur(labels.reshape(h, w), max(3, (side // 120) | 1))
    centres = centres / weight
    centres[:, 1:] = (centres[:, 1:] - 128) * 1.2 + 128  # slightly stronger colours
    palette = np.clip(centres + 0.5, 0, 255).astype(np.uint8)
    flat = cv2.cvtColor(palette[labels], cv2.COLOR_LAB2RGB)
    grey = cv2.cvtColor(smooth, cv2.COLOR_RGB2GRAY).astype(np.float32) / 255.0
    lines = _dog_lines(grey, max(1.0, side / 400), 0.2)
    lines = (lines > 0.3).astype(np.uint8)
    lines = cv2.morphologyEx(lines, cv2.MORPH_OPEN, np.ones((2, 2), np.uint8))  # drop specks
    _, parts, stats, _ = cv2.connectedComponentsWithStats(lines, connectivity=8)
    keep = stats[:, cv2.CC_STAT_AREA] >= max(10, side // 40)
    keep[0] = False
    lines = keep[parts].astype(np.float32)
    lines = cv2.GaussianBlur(lines, (0, 0), 0.7)
    out = flat.astype(np.float32) * (1 - 0.9 * np.clip(lines, 0, 1))[..., None]
    return _back(np.clip(out + 0.5, 0, 255).astype(np.uint8), rgb)
