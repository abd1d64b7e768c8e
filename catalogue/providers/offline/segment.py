"""The subject matte: U-2-Net-p's saliency, made decisive and fitted to the photo's edges.

1. U-2-Net-p runs once at its native 320x320 (ImageNet normalisation, first output).
2. At a working size of at most ``WORK`` px: the solid subject is where the network says more
   than 0.5; components smaller than ``ISLAND`` of the largest are dropped (a faint flag
   beside a person), small enclosed holes are filled. From that a trimap: sure foreground deep
   inside, sure background where the network is sure or far from the subject, unknown between.
3. Closed-form matting (:mod:`.matting`) decides the unknown pixels from the photo's colours,
   so a semi-transparent patch inside the subject becomes solid where its colours belong to
   the subject; islands and holes are cleaned once more. Before that, openings through which
   the background shows (:mod:`.openings`: inside a wheel, a frame) become background, their
   rims unknown, so the matting keeps the spokes and leaves the grass; parts beside the core
   that the network is fairly sure of as a whole (a camera against the sky) become subject.
4. The alpha is brought to full size with a colour guided filter (coefficients at the working
   size, applied per pixel at full size), so edges follow the full-size photo, not a blocky
   upsampling. Only the edge band is computed at full size.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict

import cv2
import numpy as np

from ..base import ProviderError
from . import lines, matting, models, openings

MODEL_SIZE = 320
WORK = 448  # the trimap and the matting run at most this big (long side)
ISLAND = 0.05  # parts smaller than this share of the largest part are not the subject
SOLID, SURE, UNSURE = 0.5, 0.8, 0.05  # saliency levels: subject, sure subject, sure background
BAND = 12  # the unknown band reaches 1/BAND of the working size around the core
HOLE = 0.01  # enclosed holes smaller than this share of the subject are filled
CACHE_SIZE = 2  # recent mattes, so trying several backgrounds on one photo segments it once
MEAN = np.array([0.485, 0.456, 0.406], np.float32)
STD = np.array([0.229, 0.224, 0.225], np.float32)
_cache: OrderedDict[str, np.ndarray] = OrderedDict()
_cache_lock = threading.Lock()
_KERNEL = np.ones((3, 3), np.uint8)
_ELLIPSE = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (7, 7))
# Thin parts leaving the subject (working pixels, saliency levels): how far their ridge
# rises above its surroundings, their least length, their most area per unit of length, and
# the least mean saliency
STRAND_RISE, STRAND_LENGTH, STRAND_WIDTH, STRAND_SURE = 0.06, 12, 10, 0.4
# Parts of the solid subject outside the core that join it: their least area (working
# pixels), their most area (share of the core) and their least mean saliency
CONFIDENT_LEAST, CONFIDENT_MOST, CONFIDENT = 30, 0.05, 0.62


def saliency(rgb: np.ndarray) -> np.ndarray:
    """U-2-Net-p's saliency at 320x320, min-max normalised to 0..1 (float32)."""
    small = cv2.resize(rgb, (MODEL_SIZE, MODEL_SIZE), interpolation=cv2.INTER_AREA)
    x = small.astype(np.float32) / max(float(small.max()), 1.0)
    x = ((x - MEAN) / STD).transpose(2, 0, 1)[None]
    sess = models.session("u2netp")
    pred = sess.run(None, {sess.get_inputs()[0].name: np.ascontiguousarray(x)})[0][0, 0]
    lo, hi = float(pred.min()), float(pred.max())
    return ((pred - lo) / (hi - lo) if hi - lo > 1e-6 else np.zeros_like(pred)).astype(np.float32)


def main_parts(binary: np.ndarray, share: float = ISLAND) -> np.ndarray:
    """The connected parts at least ``share`` of the largest one (bool)."""
    count, labels, stats, _ = cv2.connectedComponentsWithStats(
        binary.astype(np.uint8), 8, cv2.CV_32S
    )
    if count <= 1:
        return np.zeros(binary.shape, bool)
    areas = stats[1:, cv2.CC_STAT_AREA]
    keep = np.zeros(count, bool)
    keep[1:] = areas >= share * areas.max()
    return keep[labels]


