"""Background seen through the subject: the grass inside a bicycle's wheels, the floor between
a chair's legs. U-2-Net-p fills such openings (its saliency there is as high as on the frame),
so they are found by colour: a model of the background just outside the subject against a
model of the subject, a few rounds as GrabCut does. Only regions wider than a thin structure,
whose rim is mostly thin (a wheel, a frame) with background just across it and little thick
subject near, are opened: a dark collar inside a ring, or a grey tripod leg against grey
grass, stay the subject's.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

COMPONENTS = 5  # Gaussians per colour model
SAMPLES = 4000  # pixels each model is fitted on
BIN = 4  # colours this close (8-bit Lab units) are read as one
ROUNDS = 2  # refits of the subject's model on the pixels it keeps
BACKGROUND_MARGIN = 2.0  # log-likelihood ratio above which a pixel is the background's
SMALLEST = 30  # openings smaller than this (working pixels) are left alone,
SMALLEST_SHARE = 0.002  # or than this share of the subject
THIN_SHARE = 0.6  # an opening's rim must be at least this share thin structure
WIDE_SHARE = 0.5  # and at least this share of the opening wider than the thin structure
THICK_SHARE = 0.3  # at most this share of what is around an opening may be thick subject
ACROSS_SHARE = 0.15  # and at least this share of it background (or an opened neighbour)
_KERNEL = np.ones((3, 3), np.uint8)


def _fit(points: np.ndarray, rng: np.random.Generator) -> list[tuple]:
    """A Gaussian mixture (k-means, then each cluster's covariance) of Lab points."""
    if len(points) > SAMPLES:
        points = points[rng.choice(len(points), SAMPLES, replace=False)]
    k = min(COMPONENTS, len(points))
    criteria = (cv2.TERM_CRITERIA_EPS + cv2.TERM_CRITERIA_MAX_ITER, 10, 0.5)
    _, labels, _ = cv2.kmeans(points, k, None, criteria, 1, cv2.KMEANS_PP_CENTERS)
    labels = labels.ravel()
    model = []
    for j in range(k):
        cluster = points[labels == j]
        if len(cluster) < 8:
            continue
        cov = np.cov(cluster.T) + np.eye(3) * 4.0  # no colour is known more finely than this
        whiten = np.linalg.cholesky(np.linalg.inv(cov)).astype(np.float32)
        constant = np.log(len(cluster) / len(points)) - 0.5 * np.log(np.linalg.det(cov))
        model.append((float(constant), cluster.mean(0).astype(np.float32), whiten))
    return model


def _log_likelihood(model: list[tuple], points: np.ndarray) -> np.ndarray:
    out = np.full(len(points), -np.inf, np.float32)
    for constant, mean, whiten in model:
        z = (points - mean) @ whiten
        out = np.logaddexp(out, constant - 0.5 * (z * z).sum(1))
    return out


def _background_like(lab: np.ndarray, solid: np.ndarray, around: np.ndarray) -> np.ndarray:
    """Pixels of ``solid`` whose colour the background around explains better than the
    subject does (bool), after ``ROUNDS`` refits of the subject's model.

    The models are read once per colour, not per pixel, through a table: the colours (8-bit
    Lab) are binned ``BIN`` to a side, finer than any model resolves."""
    rng = np.random.default_rng(0)  # the same photo, the same answer
    side = 256 // BIN
    shifted = lab // BIN
    colour = (shifted[..., 0].astype(np.int32) * side + shifted[..., 1]) * side + shifted[..., 2]
    del shifted
    present = np.unique(colour[solid])
    centres = np.stack([present // side**2, present // side % side, present % side], 1)
    centres = (centres * BIN + (BIN - 1) / 2).astype(np.float32)
    ys, xs = np.nonzero(solid)
    chosen = rng.choice(len(ys), min(len(ys), 8 * SAMPLES), replace=False)
    ys, xs = ys[chosen], xs[chosen]
    sample = lab[ys, xs].astype(np.float32)
    background = _fit(lab[around].astype(np.float32), rng)
    subject = _fit(sample, rng)
    table = np.zeros(side**3, np.float32)
    for _ in range(ROUNDS):  # refit the subject on the colours it keeps
        table[present] = _log_likelihood(background, centres) - _log_likelihood(subject, centres)
        kept = sample[table[colour[ys, xs]] < 0]
        if len(kept) < 50:
            return np.zeros(solid.shape, bool)
        subject = _fit(kept, rng)
    ratio = _log_likelihood(background, centres) - _log_likelihood(subject, centres)
    table[present] = np.clip(ratio, -20, 20)
    plane = np.where(solid, table[colour], 0).astype(np.float32)
    return solid & (cv2.medianBlur(plane, 3) > BACKGROUND_MARGIN)


@dataclass(frozen=True)
class _Planes:
    """What an opening is judged by (bool planes at the working size)."""

    kept: np.ndarray  # the subject without the candidates
    thick: np.ndarray  # the kept subject wider than a thin structure
    wide: np.ndarray  # the candidates wider than a thin structure
    background: np.ndarray  # outside the subject
    reach: np.ndarray  # how far around an opening is looked at (a structuring element)


def _opens(part: np.ndarray, window: tuple[slice, slice], planes: _Planes, opened) -> bool:
    """Whether the candidate ``part`` (within ``window``) is an opening."""
    grown = part.astype(np.uint8)
    rim = (cv2.dilate(grown, _KERNEL, iterations=2) > 0) & planes.kept[window]
    around = (cv2.dilate(grown, planes.reach) > 0) & ~part
    if not rim.any() or not around.any():
        return False
    return bool(
        planes.wide[window][part].mean() >= WIDE_SHARE  # a grey tripod leg is no opening
        and 1 - planes.thick[window][rim].mean() >= THIN_SHARE
        and planes.thick[window][around].mean() <= THICK_SHARE
        and (planes.background[window] | opened[window])[around].mean() >= ACROSS_SHARE
    )


def openings(rgb: np.ndarray, solid: np.ndarray, outside: np.ndarray) -> np.ndarray:
    """The openings in ``solid`` (bool, the working size) through which the background shows.

    ``rgb`` is the photo at the working size, ``outside`` the sure background around the
    subject."""
    if outside.sum() < 100 or solid.sum() < 100:
        return np.zeros(solid.shape, bool)
    lab = cv2.cvtColor(rgb, cv2.COLOR_RGB2LAB)
    candidates = _background_like(lab, solid, outside)
    kept = solid & ~candidates
    radius = max(2, max(solid.shape) // 80)
    disk = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * radius + 1, 2 * radius + 1))
    planes = _Planes(
        kept=kept,
        thick=cv2.morphologyEx(kept.astype(np.uint8), cv2.MORPH_OPEN, disk) > 0,
        wide=cv2.morphologyEx(candidates.astype(np.uint8), cv2.MORPH_OPEN, disk) > 0,
        background=~solid,
        reach=cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (4 * radius + 7,) * 2),
    )
    count, labels, stats, _ = cv2.connectedComponentsWithStats(
        candidates.astype(np.uint8), 8, cv2.CV_32S
    )
    smallest = max(SMALLEST, int(SMALLEST_SHARE * solid.sum()))
    pending = [j for j in range(1, count) if stats[j, cv2.CC_STAT_AREA] >= smallest]
    opened = np.zeros(solid.shape, bool)
    pad = 2 * radius + 4
    changed = True
    while changed and pending:  # an opening next to an opened one may open in turn
        changed = False
        for j in list(pending):
            x, y, w, h = stats[j, :4]
            window = (slice(max(0, y - pad), y + h + pad), slice(max(0, x - pad), x + w + pad))
            part = labels[window] == j
            if _opens(part, window, planes, opened):
                opened[window] |= part
                pending.remove(j)
                changed = True
    return opened
