"""Object removal: the hole is filled with PatchMatch (Barnes et al. 2009), not smeared.

No inpainting network ships its weights inside a PyPI package (the LaMa wrappers found there
download them at run time), so the fill is exemplar-based: the
PyPatchMatch wheel (MIT, 1.7 MB, statically linked C++) copies patches of the photo itself
into the hole, coarse to fine, so a table's grain, a wall or a saucer's rim continue through
the hole instead of Telea's radial smear.

To stay within a second at 2,048 px, only a box around the hole (the hole and a margin of
context around it) is filled, at most ``WORK_PIXELS`` big; when it had to be shrunk, the
upsampled fill gets back a grain that matches the photo's own around the hole (the strength
and colour make-up of its fine detail), so it is not a soft patch in a sharp photo. Only
pixels inside the mask change; object removal widens it a little over the object's rim.

``fillable`` says whether a hole can be filled plausibly from what is around it; the editor
refuses before running (nothing is charged) when it cannot.
"""

from __future__ import annotations

import threading

import cv2
import numpy as np

from ..base import ProviderError

try:
    import patchmatch  # PyPatchMatch
except ImportError:  # pragma: no cover - a base dependency; the error below says so
    patchmatch = None  # type: ignore[assignment]

WORK_PIXELS = 70_000  # the box is filled at most this big (about 265 x 265)
PATCH = 3  # PatchMatch's patch radius: 7 x 7 patches
CONTEXT = 0.75  # the margin around the hole, as a share of the hole's larger side
MAX_SHARE = 0.2  # a hole larger than this share of the photo is not filled
MAX_SPAN = 0.7  # nor one reaching across this share of the photo's width or height
MIN_CONTEXT = 1.5  # known pixels in the box must be at least this many times the hole
SEED = 7
_lock = threading.Lock()  # the native code keeps its random seed globally
_KERNEL = np.ones((3, 3), np.uint8)