def fill_holes(binary: np.ndarray, share: float = HOLE) -> np.ndarray:
    """Fill enclosed background holes smaller than ``share`` of the subject's area."""
    _, labels, stats, _ = cv2.connectedComponentsWithStats(
        (~binary).astype(np.uint8), 4, cv2.CV_32S
    )
    h, w = binary.shape
    x, y, bw, bh, area = (stats[:, i] for i in range(5))
    enclosed = (x > 0) & (y > 0) & (x + bw < w) & (y + bh < h)
    small = area <= share * max(int(binary.sum()), 1)
    fill = enclosed & small
    fill[0] = False
    return binary | fill[labels]


def _band(shape: tuple[int, ...]) -> int:
    """How far (working pixels) the unknown band reaches around the core."""
    return max(3, max(shape) // BAND)


def trimap(p: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(trimap: 0 background, 1 foreground, 0.5 unknown; the confident core) from saliency.

    The unknown band is a narrow strip around the confident core (the network above
    ``SURE``), so a patch the network is half sure of, away from the core (a flag beside a
    person, the floor through a wheel), is background, not a semi-transparent ghost."""
    solid = fill_holes(main_parts(p > SOLID))
    core = fill_holes(main_parts(solid & (p > SURE)))
    if not core.any():
        return np.zeros_like(p), core
    near = cv2.dilate(core.astype(np.uint8), _KERNEL, iterations=_band(p.shape)) > 0
    inside = cv2.erode(core.astype(np.uint8), _KERNEL, iterations=2) > 0
    tri = np.zeros(p.shape, np.float32)
    tri[near & (p > UNSURE)] = 0.5
    tri[inside] = 1.0
    return tri, core


def background_around(tri: np.ndarray, solid: np.ndarray) -> np.ndarray:
    """The sure background within the unknown band's reach of the solid subject (bool)."""
    near = cv2.dilate(solid.astype(np.uint8), _KERNEL, iterations=_band(tri.shape)) > 0
    return near & (tri == 0)


def _guided(guide: np.ndarray, src: np.ndarray, radius: int, eps: float):
    """He's guided filter with a colour guide: per-pixel coefficients (a: H x W x 3, b)."""
    size = (2 * radius + 1, 2 * radius + 1)

    def box(x):
        return cv2.boxFilter(x, -1, size, borderType=cv2.BORDER_REFLECT)

    mean_i, mean_p = cv2.split(box(guide)), box(src)
    cov = matting.covariance(guide, mean_i, box)
    for i in range(3):
        cov[i, i] = cov[i, i] + eps
    guide_p = cv2.split(box(guide * src[..., None]))
    a = matting.apply(
        matting.symmetric_inverse(cov), [guide_p[c] - mean_i[c] * mean_p for c in range(3)]
    )
    b = mean_p - a[0] * mean_i[0] - a[1] * mean_i[1] - a[2] * mean_i[2]
    return box(cv2.merge(a)), box(b)


def refine(rgb: np.ndarray, pred: np.ndarray) -> np.ndarray:
    """Alpha (uint8, full size) from the network's saliency ``pred`` (any size)."""
    h, w = rgb.shape[:2]
    scale = min(1.0, WORK / max(h, w))
    size = (max(1, round(w * scale)), max(1, round(h * scale)))
    small = cv2.resize(rgb, size, interpolation=cv2.INTER_AREA) if scale < 1 else rgb
    image = small.astype(np.float32) / 255.0
    p = cv2.resize(pred, size, interpolation=cv2.INTER_LINEAR)
    tri, core = trimap(p)
    if core.sum() < 0.002 * p.size:
        raise _no_subject()
    opened = openings.openings(small, core, background_around(tri, core))
    if opened.any():
        rims = cv2.dilate(opened.astype(np.uint8), _KERNEL, iterations=2) > 0
        tri[rims & (tri > 0)] = 0.5
        tri[cv2.erode(opened.astype(np.uint8), _KERNEL) > 0] = 0.0
    # after the openings: these parts have the background's colours (a camera against the
    # sky), so they would be opened as holes
    confident = confident_parts(p, core, opened)
    if confident.any():
        tri[(cv2.dilate(confident.astype(np.uint8), _KERNEL, iterations=3) > 0) & (tri == 0)] = 0.5
        tri[cv2.erode(confident.astype(np.uint8), _KERNEL, iterations=2) > 0] = 1.0
        core = core | confident
    alpha = matting.solve(image, tri, np.clip((p - 0.1) / 0.8, 0, 1))
    keep = fill_holes(main_parts(alpha > 0.5) & (cv2.dilate(core.astype(np.uint8), _KERNEL) > 0))
    keep = cv2.dilate(keep.astype(np.uint8), _KERNEL, iterations=2) > 0
    keep &= ~opened
    alpha = np.where(keep, alpha, 0.0).astype(np.float32)
    alpha[fill_holes(alpha > 0.5) & (alpha <= 0.5) & ~opened] = 1.0
    # strands are sought leaving the subject without the confident parts, as before those
    # joined it (the whip of the horse on bricks is kept: thin lines 0.70, not 0.62)
    thin = strands(p, (alpha > 0.5) & ~confident) & ~opened
    # the network's confidence as their alpha; the guided filter below then follows their
    # edges in the photo
    alpha[thin] = np.maximum(alpha[thin], np.clip((p[thin] - 0.2) / 0.5, 0, 1))
    a, b = _guided(image, alpha, max(1, round(max(size) / 256)), 1e-4)
    out = _upsample(rgb, alpha, a, b)
    if cv2.countNonZero((out > 127).astype(np.uint8)) < 0.002 * out.size:
        raise _no_subject()  # nothing left once cleaned (a photo of a few pixels)
    return out


def _no_subject() -> ProviderError:
    return ProviderError(
        "No clear main subject was found to separate from the background.",
        permanent=True,
        code="no_subject",
        provider="offline",
    )


def confident_parts(p: np.ndarray, core: np.ndarray, opened: np.ndarray) -> np.ndarray:
    """Parts of the solid subject beside the core that the network is fairly sure of as a
    whole, though under ``SURE`` (bool): the cameraman's camera (its mean saliency 0.67),
    the motorcycle's headlight (0.66), the cat's chin (0.66). Without them such a part was
    background whatever the matting said. A flag's strip beside the astronaut (0.58) and the
    cat's white chest (0.61) stay out; so do parts that do not touch the core, and large
    ones (over ``CONFIDENT_MOST`` of the core: grey background between coins, 0.63), where
    being wrong would add a patch of background rather than lose a part."""
    solid = fill_holes(main_parts(p > SOLID))
    beside = cv2.dilate(core.astype(np.uint8), _KERNEL, iterations=3)
    count, labels, stats, _ = cv2.connectedComponentsWithStats(
        (solid & (beside == 0) & ~opened).astype(np.uint8), 8, cv2.CV_32S
    )
    area = stats[:, cv2.CC_STAT_AREA]
    mean = np.bincount(labels.ravel(), p.ravel(), count) / np.maximum(area, 1)
    touching = np.zeros(count, bool)
    touching[labels[cv2.dilate(beside, _KERNEL) > 0]] = True  # one pixel past the ring
    small = area <= CONFIDENT_MOST * max(int(core.sum()), 1)
    add = (area >= CONFIDENT_LEAST) & small & (mean >= CONFIDENT) & touching
    add[0] = False
    return add[labels]


def strands(p: np.ndarray, subject: np.ndarray) -> np.ndarray:
    """Thin parts the network saw leaving the subject (a tripod's leg, a kickstand, whiskers)
    that the matting gave up (bool, working size): ridges of the saliency (above its opening
    by a small ellipse) that touch the subject, are long and thin, and that the network is
    fairly sure of on average (a shadow on the floor or a smudge is not)."""
    ridge = (p - cv2.morphologyEx(p, cv2.MORPH_OPEN, _ELLIPSE)) > STRAND_RISE
    ridge &= (p > UNSURE * 2) & ~subject
    count, labels, stats, _ = cv2.connectedComponentsWithStats(
        ridge.astype(np.uint8), 8, cv2.CV_32S
    )
    touching = cv2.dilate(subject.astype(np.uint8), _KERNEL, iterations=2) > 0
    ids = np.unique(labels[touching & ridge])
    ids = ids[ids > 0]
    if not len(ids):
        return np.zeros_like(ridge)
    area = stats[:, cv2.CC_STAT_AREA]
    length = np.maximum(stats[ids, cv2.CC_STAT_WIDTH], stats[ids, cv2.CC_STAT_HEIGHT])
    mean = np.bincount(labels.ravel(), p.ravel(), count) / np.maximum(area, 1)
    # area per unit of the long side: a diagonal line's is its width times 1.4
    thin = (length >= STRAND_LENGTH) & (area[ids] <= STRAND_WIDTH * length)
    return np.isin(labels, ids[thin & (mean[ids] >= STRAND_SURE)])


def _upsample(rgb: np.ndarray, alpha: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Full-size uint8 alpha: guided-filter coefficients applied per pixel, in the edge band."""
    h, w = rgb.shape[:2]
    band = cv2.dilate(((alpha > 0.01) & (alpha < 0.99)).astype(np.uint8), _KERNEL)
    small = (np.clip(alpha, 0, 1) * 255 + 0.5).astype(np.uint8)
    out = cv2.resize(small, (w, h), interpolation=cv2.INTER_LINEAR)
    if not band.any():
        return out
    ys, xs = nonzero(cv2.resize(band, (w, h), interpolation=cv2.INTER_NEAREST))
    sx, sy = alpha.shape[1] / w, alpha.shape[0] / h
    # sample the coefficient planes at the band's pixels (bilinear), without full-size copies
    coeff = sample(np.dstack([a, b[..., None]]), (xs + 0.5) * sx - 0.5, (ys + 0.5) * sy - 0.5)
    pixels = rgb[ys, xs].astype(np.float32) / 255.0
    value = (coeff[:, :3] * pixels).sum(1) + coeff[:, 3]
    value = np.clip((value - 0.02) / 0.96, 0, 1)
    out[ys, xs] = (value * 255 + 0.5).astype(np.uint8)
    return out


def nonzero(mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(rows, cols) of the non-zero pixels of a uint8 mask (faster than ``np.nonzero``)."""
    points = cv2.findNonZero(mask)
    if points is None:
        return np.zeros(0, np.intp), np.zeros(0, np.intp)
    return points[:, 0, 1], points[:, 0, 0]


def sample(planes: np.ndarray, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Bilinear samples of ``planes`` (H x W x C) at points (x, y): N x C."""
    n, row = len(x), 1024
    rows = -(-n // row)
    map_x = np.zeros(rows * row, np.float32)
    map_y = np.zeros(rows * row, np.float32)
    map_x[:n], map_y[:n] = x, y
    out = cv2.remap(
        planes,
        map_x.reshape(rows, row),
        map_y.reshape(rows, row),
        cv2.INTER_LINEAR,
        borderMode=cv2.BORDER_REPLICATE,
    )
    return out.reshape(rows * row, -1)[:n]


def subject_matte(rgb: np.ndarray) -> np.ndarray:
    """Alpha (uint8, H x W): 255 on the main subject, 0 on the background."""
    key = hashlib.blake2b(np.ascontiguousarray(rgb).data, digest_size=16).hexdigest()
    key += f"{rgb.shape}"
    with _cache_lock:
        if key in _cache:
            _cache.move_to_end(key)
            return _cache[key].copy()
    alpha = lines.add(rgb, refine(rgb, saliency(rgb)))
    with _cache_lock:
        _cache[key] = alpha
        while len(_cache) > CACHE_SIZE:
            _cache.popitem(last=False)
    return alpha.copy()