def hole_of(mask: np.ndarray, grow: bool = True) -> np.ndarray:
    """The pixels to fill (uint8 0/1): the mask above 127, with ``grow`` widened over the
    object's anti-aliased rim."""
    h, w = mask.shape[:2]
    hole = (mask > 127).astype(np.uint8)
    if not grow:
        return hole
    grow = max(2, min(h, w) // 250)
    return cv2.dilate(hole, _KERNEL, iterations=grow)


def _box(hole: np.ndarray) -> tuple[slice, slice]:
    """The hole's bounding box with a margin of context around it."""
    x, y, bw, bh = cv2.boundingRect(hole)
    h, w = hole.shape
    margin = max(24, round(max(bw, bh) * CONTEXT))
    return (
        slice(max(0, y - margin), min(h, y + bh + margin)),
        slice(max(0, x - margin), min(w, x + bw + margin)),
    )


def fillable(mask: np.ndarray, grow: bool = True) -> str | None:
    """None when the hole can be filled from its surroundings, else why it cannot."""
    hole = hole_of(mask, grow)
    if not cv2.countNonZero(hole):
        return None
    h, w = hole.shape
    count = cv2.countNonZero(hole)
    _, _, bw, bh = cv2.boundingRect(hole)
    share, span = count / (h * w), max(bh / h, bw / w)
    rows, cols = _box(hole)
    known = (rows.stop - rows.start) * (cols.stop - cols.start) - count
    if share > MAX_SHARE or span > MAX_SPAN or known < MIN_CONTEXT * count:
        return (
            f"the area to remove covers {share:.0%} of the photo and reaches across "
            f"{span:.0%} of it; the offline editor fills a removed object from the photo "
            f"around it, which looks right only for objects up to {MAX_SHARE:.0%} of the "
            f"photo and {MAX_SPAN:.0%} across"
        )
    return None


def removal_refusal(mask: np.ndarray, *, kind: str | None = None, cut: bool = False) -> str | None:
    """Why removing under ``mask`` would not look right (None when it would). ``kind`` is what
    a click found ("object" or "area", None for a painted mask); ``cut`` says the object found
    at the click goes on beyond the part of the photo that was segmented."""
    if kind == "area":
        return (
            "No single object was found under the point to remove; paint over what should "
            "be removed instead."
        )
    if cut:
        return (
            "The object under the point is larger than the part of the photo the offline "
            "editor can remove at a click; paint over all of it instead."
        )
    why = fillable(mask)
    return f"This cannot be removed offline: {why}." if why else None


def _grain(filled: np.ndarray, crop: np.ndarray, hole: np.ndarray, scale: float) -> np.ndarray:
    """Add back fine detail lost by filling at ``scale``: noise with the strength and the
    colour make-up (covariance of the channels) of the detail the photo has in a ring around
    the hole, less what the fill already has."""
    sigma = 0.6 / scale
    ring = (cv2.dilate(hole, _KERNEL, iterations=max(4, round(3 / scale))) > 0) & (hole == 0)
    if ring.sum() < 32:
        return filled
    d = max(1, round(sigma))

    def detail(image: np.ndarray, where: np.ndarray) -> np.ndarray:
        """Covariance (3 x 3) of the fine detail, from up to 4,000 pixels of ``where``."""
        ys, xs = np.nonzero(where[d:-d, d:-d])
        pick = np.linspace(0, len(ys) - 1, min(len(ys), 4000)).astype(int)
        ys, xs = ys[pick] + d, xs[pick] + d
        if len(ys) < 16:
            return np.zeros((3, 3))
        at = [image[y, x].astype(np.float32) for y, x in ((ys, xs), (ys - d, xs), (ys + d, xs))]
        at += [image[ys, xs - d].astype(np.float32), image[ys, xs + d].astype(np.float32)]
        fine = at[0] - (at[1] + at[2] + at[3] + at[4]) / 4
        # the grain, not the edges: the 70 % weakest samples, their covariance scaled back up
        # by what that trimming takes from Gaussian noise (1.75 in three dimensions)
        size = (fine * fine).sum(axis=1)
        return np.cov(fine[size <= np.percentile(size, 70)].T) * 1.75

    # the fill keeps some detail of its own: add what is missing, not the whole of it
    values, vectors = np.linalg.eigh(detail(crop, ring) - detail(filled, hole > 0))
    mixing = (vectors * np.sqrt(np.maximum(values, 0))).astype(np.float32)  # 3 x 3
    x, y, bw, bh = cv2.boundingRect(hole)
    rows, cols = slice(y, y + bh), slice(x, x + bw)
    noise = np.empty((bh, bw, 3), np.float32)  # one float copy of the hole's box, reused
    cv2.setRNGSeed(SEED)
    cv2.randn(noise, (0.0, 0.0, 0.0), (1.0, 1.0, 1.0))
    cv2.GaussianBlur(noise, (0, 0), 0.5, dst=noise)
    noise = cv2.transform(noise, mixing * (1.0 / 0.64))  # unit strength, then the colours
    noise += filled[rows, cols]
    out = filled.copy()
    out[rows, cols] = np.clip(noise, 0, 255, out=noise).astype(np.uint8)
    return out


def inpaint(rgb: np.ndarray, mask: np.ndarray, grow: bool = True) -> np.ndarray:
    """Fill the masked area (mask > 127; with ``grow``, widened a little over an object's
    rim) from the photo around it; nothing else changes. Raises a permanent
    :class:`ProviderError` when PyPatchMatch is missing (``provider_unavailable``) or the
    hole is too large to fill (``removal_unfillable``, 422: check :func:`fillable` before
    charging)."""
    if patchmatch is None or not patchmatch.patchmatch_available:
        raise ProviderError(
            "The offline editor's object removal needs the PyPatchMatch package.",
            permanent=True,
            code="provider_unavailable",
            provider="offline",
        )
    why = fillable(mask, grow)
    if why:  # callers check first (nothing charged); this keeps a direct call from smearing
        raise ProviderError(
            f"This cannot be removed offline: {why}.",
            permanent=True,
            code="removal_unfillable",
            provider="offline",
            status=422,
        )
    hole = hole_of(mask, grow)
    if not cv2.countNonZero(hole):
        return rgb.copy()
    rows, cols = _box(hole)
    crop = np.ascontiguousarray(rgb[rows, cols])
    crop_hole = hole[rows, cols]
    ch, cw = crop_hole.shape
    scale = min(1.0, (WORK_PIXELS / (ch * cw)) ** 0.5)
    small, small_hole = crop, crop_hole
    if scale < 1:
        size = (max(8, round(cw * scale)), max(8, round(ch * scale)))
        small = cv2.resize(crop, size, interpolation=cv2.INTER_AREA)
        small_hole = cv2.resize(crop_hole, size, interpolation=cv2.INTER_AREA)
        small_hole = (small_hole > 0).astype(np.uint8)
    with _lock:
        patchmatch.set_random_seed(SEED)
        filled = patchmatch.inpaint(small, small_hole * 255, patch_size=PATCH)
    if scale < 1:
        filled = cv2.resize(filled, (cw, ch), interpolation=cv2.INTER_CUBIC)
        filled = _grain(filled, crop, crop_hole, scale)
    # a soft seam, inside the hole only: the outermost pixels mix with what was there
    x, y, bw, bh = cv2.boundingRect(crop_hole)
    y0, y1, x0, x1 = max(0, y - 3), min(ch, y + bh + 3), max(0, x - 3), min(cw, x + bw + 3)
    inside = crop_hole[y0:y1, x0:x1]
    weight = cv2.GaussianBlur(inside.astype(np.float32), (0, 0), 1.0)
    weight = np.where(inside > 0, np.clip(weight * 2 - 0.2, 0, 1), 0).astype(np.float32)
    before = crop[y0:y1, x0:x1].astype(np.float32)
    mixed = before + (filled[y0:y1, x0:x1].astype(np.float32) - before) * weight[..., None]
    out = rgb.copy()
    out[rows.start + y0 : rows.start + y1, cols.start + x0 : cols.start + x1] = (
        mixed + 0.5
    ).astype(np.uint8)
    return out
